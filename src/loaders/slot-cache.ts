/**
 * The slot cache: Cal.com's free slots kept per (credential, event type, duration, UTC day) bucket,
 * zone-independent (slot instants do not depend on the output zone, reference.md §1.4), so callers
 * in any zone share one upstream call.
 *
 * - **Widening**: the missing buckets of one call are fetched in as few `GET /v2/slots` calls as the
 *   planner allows (src/loaders/planner.ts).
 * - **Coalescing in this process**: a bucket being resolved for any request is awaited, not fetched
 *   again (claimed synchronously, before the first await).
 * - **Coalescing across instances**: before fetching a range, a short lock per bucket is taken in the
 *   store (one Lua script); an instance that finds every bucket locked waits for the fill
 *   notification (store pub/sub) up to `lockWaitMs`, then fetches itself.
 * - **Stale-while-revalidate**: fresh for `freshTtlMs`; then served with `stale: true` while one
 *   background refresh runs, up to `maxAgeMs`; beyond that a bucket is a miss.
 * - **Precise invalidation**: {@link SlotCache.invalidate} deletes the buckets of the UTC days an
 *   instant range touches, of one event type and this credential only, and leaves a tombstone so a
 *   fetch that started earlier cannot write its older answer back.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from '../logger.js';
import type { Store, StoreScript } from '../store/store.js';
import type { InstantRange } from '../time.js';
import type { CalcomClient } from '../upstream/calcom-client.js';
import { daysOf, DEFAULT_PLANNER_OPTIONS, planRanges, rangeDays, type DayRange, type PlannerOptions } from './planner.js';

export interface SlotCacheTuning extends PlannerOptions {
  /** A bucket younger than this (ms since its fetch) is fresh. @default 30000 */
  freshTtlMs: number;
  /** A bucket older than this (ms) is not served at all; between fresh and this it is served stale. @default 300000 */
  maxAgeMs: number;
  /** How long a fetch lock lives (ms); must exceed the upstream timeout. @default 10000 */
  lockTtlMs: number;
  /** How long an instance waits for another's fetch before fetching itself (ms). @default 6000 */
  lockWaitMs: number;
}

export const DEFAULT_SLOT_CACHE_TUNING: SlotCacheTuning = {
  ...DEFAULT_PLANNER_OPTIONS,
  freshTtlMs: 30_000,
  maxAgeMs: 300_000,
  lockTtlMs: 10_000,
  lockWaitMs: 6_000,
};

export interface SlotCacheOptions {
  store: Store;
  calcom: CalcomClient;
  /** Namespaces every key: one tenant never sees or invalidates another's buckets. */
  credentialId: string;
  log: Logger;
  /** Clock in ms since the epoch. @default Date.now */
  now?: () => number;
  tuning?: Partial<SlotCacheTuning>;
}

/** One free slot as cached: UTC instants in ms since the epoch. */
export interface CachedSlot {
  start: number;
  end: number;
  seatsRemaining?: number;
  seatsTotal?: number;
}

/** One bucket: the free slots starting on one UTC day, and when Cal.com said so. */
export interface BucketEntry {
  /** ms since the epoch. */
  fetchedAt: number;
  slots: CachedSlot[];
}

export interface BucketResult {
  entry: BucketEntry;
  /** Older than the fresh TTL (a refresh is under way or failed). */
  stale: boolean;
}

/** Counters for metrics; all monotonic since start. */
export interface SlotCacheStats {
  /** `GET /v2/slots` calls made (foreground and background). */
  upstreamCalls: number;
  upstreamFailures: number;
  bucketHits: number;
  bucketStaleHits: number;
  bucketMisses: number;
  /** Buckets awaited because another request of this process was already resolving them. */
  coalescedWaits: number;
  /** Fetches skipped because another instance held the locks, and how many of those waits timed out. */
  remoteWaits: number;
  remoteWaitTimeouts: number;
  backgroundRefreshes: number;
  /** Count of fetched ranges by their length in days. */
  rangeDays: Record<number, number>;
  invalidatedBuckets: number;
}

export interface SlotCache {
  /**
   * Resolves the buckets of `days` (UTC `YYYY-MM-DD`) for one event type and duration
   * (`undefined` = the event type's default length). Per day: the bucket, or the Error that kept it
   * from being fetched (an `UpstreamError`, usually). Never rejects.
   */
  getBuckets(eventTypeId: number, duration: number | undefined, days: readonly string[]): Promise<Map<string, BucketResult | Error>>;
  /**
   * Deletes the buckets of every duration of `eventTypeId` for the UTC days `range` touches
   * (`[start, end)`; one or two days for a booking). Resolves to those days.
   */
  invalidate(eventTypeId: number, range: InstantRange): Promise<string[]>;
  stats(): SlotCacheStats;
  /** Resolves when no background refresh is running (tests; graceful shutdown). */
  settled(): Promise<void>;
  /** Waits for background refreshes, then stops listening for fills. The store stays open. */
  close(): Promise<void>;
}

/** Sets every key's lock to ARGV[1] for ARGV[2] ms where it is free; returns 1/0 per key. */
const acquireLocks: StoreScript<number[]> = {
  name: 'slotgraphAcquireLocks',
  lua: `local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'PX', ARGV[2], 'NX') then out[i] = 1 else out[i] = 0 end
end
return out`,
  local(ops, keys, [token, ttl]) {
    return keys.map((key) => {
      if (ops.get(key) !== null) return 0;
      ops.set(key, token!, Number(ttl));
      return 1;
    });
  },
};

/** Deletes the locks still held with token ARGV[1]. */
const releaseLocks: StoreScript<number> = {
  name: 'slotgraphReleaseLocks',
  lua: `local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key); n = n + 1 end
end
return n`,
  local(ops, keys, [token]) {
    let n = 0;
    for (const key of keys) if (ops.get(key) === token && ops.del(key)) n++;
    return n;
  },
};

/**
 * Writes one duration's entry into a day bucket (KEYS[1], a JSON object of JSON strings keyed by
 * duration), unless the tombstone KEYS[2] says the day was invalidated after the fetch began
 * (ARGV[4], ms). Entries stay strings inside so cjson never touches their numbers or empty arrays.
 */
const writeBucket: StoreScript<number> = {
  name: 'slotgraphWriteBucket',
  lua: `local tomb = redis.call('GET', KEYS[2])
if tomb and tonumber(tomb) >= tonumber(ARGV[4]) then return 0 end
local cur = redis.call('GET', KEYS[1])
local obj = {}
if cur then obj = cjson.decode(cur) end
obj[ARGV[1]] = ARGV[2]
redis.call('SET', KEYS[1], cjson.encode(obj), 'PX', ARGV[3])
return 1`,
  local(ops, [bucketKey, tombKey], [durationKey, entry, ttl, startedAt]) {
    const tomb = ops.get(tombKey!);
    if (tomb !== null && Number(tomb) >= Number(startedAt)) return 0;
    const cur = ops.get(bucketKey!);
    const obj = cur ? (JSON.parse(cur) as Record<string, string>) : {};
    obj[durationKey!] = entry!;
    ops.set(bucketKey!, JSON.stringify(obj), Number(ttl));
    return 1;
  },
};

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: Error): void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => {}); // a claim nobody else awaits must not become an unhandled rejection
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => {
      if (d.settled) return;
      d.settled = true;
      resolve(v);
    },
    reject: (e) => {
      if (d.settled) return;
      d.settled = true;
      reject(e);
    },
  };
  return d;
}

const utcDay = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toISODate()!;
const dayStart = (day: string) => DateTime.fromISO(day, { zone: 'utc' });

/** The UTC days an instant range `[start, end)` touches, in order. */
export function utcDaysOf(range: InstantRange): string[] {
  const last = Math.max(range.start.toMillis(), range.end.toMillis() - 1);
  return daysOf({ first: utcDay(range.start.toMillis()), last: utcDay(last) });
}

export function createSlotCache(options: SlotCacheOptions): SlotCache {
  const { store, calcom, credentialId, log } = options;
  const now = options.now ?? Date.now;
  const tuning: SlotCacheTuning = { ...DEFAULT_SLOT_CACHE_TUNING, ...options.tuning };
  const counters: SlotCacheStats = {
    upstreamCalls: 0,
    upstreamFailures: 0,
    bucketHits: 0,
    bucketStaleHits: 0,
    bucketMisses: 0,
    coalescedWaits: 0,
    remoteWaits: 0,
    remoteWaitTimeouts: 0,
    backgroundRefreshes: 0,
    rangeDays: {},
    invalidatedBuckets: 0,
  };

  const durationKey = (duration: number | undefined) => (duration === undefined ? 'default' : String(duration));
  const bucketKey = (eventTypeId: number, day: string) => `slots:${credentialId}:${eventTypeId}:${day}`;
  const tombKey = (eventTypeId: number, day: string) => `slots-inv:${credentialId}:${eventTypeId}:${day}`;
  const lockKey = (id: string) => `slots-lock:${credentialId}:${id}`;
  const bucketId = (eventTypeId: number, duration: number | undefined, day: string) => `${eventTypeId}:${durationKey(duration)}:${day}`;
  const filledChannel = `slots-filled:${credentialId}`;

  /** Buckets being resolved by this process, by bucket id. */
  const inflight = new Map<string, Deferred<BucketResult>>();
  /** Buckets a background refresh is running for, and the refreshes themselves. */
  const refreshing = new Set<string>();
  const refreshes = new Set<Promise<unknown>>();
  /** Local waiters for other instances' fills, by bucket id. */
  const fillWaiters = new Map<string, Set<() => void>>();
  let unsubscribe: Promise<() => Promise<void>> | undefined;

  function listenForFills() {
    unsubscribe ??= store.subscribe(filledChannel, (message) => {
      for (const id of JSON.parse(message) as string[]) {
        for (const wake of fillWaiters.get(id) ?? []) wake();
      }
    });
    return unsubscribe;
  }

  async function readBuckets(eventTypeId: number, duration: number | undefined, days: readonly string[]) {
    const out = new Map<string, BucketEntry>();
    const raws = await Promise.all(days.map((day) => store.get(bucketKey(eventTypeId, day))));
    days.forEach((day, i) => {
      const raw = raws[i];
      if (!raw) return;
      const inner = (JSON.parse(raw) as Record<string, string>)[durationKey(duration)];
      if (inner) out.set(day, JSON.parse(inner) as BucketEntry);
    });
    return out;
  }

  /** Fetches one range with one upstream call and writes every day of it. */
  async function fetchAndFill(eventTypeId: number, duration: number | undefined, range: DayRange): Promise<Map<string, BucketEntry>> {
    const startedAt = now();
    counters.upstreamCalls += 1;
    const span = rangeDays(range);
    counters.rangeDays[span] = (counters.rangeDays[span] ?? 0) + 1;
    const instantRange = { start: dayStart(range.first), end: dayStart(range.last).plus({ days: 1 }) };
    let slots;
    try {
      ({ slots } = await calcom.getSlots({ eventTypeId, range: instantRange, ...(duration !== undefined ? { duration } : {}) }));
    } catch (err) {
      counters.upstreamFailures += 1;
      throw err;
    }
    const fetchedAt = now();
    const byDay = new Map<string, BucketEntry>(daysOf(range).map((day) => [day, { fetchedAt, slots: [] }]));
    for (const slot of slots) {
      byDay.get(utcDay(slot.start.toMillis()))?.slots.push({
        start: slot.start.toMillis(),
        end: slot.end.toMillis(),
        ...(slot.seatsRemaining !== undefined ? { seatsRemaining: slot.seatsRemaining } : {}),
        ...(slot.seatsTotal !== undefined ? { seatsTotal: slot.seatsTotal } : {}),
      });
    }
    await Promise.all(
      [...byDay].map(([day, entry]) =>
        store.run(writeBucket, [bucketKey(eventTypeId, day), tombKey(eventTypeId, day)], [durationKey(duration), JSON.stringify(entry), tuning.maxAgeMs, startedAt]),
      ),
    );
    await store.publish(filledChannel, JSON.stringify([...byDay.keys()].map((day) => bucketId(eventTypeId, duration, day))));
    return byDay;
  }

  /** Waits until every id is announced as filled, or `lockWaitMs` passes; resolves true when all came. */
  async function waitForFills(ids: string[]): Promise<boolean> {
    await listenForFills();
    const pending = new Set(ids);
    return new Promise<boolean>((resolve) => {
      const wakers = new Map<string, () => void>();
      const done = (ok: boolean) => {
        clearTimeout(timer);
        for (const [id, wake] of wakers) fillWaiters.get(id)?.delete(wake);
        resolve(ok);
      };
      const timer = setTimeout(() => done(false), tuning.lockWaitMs);
      for (const id of ids) {
        const wake = () => {
          pending.delete(id);
          if (pending.size === 0) done(true);
        };
        wakers.set(id, wake);
        let set = fillWaiters.get(id);
        if (!set) fillWaiters.set(id, (set = new Set()));
        set.add(wake);
      }
    });
  }

  /**
   * Fetches one planned range for the claimed days in it, coalesced across instances:
   * - locks every day of the range that is free (one atomic script);
   * - when none of the claimed days could be locked, another fetch covers them: our locks are let go
   *   at once, and we wait for its fill announcement (at most `lockWaitMs`), then read the store;
   * - otherwise (or when the wait did not bring everything) we fetch the whole range in one call.
   * Days of the range nobody has claimed are claimed once we fetch, so requests arriving meanwhile wait.
   */
  async function fetchRange(eventTypeId: number, duration: number | undefined, range: DayRange, claims: Map<string, Deferred<BucketResult>>) {
    const days = daysOf(range);
    const token = randomUUID();
    const locks = days.map((day) => lockKey(bucketId(eventTypeId, duration, day)));
    const release = () => store.run(releaseLocks, locks, [token]).catch((err: unknown) => log.warn({ err }, 'releasing slot locks failed'));
    const extras = new Map<string, Deferred<BucketResult>>();
    const settle = (entries: Map<string, BucketEntry>) => {
      for (const [day, d] of [...claims, ...extras]) {
        const entry = entries.get(day);
        if (entry) d.resolve({ entry, stale: false });
      }
    };
    try {
      await listenForFills(); // subscribed before locking, so no fill announcement can slip by
      const acquired = await store.run(acquireLocks, locks, [token, tuning.lockTtlMs]);
      if (!days.some((day, i) => acquired[i] === 1 && claims.has(day))) {
        await release();
        counters.remoteWaits += 1;
        const wanted = [...claims.keys()];
        if (!(await waitForFills(wanted.map((day) => bucketId(eventTypeId, duration, day))))) counters.remoteWaitTimeouts += 1;
        const cached = await readBuckets(eventTypeId, duration, wanted);
        settle(cached);
        if (wanted.every((day) => cached.has(day))) return;
      }
      for (const day of days) {
        const id = bucketId(eventTypeId, duration, day);
        if (!claims.has(day) && !inflight.has(id)) {
          const d = deferred<BucketResult>();
          inflight.set(id, d);
          extras.set(day, d);
        }
      }
      settle(await fetchAndFill(eventTypeId, duration, range));
    } catch (err) {
      for (const d of [...claims.values(), ...extras.values()]) d.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      await release();
      for (const [day, d] of extras) {
        d.reject(new Error('slot bucket was not filled'));
        const id = bucketId(eventTypeId, duration, day);
        if (inflight.get(id) === d) inflight.delete(id);
      }
    }
  }

  function refreshInBackground(eventTypeId: number, duration: number | undefined, days: string[]) {
    const todo = days.filter((day) => !refreshing.has(bucketId(eventTypeId, duration, day)));
    if (todo.length === 0) return;
    for (const day of todo) refreshing.add(bucketId(eventTypeId, duration, day));
    counters.backgroundRefreshes += 1;
    // Runs at background priority once the quota scheduler exists.
    const refresh = Promise.all(planRanges(todo, tuning).map((range) => fetchAndFill(eventTypeId, duration, range)))
      .catch((err: unknown) => log.warn({ err: (err as Error).message, eventTypeId }, 'background slot refresh failed; serving stale data'))
      .finally(() => {
        for (const day of todo) refreshing.delete(bucketId(eventTypeId, duration, day));
        refreshes.delete(refresh);
      });
    refreshes.add(refresh);
  }

  /** Resolves claimed buckets: from the store when fresh or stale-but-usable, else by fetching. */
  async function resolveClaims(eventTypeId: number, duration: number | undefined, claims: Map<string, Deferred<BucketResult>>) {
    try {
      const days = [...claims.keys()];
      const cached = await readBuckets(eventTypeId, duration, days);
      const t = now();
      const missing: string[] = [];
      const stale: string[] = [];
      for (const day of days) {
        const entry = cached.get(day);
        const age = entry ? t - entry.fetchedAt : Infinity;
        if (entry && age <= tuning.freshTtlMs) {
          counters.bucketHits += 1;
          claims.get(day)!.resolve({ entry, stale: false });
        } else if (entry && age <= tuning.maxAgeMs) {
          counters.bucketStaleHits += 1;
          claims.get(day)!.resolve({ entry, stale: true });
          stale.push(day);
        } else {
          counters.bucketMisses += 1;
          missing.push(day);
        }
      }
      if (stale.length > 0) refreshInBackground(eventTypeId, duration, stale);
      if (missing.length > 0) {
        await Promise.all(
          planRanges(missing, tuning).map((range) => {
            const inRange = new Map(daysOf(range).filter((d) => claims.has(d) && missing.includes(d)).map((d) => [d, claims.get(d)!]));
            return fetchRange(eventTypeId, duration, range, inRange);
          }),
        );
      }
    } catch (err) {
      for (const d of claims.values()) d.reject(err instanceof Error ? err : new Error(String(err)));
    } finally {
      for (const [day, d] of claims) {
        d.reject(new Error('slot bucket was not resolved'));
        const id = bucketId(eventTypeId, duration, day);
        if (inflight.get(id) === d) inflight.delete(id);
      }
    }
  }

  return {
    async getBuckets(eventTypeId, duration, days) {
      const results = new Map<string, BucketResult | Error>();
      const waits: Array<Promise<void>> = [];
      const claims = new Map<string, Deferred<BucketResult>>();
      for (const day of new Set(days)) {
        const id = bucketId(eventTypeId, duration, day);
        let d = inflight.get(id);
        if (d) {
          counters.coalescedWaits += 1;
        } else {
          d = deferred<BucketResult>();
          inflight.set(id, d);
          claims.set(day, d);
        }
        waits.push(
          d.promise.then(
            (r) => void results.set(day, r),
            (e: Error) => void results.set(day, e),
          ),
        );
      }
      if (claims.size > 0) void resolveClaims(eventTypeId, duration, claims);
      await Promise.all(waits);
      return results;
    },

    async invalidate(eventTypeId, range) {
      const days = utcDaysOf(range);
      const t = now();
      await Promise.all(days.map((day) => store.set(tombKey(eventTypeId, day), String(t), { ttlMs: tuning.lockTtlMs })));
      counters.invalidatedBuckets += await store.del(...days.map((day) => bucketKey(eventTypeId, day)));
      return days;
    },

    stats: () => structuredClone(counters),

    async settled() {
      while (refreshes.size > 0) await Promise.all([...refreshes]);
    },

    async close() {
      await this.settled();
      if (unsubscribe) await (await unsubscribe)();
    },
  };
}
