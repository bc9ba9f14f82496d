/**
 * Two gateway processes on one Redis: this test's own gateway and a second one started with
 * `tsx src/main.ts` as a child process, configured only through the environment. Together they keep
 * under the (scaled-down) Cal.com limit: the simulator sees no 429.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { tenantNamespace } from '../src/server.js';
import { hashToken } from '../src/security/tenants.js';

const TOKEN = 'tok_second_process_client';
import { createRedisStore } from '../src/store/index.js';
import { onCleanup, simAdmin, startSimulator, startStack } from './support/stack.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Starts `npm start`'s entry point with `env`; resolves with its GraphQL URL once it says it is ready. */
async function startGatewayProcess(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onCleanup(async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
  return new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /GraphiQL at (http:\/\/[^,\s]+\/graphql)/.exec(output);
      if (ready) resolve(ready[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`gateway process exited with ${code}:\n${output}`)));
  });
}

describe('two gateway processes on one Redis', () => {
  it('share one budget: a burst through both reaches Cal.com without a 429', async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.configure({ rateLimit: { limit: 20, windowMs: 500, blockMs: 500 } });
    const apiKey = `cal_two_processes_${process.pid}_${Date.now()}`;
    const quota = { limit: 20, windowMs: 500 };
    // Same Redis, same key prefix (the default one), same credential: one shared bucket.
    const store = await createRedisStore({ url: inject('redisUrl') });
    onCleanup(() => store.close());
    const here = await startStack({ sim, store, apiKey, quota });
    const thereUrl = await startGatewayProcess({
      PORT: '0',
      CALCOM_API_KEY: apiKey,
      CALCOM_API_URL: sim.apiUrl,
      REDIS_URL: inject('redisUrl'),
      CALCOM_RATE_LIMIT: String(quota.limit),
      CALCOM_RATE_WINDOW_MS: String(quota.windowMs),
      LOG_LEVEL: 'info',
      // A real key: anonymous callers are refused; this client's token comes from the environment.
      SLOTGRAPH_TOKENS: `${hashToken(TOKEN)}@availability:read`,
    });

    // Unknown event type ids are never cached: each query is one upstream call.
    const ask = (url: string, id: number) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-slotgraph-priority': 'background', ...(url === thereUrl ? { authorization: `Bearer ${TOKEN}` } : {}) },
        body: JSON.stringify({ query: `{ eventType(id: ${id}) { id } }` }),
      }).then((r) => r.json() as Promise<any>);
    const bodies = await Promise.all(Array.from({ length: 60 }, (_, i) => ask(i % 2 ? here.gateway.graphqlUrl : thereUrl, 50_000 + i)));
    expect(bodies.map((b) => b.errors?.[0]?.extensions?.code)).toEqual(Array(60).fill('NOT_FOUND'));
    expect(await admin.stats()).toMatchObject({ total: 60, rateLimited: 0 });
    // Both were admitted by the one admission log in Redis: it counted all 60 admissions.
    const bucket = await store.get(`quota:${tenantNamespace({ id: 'default', calcom: { apiKey } })}`);
    expect(bucket?.split('|')[1]).toBe('60');
  });
});
