/**
 * A scrape of /metrics after a workload holds every metric issue #12 names, with plausible values
 * and bounded labels: upstream requests by group and status, latency, quota tokens, queue depth and
 * wait, 429s, breakers, cache hits/misses/stale, coalesced waits, webhooks by result, active
 * subscriptions, operations by name and outcome.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signCalcomBody } from '../src/webhooks/verify.js';
import { onCleanup, SALON_ZONE, salonDay, salonEventType, type Stack, startStack, until } from './support/stack.js';

const ZONE = SALON_ZONE;
const SECRET = 'whsec_metrics_test_secret';
const salon = salonEventType;
const day = salonDay;
const week = (stack: Stack, n: number) =>
  stack.post(`query Week($d: LocalDate!) { availability(eventTypeId: 1, start: $d, end: $d, timeZone: "${ZONE}") { stale days { slots { start } } } }`, { d: day(n) });

/** Sum of the samples of `name` whose labels include `labels`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  let found = false;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^([^{\s]+)(?:\{([^}]*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const have = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) {
      sum += Number(match[3]);
      found = true;
    }
  }
  return found ? sum : NaN;
}

describe('/metrics after a workload', () => {
  it('holds every metric with plausible values and bounded labels', { timeout: 60_000 }, async () => {
    const stack = await startStack({ webhooks: { secrets: [SECRET], revalidateDelayMs: null }, slotCache: { freshTtlMs: 300 }, livePollMs: 0 });
    await stack.admin.reset(true);
    await stack.admin.putEventType(salon);

    // Cache: a miss, a hit, a stale hit; two requests for one new day at once: one waits for the other.
    expect((await week(stack, 2)).errors).toBeUndefined();
    expect((await week(stack, 2)).errors).toBeUndefined();
    const [a, b] = await Promise.all([week(stack, 20), week(stack, 20)]);
    expect([a.errors, b.errors]).toEqual([undefined, undefined]);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await week(stack, 2)).data.availability.stale).toBe(true);
    // Errors by code: an unknown event type, a bad argument.
    expect((await stack.post('query Missing { eventType(id: 999999) { id } }')).errors![0].extensions.code).toBe('NOT_FOUND');
    expect((await stack.post(`query Bad { availability(eventTypeId: 1, start: "2025-13-40", end: "2025-01-01", timeZone: "${ZONE}") { stale } }`)).errors).toBeDefined();
    // Webhooks: one signed and applied, one unsigned.
    const body = JSON.stringify({
      triggerEvent: 'BOOKING_CREATED',
      createdAt: new Date().toISOString(),
      payload: { uid: `b-${randomUUID()}`, eventTypeId: 1, startTime: `${day(3)}T08:00:00Z`, endTime: `${day(3)}T09:00:00Z`, organizer: { id: 7 }, attendees: [] },
    });
    const hook = (headers: Record<string, string>) =>
      fetch(`${stack.gateway.url}/webhooks/calcom`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await hook({ 'x-cal-signature-256': signCalcomBody(body, SECRET) })).status).toBe(200);
    expect((await hook({})).status).toBe(401);
    // A live subscription over SSE, open while we scrape.
    const sse = new AbortController();
    onCleanup(async () => sse.abort());
    const stream = await fetch(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
      body: JSON.stringify({ query: 'subscription Live { slotsChanged(eventTypeId: 1) { reason } }' }),
      signal: sse.signal,
    });
    expect(stream.status).toBe(200);
    await until(() => stack.gateway.services.changes.active() >= 1);
    // 120 distinct operation names: the label keeps at most 100 of them.
    await Promise.all(Array.from({ length: 120 }, (_, i) => stack.post(`query Probe${i} { __typename }`)));
    // Cal.com says 429: another client of the same key spent its limit behind the gateway's back.
    await stack.admin.configure({ rateLimit: { limit: 3, windowMs: 60_000, blockMs: 60_000 } });
    for (let i = 0; i < 4; i++) {
      await fetch(`${stack.sim.apiUrl}/event-types/1`, { headers: { authorization: 'Bearer cal_test_key', 'cal-api-version': '2024-06-14' } });
    }
    const limited = await week(stack, 40);
    expect(limited.errors![0].extensions.code).toBe('QUOTA_EXHAUSTED');
    const res = await fetch(`${stack.gateway.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    const t = { tenant: 'default' };

    expect(sample(text, 'slotgraph_upstream_requests_total', { ...t, group: 'slots', method: 'GET', status: 'ok' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'slotgraph_upstream_requests_total', { ...t, group: 'eventTypes', status: '404' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_upstream_requests_total', { ...t, group: 'slots', status: '429' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_upstream_rate_limited_total', t)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_upstream_request_duration_seconds_count', { ...t, group: 'slots' })).toBeGreaterThanOrEqual(3);
    expect(sample(text, 'slotgraph_upstream_request_duration_seconds_sum', { ...t, group: 'slots' })).toBeGreaterThan(0);
    const tokens = sample(text, 'slotgraph_quota_tokens', t);
    expect(tokens).toBeGreaterThanOrEqual(0);
    expect(tokens).toBeLessThanOrEqual(sample(text, 'slotgraph_quota_capacity', t));
    expect(sample(text, 'slotgraph_quota_budget_per_window', t)).toBe(108);
    for (const priority of ['critical', 'interactive', 'normal', 'background']) {
      expect(sample(text, 'slotgraph_quota_queue_depth', { ...t, priority }), priority).toBeGreaterThanOrEqual(0);
    }
    expect(sample(text, 'slotgraph_quota_queue_wait_seconds_count', { ...t, priority: 'interactive' })).toBeGreaterThanOrEqual(3);
    for (const group of ['slots', 'bookings', 'reservations', 'eventTypes']) {
      expect(sample(text, 'slotgraph_upstream_breaker_state', { ...t, group }), group).toBe(1); // one-hot
    }
    expect(sample(text, 'slotgraph_upstream_breaker_state', { ...t, group: 'bookings', state: 'CLOSED' })).toBe(1);
    expect(sample(text, 'slotgraph_slot_cache_lookups_total', { ...t, result: 'hit' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_slot_cache_lookups_total', { ...t, result: 'miss' })).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'slotgraph_slot_cache_lookups_total', { ...t, result: 'stale' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_slot_cache_coalesced_waits_total', t)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_webhooks_total', { ...t, result: 'ok' })).toBe(1);
    expect(sample(text, 'slotgraph_webhooks_total', { tenant: 'unknown', result: 'unauthorized' })).toBe(1);
    expect(sample(text, 'slotgraph_subscriptions_active', t)).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_graphql_operations_total', { ...t, type: 'query', operation: 'Week', outcome: 'ok' })).toBeGreaterThanOrEqual(4);
    expect(sample(text, 'slotgraph_graphql_operations_total', { ...t, operation: 'Missing', outcome: 'error' })).toBe(1);
    expect(sample(text, 'slotgraph_graphql_operations_total', { ...t, type: 'subscription', operation: 'Live' })).toBe(1);
    expect(sample(text, 'slotgraph_graphql_errors_total', { ...t, code: 'NOT_FOUND' })).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'slotgraph_graphql_operation_duration_seconds_count', { ...t, type: 'query' })).toBeGreaterThanOrEqual(120);
    expect(sample(text, 'slotgraph_store_degraded')).toBe(0);
    expect(sample(text, 'slotgraph_ready')).toBe(1);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(10 * 1024 * 1024);

    // Bounded labels: at most 100 operation names (and `other`), never a URL or a query string.
    const names = new Set([...text.matchAll(/operation="([^"]*)"/g)].map((m) => m[1]));
    expect(names.size).toBeLessThanOrEqual(102);
    expect(names.has('other')).toBe(true);
    for (const [, value] of text.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/[?/]|https?:/);
  });
});
