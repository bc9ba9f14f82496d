/**
 * Graceful drain. A gateway process (`node --import tsx src/main.ts`, the embedded simulator made
 * slow) gets SIGTERM with queries in flight: every one gets its full answer, a graphql-ws
 * subscriber's socket closes 1001 Going Away, an SSE subscription's stream ends, new connections
 * are refused, and the process exits 0. In process: queued Cal.com calls still waiting at the drain
 * timeout get typed errors, never silence or INTERNAL_SERVER_ERROR.
 */
import { spawn } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createClient as createWsClient } from 'graphql-ws';
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { onCleanup, startStack, until } from './support/stack.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ZONE = 'Europe/Berlin';
const day = (n: number) => DateTime.now().setZone(ZONE).plus({ days: n }).toISODate()!;
const AVAILABILITY = `query Day($start: LocalDate!, $end: LocalDate!) { availability(eventTypeId: 1001, start: $start, end: $end, timeZone: "${ZONE}") { days { date slots { start } } } }`;

/** `npm start`'s command with the embedded simulator; resolves once it is ready. */
async function startProcess(env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  onCleanup(async () => {
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
  });
  const urls = await new Promise<{ gateway: string; sim: string }>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /GraphiQL at (http:\/\/[^,\s]+)\/graphql/.exec(output);
      const sim = /embedded Cal.com simulator at (http:\/\/[^\s;]+)\/v2/.exec(output);
      if (ready && sim) resolve({ gateway: ready[1]!, sim: sim[1]! });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`gateway process exited with ${code}:\n${output}`)));
  });
  return { child, exited, urls, output: () => output };
}

describe('SIGTERM with requests in flight', () => {
  it('answers every one in full, closes subscriptions properly, and exits 0', { timeout: 60_000 }, async () => {
    const gw = await startProcess({ SHUTDOWN_TIMEOUT_MS: '8000' });
    const graphql = `${gw.urls.gateway}/graphql`;
    // The embedded simulator answers after 1.5 s: every cold query below is in flight at SIGTERM.
    const configured = await fetch(`${gw.urls.sim}/_sim/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: { min: 1500, max: 1500 } }),
    });
    expect(configured.status).toBe(200);

    // Subscribers: graphql-ws and SSE.
    const ws = createWsClient({ url: graphql.replace('http', 'ws'), webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    onCleanup(async () => ws.dispose());
    const closeCode = new Promise<number>((resolve) => ws.on('closed', (event) => resolve((event as { code: number }).code)));
    ws.subscribe({ query: 'subscription { slotsChanged(eventTypeId: 1001) { reason } }' }, { next: () => {}, error: () => {}, complete: () => {} });
    const sse = await fetch(graphql, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription { slotsChanged(eventTypeId: 1001) { reason } }' }),
    });
    expect(sse.status).toBe(200);
    const sseText = sse.text(); // resolves when the stream ends

    // Queries over 4 separate 14-day blocks and a graphql-ws query, all waiting for the slow simulator.
    const queries = [0, 14, 28, 42, 56, 70].map((n) =>
      fetch(graphql, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: AVAILABILITY, variables: { start: day(n + 1), end: day(n + 3) } }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as any })),
    );
    const overWs = new Promise<any>((resolve, reject) => {
      let result: unknown;
      ws.subscribe({ query: AVAILABILITY, variables: { start: day(90), end: day(91) } }, { next: (r) => (result = r), error: reject, complete: () => resolve(result) });
    });
    // In flight: every query received and its Cal.com call under way (admitted by the quota scheduler).
    const admitted = async () => {
      const status = (await (await fetch(`${gw.urls.gateway}/status.json`)).json()) as any;
      return status.tenants[0].queues.find((q: { priority: string }) => q.priority === 'interactive').admitted as number;
    };
    await until(async () => (await admitted()) >= 7, 10_000);
    gw.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Not accepting any more.
    const refused = await new Promise<string>((resolve) => {
      const req = httpRequest(`${gw.urls.gateway}/healthz`, { agent: false }, (res) => resolve(`answered ${res.statusCode}`));
      req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      req.end();
    });
    expect(refused, gw.output()).toBe('ECONNREFUSED');

    const answers = await Promise.all(queries);
    for (const { status, body } of answers) {
      expect(status).toBe(200);
      expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
      expect(body.data.availability.days).toHaveLength(3);
    }
    const wsAnswer = await overWs;
    expect(wsAnswer.errors).toBeUndefined();
    expect(wsAnswer.data.availability.days).toHaveLength(2);
    expect(await closeCode).toBe(1001);
    expect(await sseText).toContain('event: complete');
    expect(await gw.exited).toBe(0);
    expect(gw.output()).toMatch(/"forced":false,"msg":"drained"/);
  });
});

describe('the drain timeout', () => {
  it('fails what still waits for Cal.com’s quota with a typed error, and answers it', { timeout: 30_000 }, async () => {
    // A quota of 9 calls per 20 s: of 10 background lookups, the first go at once and the rest wait
    // in the queue for the quota to come back (within their 30 s deadline: worth waiting for).
    const stack = await startStack({ quota: { limit: 10, windowMs: 20_000 } });
    const ask = (n: number) =>
      fetch(stack.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-slotgraph-priority': 'background' },
        body: JSON.stringify({ query: `{ eventType(id: ${50_000 + n}) { id } }` }),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as any }));
    let received = 0;
    stack.gateway.httpServer.on('request', () => received++);
    const pending = Array.from({ length: 10 }, (_, n) => ask(n));
    // In flight: every request received (a connection still in the kernel's backlog is not), some queued.
    await until(async () => received === 10 && (await stack.gateway.services.scheduler.status()).queues.find((q) => q.priority === 'background')!.depth >= 1);
    const drained = await stack.gateway.drain(1000);
    expect(drained.forced).toBe(true);
    const answers = await Promise.all(pending);
    expect(answers.every((a) => a.status === 200)).toBe(true);
    const codes = answers.map((a) => a.body.errors?.[0]?.extensions?.code);
    expect(codes.filter((c) => c === 'NOT_FOUND').length).toBeGreaterThanOrEqual(2); // those admitted
    const shutDown = answers.filter((a) => a.body.errors?.[0]?.extensions?.code === 'UPSTREAM_UNAVAILABLE');
    expect(shutDown.length).toBeGreaterThanOrEqual(1);
    for (const a of shutDown) expect(a.body.errors[0].extensions).toMatchObject({ reason: 'SHUTTING_DOWN', retryAfterSeconds: 1 });
    expect(new Set(codes)).toEqual(new Set(['NOT_FOUND', 'UPSTREAM_UNAVAILABLE']));
  });
});
