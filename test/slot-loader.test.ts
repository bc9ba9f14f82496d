/**
 * The slot loader and cache (issue 3): widening, batching, coalescing in one process and across
 * instances on one Redis, stale-while-revalidate, precise invalidation. Upstream call counts come
 * from the simulator.
 */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { WEEKDAYS } from '../src/sim/model.js';
import { createSlotCache, type SlotCache } from '../src/loaders/slot-cache/index.js';
import type { InstantRange } from '../src/time.js';
import { createCalcomClient, UpstreamError } from '../src/upstream/calcom-client.js';
import { createRequestLoaders } from '../src/loaders/index.js';
import { localDaysToRange } from '../src/time.js';
import { onCleanup, quietLog, simAdmin, startSimulator, startStack, startStore, uniquePrefix, until, type Stack } from './support/stack.js';

const allDay = (id: number, zone = 'Europe/Berlin', startTime = '09:00', endTime = '17:00') => ({
  id,
  slug: `et-${id}`,
  title: `Event type ${id}`,
  lengthInMinutes: 60,
  schedule: { timeZone: zone, availability: [{ days: [...WEEKDAYS], startTime, endTime }], overrides: [] },
});

const FIELDS = 'eventTypeId timeZone fetchedAt stale days { date slots { start localTime utcOffset } }';
const availabilityField = (alias: string, eventTypeId: number, start: string, end: string, timeZone: string) =>
  `${alias}: availability(eventTypeId: ${eventTypeId}, start: "${start}", end: "${end}", timeZone: "${timeZone}") { ${FIELDS} }`;

/** The gateway's clock unless a test brings its own: fixed, so widening (anchored at "today") is the same every run. */
const GATEWAY_NOW = Date.parse('2025-10-20T00:00:00Z');

async function prepared(options: Parameters<typeof startStack>[0] = {}): Promise<Stack> {
  const stack = await startStack({ now: () => GATEWAY_NOW, ...options });
  await stack.admin.setClock('2025-10-20T00:00:00Z');
  await stack.admin.reset(true);
  await stack.admin.putEventType(allDay(1));
  await stack.admin.putEventType(allDay(2));
  await stack.admin.clearStats();
  return stack;
}

const slotCalls = async (stack: Pick<Stack, 'admin'>) => (await stack.admin.stats()).requests['GET /v2/slots'] ?? 0;

describe('one GraphQL request, many windows', () => {
  it('answers the alternatives pattern (wished day, next 7 days, same weekday next week) with ≤ 1 call cold and 0 warm', async () => {
    const stack = await prepared();
    const wished = DateTime.fromISO('2025-10-26');
    const fields = [availabilityField('wished', 1, '2025-10-26', '2025-10-26', 'Europe/Berlin')];
    for (let i = 1; i <= 7; i++) {
      const day = wished.plus({ days: i }).toISODate()!;
      fields.push(availabilityField(`next${i}`, 1, day, day, 'Europe/Berlin'));
    }
    fields.push(availabilityField('nextWeek', 1, '2025-11-02', '2025-11-02', 'Europe/Berlin'));
    const query = `{ ${fields.join('\n')} }`;

    const cold = await stack.post(query);
    expect(cold.errors).toBeUndefined();
    expect(await slotCalls(stack)).toBe(1);
    expect(cold.data.wished.days[0].slots[0]).toMatchObject({ localTime: '09:00', utcOffset: '+01:00' });
    expect(cold.data.next7.days[0]).toMatchObject({ date: '2025-11-02' });
    expect(cold.data.nextWeek.days[0].slots).toEqual(cold.data.next7.days[0].slots);

    const warm = await stack.post(query);
    expect(warm.data).toEqual(cold.data);
    expect(await slotCalls(stack)).toBe(1);
    const stats = stack.gateway.services.slotCache.stats();
    expect(stats.upstreamCalls).toBe(1);
    expect(stats.bucketHits).toBeGreaterThan(0);
  });

  it('rejects every caller of a failed batch, and none hangs', async () => {
    // The breaker kept out of it (it would open at the sixth failure): this is about the batch.
    const stack = await prepared({ scheduler: { breaker: { threshold: 100 } } });
    await stack.admin.configure({ errorRate: 1 });
    const loaders = createRequestLoaders(stack.gateway.services);
    const range = (zone: string, first: string, last: string) => localDaysToRange(first, last, zone);
    const settled = await Promise.allSettled([
      loaders.slots.load({ eventTypeId: 1, range: range('Europe/Berlin', '2025-10-26', '2025-10-26') }),
      loaders.slots.load({ eventTypeId: 1, range: range('America/New_York', '2025-10-27', '2025-10-28') }),
      loaders.slots.load({ eventTypeId: 2, range: range('UTC', '2025-10-26', '2025-10-26') }),
    ]);
    expect(settled.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    for (const r of settled) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UpstreamError);
    // One call per event type, each retried three times (reads only, each retry through the quota).
    expect(await slotCalls(stack)).toBe(8);
    expect((await stack.gateway.services.scheduler.status()).retries).toBe(6);
  });

  it('caches empty buckets like any other', async () => {
    const stack = await prepared();
    await stack.admin.putEventType({ ...allDay(3), schedule: { timeZone: 'UTC', availability: [], overrides: [] } });
    const query = `{ ${availabilityField('x', 3, '2025-10-26', '2025-10-27', 'UTC')} }`;
    expect((await stack.post(query)).data.x.days).toEqual([
      { date: '2025-10-26', slots: [] },
      { date: '2025-10-27', slots: [] },
    ]);
    await stack.post(query);
    expect(await slotCalls(stack)).toBe(1);
  });
});

/** 100 requests at once for overlapping windows of one event type, in four zones. */
function overlappingRequests(stacks: Stack[]) {
  const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];
  return Array.from({ length: 100 }, (_, i) => {
    const start = DateTime.fromISO('2025-10-26').plus({ days: i % 3 });
    const query = `{ ${availabilityField('a', 1, start.toISODate()!, start.plus({ days: 1 }).toISODate()!, zones[i % zones.length]!)} }`;
    return stacks[i % stacks.length]!.post(query);
  });
}

describe('concurrent requests', () => {
  it('100 concurrent requests in different zones cost ≤ 2 upstream calls', async () => {
    const stack = await prepared();
    const bodies = await Promise.all(overlappingRequests([stack]));
    expect(bodies.filter((b) => b.errors)).toEqual([]);
    const calls = await slotCalls(stack);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
    // Same instants whatever the zone: Berlin 09:00 on the 27th is 04:00 in New York.
    const ny = bodies.find((_, i) => i % 4 === 1 && i % 3 === 1)!;
    expect(ny.data.a.days[0].slots[0]).toMatchObject({ start: '2025-10-27T08:00:00.000Z', localTime: '04:00' });
    expect(stack.gateway.services.slotCache.stats().coalescedWaits).toBeGreaterThan(0);
  });

  it('two gateway instances on one Redis together cost ≤ 2 upstream calls for the same 100 requests', async () => {
    const keyPrefix = uniquePrefix();
    const first = await prepared({ store: await startStore('redis', keyPrefix) });
    const second = await startStack({ sim: first.sim, store: await startStore('redis', keyPrefix), now: () => GATEWAY_NOW });
    await first.admin.configure({ latencyMs: { min: 20, max: 80 } }); // fetches overlap in time, as they would against Cal.com
    const bodies = await Promise.all(overlappingRequests([first, second]));
    expect(bodies.filter((b) => b.errors)).toEqual([]);
    const calls = await slotCalls(first);
    expect(calls).toBeGreaterThanOrEqual(1);
    expect(calls).toBeLessThanOrEqual(2);
    const stats = [first, second].map((s) => s.gateway.services.slotCache.stats());
    expect(stats[0]!.upstreamCalls + stats[1]!.upstreamCalls).toBe(calls);
    // No window was fetched twice: what one instance fetched, the other waited for.
    const windows = (await first.admin.requests()).map((r) => `${r.query.start}..${r.query.end}`);
    expect(new Set(windows).size).toBe(windows.length);
  });
});

describe('a shared fetch that fails', () => {
  it('fails the request that made it, while a request that only waited on it tries its days once itself', async () => {
    let calls = 0;
    // Cal.com's first answer is a 500 (after the scheduler's retries, say); the next ones succeed.
    const calcom = {
      async getSlots() {
        calls += 1;
        if (calls === 1) throw new UpstreamError({ endpoint: 'GET /v2/slots', status: 500, calcomCode: 'InternalServerErrorException', message: 'boom', rateLimit: {} });
        return { slots: [] };
      },
    };
    const cache = createSlotCache({ store: await startStore('memory'), calcom, credentialId: 'shared-failure', log: quietLog, now: () => Date.parse('2025-10-20T00:00:00Z') });
    onCleanup(() => cache.close());
    const days = (first: string, last: string) => ({ start: Date.parse(`${first}T00:00:00Z`), end: Date.parse(`${last}T00:00:00Z`) + 86_400_000 });
    // Both want 2025-10-21 (as adjacent local weeks share a UTC day): the second finds it claimed by
    // the first's fetch (the block 2025-10-20..26) and waits for it.
    const [first, second] = await Promise.all([cache.read([{ eventTypeId: 1, range: days('2025-10-20', '2025-10-21') }]), cache.read([{ eventTypeId: 1, range: days('2025-10-21', '2025-10-22') }])]);
    expect(first![0]).toBeInstanceOf(UpstreamError);
    expect(second![0]).toMatchObject({ slots: [], stale: false });
    expect(calls).toBe(2);
  });
});

describe('stale-while-revalidate', () => {
  it('serves stale data with stale: true when Cal.com fails within the max age, and UPSTREAM_UNAVAILABLE beyond it', async () => {
    let now = Date.parse('2025-10-20T12:00:00Z');
    const stack = await prepared({ now: () => now, slotCache: { freshTtlMs: 30_000, maxAgeMs: 300_000 } });
    const query = `{ ${availabilityField('a', 1, '2025-10-27', '2025-10-27', 'Europe/Berlin')} }`;
    const fresh = await stack.post(query);
    expect(fresh.data.a).toMatchObject({ stale: false, fetchedAt: '2025-10-20T12:00:00.000Z' });

    await stack.admin.configure({ errorRate: 1 });
    now += 60_000; // past the fresh TTL, within the max age
    const stale = await stack.post(query);
    expect(stale.errors).toBeUndefined();
    expect(stale.data.a).toMatchObject({ stale: true, fetchedAt: '2025-10-20T12:00:00.000Z' });
    expect(stale.data.a.days).toEqual(fresh.data.a.days);
    await stack.gateway.services.slotCache.settled(); // the background refresh ran, and failed
    expect(stack.gateway.services.slotCache.stats()).toMatchObject({ backgroundRefreshes: 1, upstreamFailures: 1 });

    now += 300_000; // beyond the max age
    const gone = await stack.post(query);
    expect(gone.errors![0].extensions.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('refreshes a stale bucket once in the background, then serves it fresh', async () => {
    let now = Date.parse('2025-10-20T12:00:00Z');
    const stack = await prepared({ now: () => now });
    const query = `{ ${availabilityField('a', 1, '2025-10-27', '2025-10-27', 'Europe/Berlin')} }`;
    await stack.post(query);
    await stack.admin.addBooking(1, '2025-10-27T08:00:00Z'); // someone books 09:00 Berlin time
    now += 45_000;
    const [s1, s2] = await Promise.all([stack.post(query), stack.post(query)]);
    expect(s1.data.a.stale && s2.data.a.stale).toBe(true);
    expect(s1.data.a.days[0].slots[0].localTime).toBe('09:00');
    await stack.gateway.services.slotCache.settled();
    expect(await slotCalls(stack)).toBe(2); // the first fill and one refresh, not two
    const after = await stack.post(query);
    expect(after.data.a).toMatchObject({ stale: false, fetchedAt: new Date(now).toISOString() });
    expect(after.data.a.days[0].slots[0].localTime).toBe('10:00');
  });
});

describe.each(['memory', 'redis'] as const)('invalidation (%s store)', (kind) => {
  async function setup() {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.setClock('2025-10-20T00:00:00Z');
    await admin.reset(true);
    await admin.putEventType(allDay(1, 'UTC', '00:00', '24:00'));
    await admin.putEventType(allDay(2, 'UTC', '00:00', '24:00'));
    const store = await startStore(kind);
    const cacheFor = (apiKey: string, credentialId: string) => {
      const calcom = createCalcomClient({ apiUrl: sim.apiUrl, apiKey });
      const cache = createSlotCache({ store, calcom, credentialId, log: quietLog, now: () => Date.parse('2025-10-20T00:00:00Z') });
      onCleanup(async () => {
        await cache.close();
        calcom.close();
      });
      return cache;
    };
    return { admin, tenantA: cacheFor('cal_tenant_a', 'tenant-a'), tenantB: cacheFor('cal_tenant_b', 'tenant-b') };
  }

  const utc = (iso: string) => Date.parse(iso);
  /** The UTC days `first`..`last` (inclusive) as one slot request's range. */
  const days = (first: string, last: string) => ({ start: utc(`${first}T00:00:00Z`), end: utc(`${last}T00:00:00Z`) + 86_400_000 });
  const week = days('2025-10-25', '2025-10-31');
  /** Reads `range` of `eventTypeId` through `cache`; fails the test on an error. */
  const read = async (cache: SlotCache, eventTypeId: number, range: InstantRange) => {
    const [result] = await cache.read([{ eventTypeId, range }]);
    if (result instanceof Error) throw result;
    return result!;
  };

  it('deletes only the buckets of the booking’s UTC days, for that event type and tenant', async () => {
    const { admin, tenantA, tenantB } = await setup();
    await read(tenantA, 1, week);
    await read(tenantA, 2, week);
    await read(tenantB, 1, week);
    await admin.clearStats();

    const touched = await tenantA.invalidate(1, { start: utc('2025-10-27T10:00:00Z'), end: utc('2025-10-27T10:30:00Z') });
    expect(touched).toEqual({ eventTypeIds: [1], days: ['2025-10-27'] });
    expect(tenantA.stats().invalidatedBuckets).toBe(1);
    expect((await tenantA.invalidate(1, { start: utc('2025-10-28T23:30:00Z'), end: utc('2025-10-29T00:30:00Z') })).days).toEqual(['2025-10-28', '2025-10-29']);
    expect((await tenantA.invalidate(1, { start: utc('2025-10-30T23:00:00Z'), end: utc('2025-10-31T00:00:00Z') })).days).toEqual(['2025-10-30']);

    // Untouched: the other event type, the other tenant, the other days.
    await read(tenantA, 2, week);
    await read(tenantB, 1, week);
    await read(tenantA, 1, days('2025-10-25', '2025-10-26'));
    await read(tenantA, 1, days('2025-10-31', '2025-10-31'));
    expect((await admin.stats()).total).toBe(0);

    // Touched: refetched, in one call.
    const refetched = await read(tenantA, 1, days('2025-10-27', '2025-10-30'));
    expect(refetched.stale).toBe(false);
    expect(new Set(refetched.slots.map((s) => new Date(s.start).toISOString().slice(0, 10)))).toEqual(new Set(['2025-10-27', '2025-10-28', '2025-10-29', '2025-10-30']));
    expect((await admin.stats()).requests).toEqual({ 'GET /v2/slots': 1 });
  });

  it('does not let a fetch that began before the invalidation write its older answer back', async () => {
    const { admin, tenantA } = await setup();
    await admin.configure({ latencyMs: { min: 300, max: 300 } });
    const inFlight = read(tenantA, 1, days('2025-10-27', '2025-10-27'));
    // Once Cal.com has the request (it answers after 300 ms), a booking arrives and invalidates the day.
    await until(async () => (await admin.requests()).length > 0);
    await tenantA.invalidate(1, { start: utc('2025-10-27T10:00:00Z'), end: utc('2025-10-27T11:00:00Z') });
    await inFlight;
    await admin.configure({ latencyMs: { min: 0, max: 0 } });
    await admin.clearStats();
    await read(tenantA, 1, days('2025-10-27', '2025-10-27'));
    expect((await admin.stats()).requests).toEqual({ 'GET /v2/slots': 1 });
  });
});
