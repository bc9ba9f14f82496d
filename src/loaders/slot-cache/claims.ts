/**
 * Resolving one variant's days: the warm path (every day fresh in the store: no planning at all),
 * then claims, so a bucket some request of this process is resolving is awaited rather than fetched
 * again, planned into widened ranges (src/loaders/planner.ts), and stale-while-revalidate.
 */
import type { Logger } from '../../logger.js';
import type { CallOptions } from '../../quota/scheduler.js';
import { addDays, HORIZON_DAYS } from '../../time.js';
import { UpstreamError } from '../../upstream/errors.js';
import { daysOf, planRanges, utcDayOf } from '../planner.js';
import type { BucketRead, StoredBuckets } from './buckets.js';
import type { Filler } from './fills.js';
import { bucketId, type Variant } from './keys.js';
import type { BucketEntry, BucketResult, ReadOptions, SlotCacheStats, SlotCacheTuning } from './types.js';

/** Days after today (UTC) that widening may reach: the answered horizon plus a day for zones behind UTC. */
const WIDEN_HORIZON_DAYS = HORIZON_DAYS + 1;

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
}

function deferred<T>(): Deferred<T> {
  let settled = false;
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a claim nobody else awaits must not become an unhandled rejection
  return {
    promise,
    resolve: (v) => {
      if (settled) return;
      settled = true;
      resolve(v);
    },
    reject: (e) => {
      if (settled) return;
      settled = true;
      reject(e);
    },
  };
}

export interface ClaimsDeps {
  buckets: StoredBuckets;
  filler: Filler;
  counters: SlotCacheStats;
  tuning: SlotCacheTuning;
  now: () => number;
  log: Logger;
}

export function createClaims(deps: ClaimsDeps) {
  const { buckets, filler, counters, tuning, now, log } = deps;
  /**
   * Buckets some request of this process is resolving, by bucket id. A claim settles with the
   * bucket, with an Error, or with null: "not filled after all (a neighbour's widening), claim again".
   */
  const inflight = new Map<string, Deferred<BucketResult | null>>();
  /** Buckets a background refresh is running for, and the refreshes themselves. */
  const refreshing = new Set<string>();
  const refreshes = new Set<Promise<unknown>>();

  function refreshInBackground(v: Variant, days: string[]) {
    const todo = days.filter((day) => !refreshing.has(bucketId(v, day)));
    if (todo.length === 0) return;
    for (const day of todo) refreshing.add(bucketId(v, day));
    counters.backgroundRefreshes += 1;
    const refresh = Promise.all(planRanges(todo, { ...tuning, minWindowDays: 1 }).map((range) => filler.fetchAndFill(v, range, { priority: 'background' })))
      .catch((err: unknown) => log.warn({ err: (err as Error).message, eventTypeId: v.eventTypeId }, 'background slot refresh failed; serving stale data'))
      .finally(() => {
        for (const day of todo) refreshing.delete(bucketId(v, day));
        refreshes.delete(refresh);
      });
    refreshes.add(refresh);
  }

  /**
   * Resolves the claimed days of one planned range: from the store when fresh (or stale but within
   * the max age, refreshed in the background), else by a fill. `known` holds entries read just
   * before claiming (not read again). When every wanted day is in the store, the widened days that
   * are not are left unfetched (settled null) rather than spending a call.
   */
  async function resolveRange(v: Variant, claims: Map<string, Deferred<BucketResult | null>>, wanted: Set<string>, call: CallOptions, maxAgeMs: number, known: ReadonlyMap<string, BucketEntry | undefined>) {
    try {
      const days = [...claims.keys()];
      const unread = days.filter((day) => !known.has(day));
      const read = unread.length > 0 ? (await buckets.read(v, unread)).entries : new Map<string, BucketEntry>();
      const t = now();
      const freshMs = Math.min(tuning.freshTtlMs, maxAgeMs);
      const missing: string[] = [];
      const stale: string[] = [];
      for (const day of days) {
        const entry = known.get(day) ?? read.get(day);
        const age = entry ? t - entry.fetchedAt : Infinity;
        if (entry && age <= freshMs) {
          counters.bucketHits += 1;
          claims.get(day)!.resolve({ entry, stale: false });
        } else if (entry && age <= maxAgeMs) {
          counters.bucketStaleHits += 1;
          claims.get(day)!.resolve({ entry, stale: true });
          stale.push(day);
        } else {
          if (wanted.has(day)) counters.bucketMisses += 1;
          missing.push(day);
        }
      }
      if (stale.length > 0) refreshInBackground(v, stale);
      if (missing.some((day) => wanted.has(day))) {
        const filled = await filler.fill(v, missing, wanted, call, freshMs);
        for (const [day, entry] of filled) claims.get(day)?.resolve({ entry, stale: false });
      }
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      for (const [day, d] of claims) (wanted.has(day) ? d.reject(error) : d.resolve(null));
    } finally {
      for (const [day, d] of claims) {
        d.resolve(null);
        const id = bucketId(v, day);
        if (inflight.get(id) === d) inflight.delete(id);
      }
    }
  }

  /**
   * Claims, synchronously, every day of the planned ranges over `days` that nobody in this process
   * is resolving yet, starts resolving them, and returns the promise of each of `days`. Widening is
   * anchored at today (UTC) and stops at Cal.com's horizon.
   */
  function claim(v: Variant, days: string[], call: CallOptions, maxAgeMs: number, known: ReadonlyMap<string, BucketEntry | undefined>): Map<string, Promise<BucketResult | null>> {
    const out = new Map<string, Promise<BucketResult | null>>();
    const unclaimed: string[] = [];
    for (const day of days) {
      const d = inflight.get(bucketId(v, day));
      if (d) {
        counters.coalescedWaits += 1;
        out.set(day, d.promise);
      } else {
        unclaimed.push(day);
      }
    }
    if (unclaimed.length === 0) return out;
    const wanted = new Set(unclaimed);
    const today = utcDayOf(now());
    for (const range of planRanges(unclaimed, tuning, today, addDays(today, WIDEN_HORIZON_DAYS))) {
      const claims = new Map<string, Deferred<BucketResult | null>>();
      for (const day of daysOf(range)) {
        const id = bucketId(v, day);
        if (inflight.has(id)) continue; // a neighbour's widening already covers it
        const d = deferred<BucketResult | null>();
        inflight.set(id, d);
        claims.set(day, d);
        if (wanted.has(day)) out.set(day, d.promise);
      }
      void resolveRange(v, claims, new Set([...claims.keys()].filter((day) => wanted.has(day))), call, maxAgeMs, known);
    }
    return out;
  }

  /**
   * The buckets of `days` (UTC) of one variant: per day, the bucket, or the Error that kept it from
   * being fetched. Days before today are empty buckets and cost nothing. Never rejects.
   */
  async function resolve(v: Variant, days: readonly string[], options: ReadOptions = {}): Promise<Map<string, BucketResult | Error>> {
    const call = options.call ?? {};
    const results = new Map<string, BucketResult | Error>();
    // A day wholly in the past has no slots at Cal.com (it offers none before now + 1 min): no call.
    const today = utcDayOf(now());
    let pending: string[] = [];
    for (const day of new Set(days)) {
      if (day < today) results.set(day, { entry: { fetchedAt: now(), slots: [] }, stale: false });
      else pending.push(day);
    }
    const maxAgeMs = Math.min(options.maxAgeMs ?? tuning.maxAgeMs, tuning.maxAgeMs);
    // Warm path: read the store before planning anything. When every day is fresh and nobody in
    // this process is resolving one, that is the answer; otherwise the claims below decide, starting
    // from what this read saw.
    let known: ReadonlyMap<string, BucketEntry | undefined> = new Map();
    if (pending.length > 0 && pending.every((day) => !inflight.has(bucketId(v, day)))) {
      const read: BucketRead = await buckets.read(v, pending);
      const t = now();
      const freshMs = Math.min(tuning.freshTtlMs, maxAgeMs);
      let oldest = Infinity;
      const allFresh = pending.every((day) => {
        const e = read.entries.get(day);
        if (e) oldest = Math.min(oldest, e.fetchedAt);
        return e !== undefined && t - e.fetchedAt <= freshMs;
      });
      if (allFresh) {
        for (const day of pending) results.set(day, { entry: read.entries.get(day)!, stale: false });
        counters.bucketHits += pending.length;
        options.witness?.depend(buckets.unchanged(read.keys, read.raws), oldest + freshMs + 1);
        return results;
      }
      known = new Map(pending.map((day) => [day, read.entries.get(day)]));
    }
    if (pending.length > 0) options.witness?.spoil();
    // A day can come back unresolved (null) when the claim it waited on was only a widening that
    // was not fetched; claiming again then fetches it. Bounded, so nothing can spin.
    /** Days whose failure came from another request's fetch and were claimed again (once each). */
    const reclaimed = new Set<string>();
    for (let round = 0; pending.length > 0 && round < 3; round++) {
      // Days another request of this process is resolving: their outcome is that request's.
      const borrowed = new Set(pending.filter((day) => inflight.has(bucketId(v, day))));
      const promises = claim(v, pending, call, maxAgeMs, round === 0 ? known : new Map());
      const next: string[] = [];
      await Promise.all(
        pending.map(async (day) => {
          try {
            const result = await promises.get(day)!;
            if (result) results.set(day, result);
            else next.push(day);
          } catch (err) {
            // Another request's cancelled fetch is not our failure: claim the day again. Nor is its
            // failure after its retries (Cal.com failing some answers): we try the day once ourselves,
            // so one unlucky fetch does not fail every request that shared it.
            const theirs = borrowed.has(day) && !reclaimed.has(day);
            if ((err as Error)?.name === 'AbortError' && !call.signal?.aborted) next.push(day);
            else if (theirs && err instanceof UpstreamError && err.isUnavailable && !call.signal?.aborted) {
              reclaimed.add(day);
              next.push(day);
            } else results.set(day, err instanceof Error ? err : new Error(String(err)));
          }
        }),
      );
      pending = next;
    }
    for (const day of pending) results.set(day, new Error(`slot bucket ${day} could not be resolved`));
    return results;
  }

  return {
    resolve,
    async settled() {
      while (refreshes.size > 0) await Promise.all([...refreshes]);
    },
  };
}
