/**
 * Redis is a dependency, not a single point of failure: a dedicated redis-server is stopped under
 * traffic; warm and cold queries, a booking and a live subscription keep working from the
 * in-process store (with a share of the quota budget), /readyz and /metrics say so, the
 * degradation is logged once; a new redis-server on the same port is used again by itself.
 */
import { randomUUID } from 'node:crypto';
import { createClient as createWsClient } from 'graphql-ws';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startRedis, stopRedis } from '../scripts/redis-server.js';
import { createFailoverStore, quotaOutageArgs } from '../src/store/index.js';
import { onCleanup, SALON_ZONE, salonDay, salonEventType, type Stack, startStack, uniquePrefix, until } from './support/stack.js';

const ZONE = SALON_ZONE;
const AVAILABILITY = `query Day($start: LocalDate!, $end: LocalDate!) {
  availability(eventTypeId: 1, start: $start, end: $end, timeZone: "${ZONE}") { stale days { date slots { start } } }
}`;
const BOOK = `mutation Book($input: CreateBookingInput!) { createBooking(input: $input) { __typename ... on Booking { uid } ... on Error { message } } }`;

const salon = salonEventType;

const day = salonDay;

async function askDay(stack: Stack, n: number) {
  const body = await stack.post(AVAILABILITY, { start: day(n), end: day(n) });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  expect(body.data.availability.days).toHaveLength(1);
  expect(body.data.availability.days[0].slots.length).toBeGreaterThan(0);
  return body.data.availability.days[0].slots.map((s: { start: string }) => s.start) as string[];
}

async function book(stack: Stack, start: string) {
  const body = await stack.post(BOOK, {
    input: { eventTypeId: 1, start, attendee: { name: 'Erika Muster', email: 'erika@example.org', timeZone: ZONE }, idempotencyKey: randomUUID() },
  });
  expect(body.errors, JSON.stringify(body.errors)).toBeUndefined();
  return body.data.createBooking;
}

describe('Redis goes away under traffic', () => {
  it('keeps answering from the in-process store, says so, and returns to Redis by itself', { timeout: 60_000 }, async () => {
    let redis = await startRedis();
    const port = redis.port;
    onCleanup(() => stopRedis(redis.child));
    const keyPrefix = uniquePrefix();
    const warnings: string[] = [];
    const infos: string[] = [];
    const store = await createFailoverStore({
      url: redis.url,
      keyPrefix,
      probeIntervalMs: 100,
      commandTimeoutMs: 500,
      outageArgs: quotaOutageArgs(0.5),
      log: { warn: (_obj, msg) => warnings.push(msg), info: (_obj, msg) => infos.push(msg) },
    });
    onCleanup(() => store.close());
    const stack = await startStack({ store, webhooks: { revalidateDelayMs: null } });
    await stack.admin.reset(true);
    await stack.admin.putEventType(salon);
    const keysInRedis = async () => {
      const probe = new Redis(redis.url, { maxRetriesPerRequest: 1 });
      try {
        return (await probe.keys(`${keyPrefix}*`)).length;
      } finally {
        probe.disconnect();
      }
    };

    // Healthy: a cold query fills Redis.
    expect(store.active()).toBe('redis');
    const before = await askDay(stack, 2);
    expect(await keysInRedis()).toBeGreaterThan(0);
    // A live subscriber on this instance, subscribed while Redis was there.
    const ws = createWsClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false, onNonLazyError: () => {} });
    onCleanup(async () => ws.dispose());
    const events: unknown[] = [];
    ws.subscribe(
      { query: `subscription { slotsChanged(eventTypeId: 1) { reason affectedDates } }` },
      { next: (e) => void events.push(e.data), error: () => {}, complete: () => {} },
    );
    await until(() => stack.gateway.services.changes.active(1) === 1);
    await stack.gateway.services.changes.ready();

    // Redis goes away.
    await stopRedis(redis.child);
    const warm = await askDay(stack, 2); // was in Redis: fetched again, then served from memory
    expect(warm).toEqual(before);
    await until(() => store.active() === 'memory');
    expect(await askDay(stack, 2)).toEqual(before); // warm, in memory now
    const cold = await askDay(stack, 3);
    expect(await askDay(stack, 3)).toEqual(cold);
    await Promise.all([askDay(stack, 4), askDay(stack, 4), askDay(stack, 5)]); // concurrent cold ones

    // A booking works (idempotency and locks in process), and the local subscriber hears of it.
    expect(await book(stack, before[0]!)).toMatchObject({ __typename: 'Booking' });
    await until(() => events.length === 1);
    expect(await askDay(stack, 2)).not.toContain(before[0]);

    // Reported: not ready (Redis), still alive, degraded in the metrics; logged once.
    const ready = await fetch(`${stack.gateway.url}/readyz`);
    expect(ready.status).toBe(503);
    const readyBody = (await ready.json()) as { reasons: string[]; store: { degraded: boolean } };
    expect(readyBody.reasons.join(' ')).toMatch(/redis unreachable/);
    expect(readyBody.store.degraded).toBe(true);
    expect(JSON.stringify(readyBody)).not.toContain('redis://');
    const health = await fetch(`${stack.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', store: { kind: 'redis', ok: false } });
    const metrics = await (await fetch(`${stack.gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/^slotgraph_store_degraded 1$/m);
    expect(metrics).toMatch(/^slotgraph_store_failovers_total 1$/m);
    expect(warnings.filter((m) => /unreachable/i.test(m))).toHaveLength(1);
    // The in-process quota holds half of it.
    const quota = await stack.gateway.services.scheduler.status();
    expect(quota.tokens).toBeLessThanOrEqual(quota.shape.capacity / 2);

    // Redis comes back on the same port (empty): used again without a restart.
    redis = await startRedis({ port });
    await until(() => store.active() === 'redis', 20_000);
    expect(infos.some((m) => /back/.test(m))).toBe(true);
    expect((await fetch(`${stack.gateway.url}/readyz`)).status).toBe(200);
    expect(await keysInRedis()).toBe(0);
    await askDay(stack, 6);
    expect(await keysInRedis()).toBeGreaterThan(0);
    expect(await (await fetch(`${stack.gateway.url}/metrics`)).text()).toMatch(/^slotgraph_store_degraded 0$/m);
    // Subscriptions were renewed on the new server: a change published through Redis arrives.
    await stack.gateway.services.changes.ready();
    const slots = await askDay(stack, 3);
    expect(await book(stack, slots[0]!)).toMatchObject({ __typename: 'Booking' });
    await until(() => events.length === 2);
  });
});
