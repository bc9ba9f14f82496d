/**
 * The slot cache: Cal.com's free slots kept per (credential, event type, duration, grid zone, UTC
 * day) bucket. Slot instants do not depend on the caller's zone except through the grid Cal.com
 * rounds in the request's zone (docs/calcom-contract.md#slot-grid): every zone with whole-hour
 * offsets shares the `UTC` grid, so callers in Berlin, New York and Tokyo share one upstream call;
 * a Kolkata caller gets the Kolkata grid, as Cal.com's booking page would give it.
 *
 * One entry point, {@link SlotCache.read}: slot requests in, each request's slots out. Inside:
 *
 * - **Windows** (fills.ts): a fetch asks for whole UTC days plus a margin of the longest slot
 *   length past the last one, since Cal.com only offers slots that END inside the window; each slot
 *   is kept in the bucket of the UTC day it starts on, so a slot running across 00:00 UTC is never
 *   lost. Days wholly in the past are answered empty without a call; widening never reaches past
 *   them, nor beyond Cal.com's one-year horizon.
 * - **Widening** (claims.ts, src/loaders/planner.ts): the missing buckets of one read are fetched
 *   in as few `GET /v2/slots` calls as the planner allows.
 * - **Coalescing in this process** (claims.ts): a bucket being resolved for any request is awaited,
 *   not fetched again (claimed synchronously, before the first await).
 * - **Coalescing across instances** (fills.ts): before fetching a range, a short lock per bucket
 *   is taken in the store (one Lua script); an instance that finds buckets locked waits for the
 *   holder's announcement (store pub/sub: filled, or released unfilled) up to `lockWaitMs`, then
 *   fetches itself.
 * - **Stale-while-revalidate** (claims.ts): fresh for `freshTtlMs`; then served with `stale: true`
 *   while one background refresh runs, up to `maxAgeMs`; beyond that a bucket is a miss.
 * - **Precise invalidation** (here, buckets.ts): deletes the buckets of the UTC days an instant
 *   range touches, of one event type (and those sharing a host) and this credential only, and
 *   leaves a tombstone so a fetch that started earlier cannot write its older answer back.
 * - **Evidence for the answer cache** (claims.ts, src/answer-cache.ts): a read served wholly from
 *   fresh stored buckets tells the request's witness how to check they are unchanged.
 */
import { createStoredBuckets } from './buckets.js';
import { createClaims } from './claims.js';
import { utcDaysOf } from './days.js';
import { createFiller } from './fills.js';
import { parseVariantKey, slotKeys, variantKey, type Variant } from './keys.js';
import { DEFAULT_SLOT_CACHE_TUNING, newStats, type BucketResult, type Invalidation, type SlotCache, type SlotCacheOptions, type SlotCacheTuning, type SlotRequest, type SlotResult } from './types.js';

export { utcDaysOf } from './days.js';
export * from './types.js';

const variantOf = (r: SlotRequest): Variant => ({ eventTypeId: r.eventTypeId, duration: r.duration, gridZone: r.gridZone ?? 'UTC' });

/** Joins the buckets of one request's days into its result, or the first error among them. */
function assemble(request: SlotRequest, buckets: Map<string, BucketResult | Error>): SlotResult | Error {
  const { start, end } = request.range;
  const slots = [];
  let fetchedAt = Infinity;
  let stale = false;
  for (const day of utcDaysOf(request.range)) {
    const bucket = buckets.get(day);
    if (!bucket) return new Error(`slot bucket ${day} missing`);
    if (bucket instanceof Error) return bucket;
    fetchedAt = Math.min(fetchedAt, bucket.entry.fetchedAt);
    stale ||= bucket.stale;
    for (const slot of bucket.entry.slots) if (slot.start >= start && slot.start < end) slots.push(slot);
  }
  return { slots, fetchedAt, stale };
}

export function createSlotCache(options: SlotCacheOptions): SlotCache {
  const { store, calcom, credentialId, log, eventTypes } = options;
  const now = options.now ?? Date.now;
  const tuning: SlotCacheTuning = { ...DEFAULT_SLOT_CACHE_TUNING, ...options.tuning };
  const counters = newStats();
  const keys = slotKeys(credentialId);
  const buckets = createStoredBuckets(store, keys, tuning.maxAgeMs, (n) => (counters.bucketHits += n));
  const filler = createFiller({ store, keys, buckets, calcom, eventTypes, counters, tuning, now, log });
  const claims = createClaims({ buckets, filler, counters, tuning, now, log });

  async function invalidateDays(ids: readonly number[], days: readonly string[]): Promise<Invalidation> {
    const eventTypeIds = [...new Set(ids)];
    counters.invalidatedBuckets += await buckets.drop(eventTypeIds, days, now(), tuning.lockTtlMs);
    return { eventTypeIds, days: [...days] };
  }

  return {
    async read(requests, readOptions = {}) {
      // One bucket set per variant; every resolve starts in this tick, so its claims are registered
      // before any other request's batch can look.
      const groups = new Map<string, { variant: Variant; days: Set<string> }>();
      const keys = requests.map((r) => {
        const variant = variantOf(r);
        const key = `${r.eventTypeId}|${variantKey(variant)}`;
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { variant, days: new Set() }));
        for (const day of utcDaysOf(r.range)) group.days.add(day);
        return key;
      });
      const resolved = new Map([...groups].map(([key, g]) => [key, claims.resolve(g.variant, [...g.days], readOptions)] as const));
      return Promise.all(requests.map(async (r, i) => assemble(r, await resolved.get(keys[i]!)!)));
    },

    async invalidate(eventTypeId, range) {
      return invalidateDays(eventTypes ? await eventTypes.related(eventTypeId) : [eventTypeId], utcDaysOf(range));
    },

    async invalidateHosts(userIds, range) {
      return invalidateDays(eventTypes ? await eventTypes.ofHosts(userIds) : [], utcDaysOf(range));
    },

    async revalidate(eventTypeIds, days) {
      const changed: Array<{ eventTypeId: number; days: string[] }> = [];
      for (const eventTypeId of new Set(eventTypeIds)) {
        const cached = await buckets.variants(eventTypeId, days);
        if (cached.size === 0) continue;
        await invalidateDays([eventTypeId], [...new Set([...cached.values()].flatMap((byDay) => [...byDay.keys()]))]);
        const differ = new Set<string>();
        for (const [key, byDay] of cached) {
          const fresh = await claims.resolve({ eventTypeId, ...parseVariantKey(key) }, [...byDay.keys()], { call: { priority: 'background' } });
          for (const [day, before] of byDay) {
            const after = fresh.get(day);
            if (after && !(after instanceof Error) && JSON.stringify(after.entry.slots) !== JSON.stringify(before.slots)) differ.add(day);
          }
        }
        if (differ.size > 0) changed.push({ eventTypeId, days: [...differ].sort() });
      }
      return changed;
    },

    stats: () => structuredClone(counters),

    async settled() {
      await claims.settled();
      await filler.stored();
    },

    async close() {
      await claims.settled();
      await filler.close();
    },
  };
}
