/**
 * The slot cache: Cal.com's free slots kept per (credential, event type, duration, grid zone, UTC
 * day) bucket. Slot instants do not depend on the caller's zone except through the grid Cal.com
 * rounds in the request's zone (docs/calcom-contract.md#slot-grid): every zone with whole-hour
 * offsets shares the `UTC` grid, so callers in Berlin, New York and Tokyo share one upstream call;
 * a Kolkata caller gets the Kolkata grid, as Cal.com's booking page would give it.
 *
 * - **Windows**: a fetch asks for whole UTC days plus a margin of the longest slot length past the
 *   last one, since Cal.com only offers slots that END inside the window; each slot is kept in the
 *   bucket of the UTC day it starts on, so a slot running across 00:00 UTC is never lost. Days
 *   wholly in the past are answered empty without a call; widening never reaches past them, nor
 *   beyond Cal.com's one-year horizon.
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
import type { AnswerWitness } from '../answer-cache.js';
import type { Logger } from '../logger.js';
import { acquireEachLock, releaseLocks } from '../store/locks.js';
import type { Store, StoreScript } from '../store/store.js';
import { addDays, HORIZON_DAYS, type InstantRange } from '../time.js';
import type { CallOptions } from '../quota/scheduler.js';
import type { CalcomApi } from '../upstream/scheduled-calcom.js';
import { UpstreamError } from '../upstream/errors.js';
import { remembered404, type EventTypeDirectory } from './event-types.js';
import {
  daysOf,
  DEFAULT_PLANNER_OPTIONS,
  planRanges,
  rangeDays,
  rangeInstants,
  utcDayOf,
  type DayRange,
  type PlannerOptions,
} from './planner.js';

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
  /** Where slots come from: in the gateway, Cal.com through the quota scheduler. */
  calcom: Pick<CalcomApi, 'getSlots'>;
  /** Namespaces every key: one tenant never sees or invalidates another's buckets. */
  credentialId: string;
  log: Logger;
  /** Clock in ms since the epoch. @default Date.now */
  now?: () => number;
  tuning?: Partial<SlotCacheTuning>;
  /**
   * The event type directory: slot lengths (for the fetch margin), hosts (invalidation of every
   * event type of a host), remembered 404s. Without it the margin is {@link DEFAULT_MARGIN_MINUTES}
   * and invalidation touches the named event type only.
   */
  eventTypes?: Pick<EventTypeDirectory, 'hostsOf' | 'learn' | 'related' | 'ofHosts' | 'markSlotsMissing' | 'slotsMissing'>;
}

/** Fetch margin past a window's end without a `duration` (minutes): the longest `duration` accepted, one day. */
export const DEFAULT_MARGIN_MINUTES = 24 * 60;

/** Days after today (UTC) that widening may reach: the answered horizon plus a day for zones behind UTC. */
const WIDEN_HORIZON_DAYS = HORIZON_DAYS + 1;
/** Decoded day buckets kept per process (see `readBuckets`): about 8 KiB each for a busy day. */
const DECODED_BUCKETS_MAX = 2048;

/** Which variant of an event type's slots a bucket holds. */
export interface BucketOptions {
  call?: CallOptions;
  /**
   * The `timeZone` Cal.com rounds the grid in ({@link gridZoneOf} of the caller's zone).
   * @default "UTC"
   */
  gridZone?: string;
  /**
   * Oldest data this read accepts (ms since its fetch): older buckets are fetched now instead of
   * served stale. A re-poll passes its interval, so a window refreshed within it costs nothing.
   * @default the tuning's `maxAgeMs`
   */
  maxAgeMs?: number;
  /**
   * Told what the answer rests on: when every day is served from fresh stored buckets, a check that
   * they are still the same strings (and their fresh-until instant); otherwise that it cannot vouch.
   */
  witness?: AnswerWitness;
}

/** What an invalidation touched. */
export interface Invalidation {
  /** The event types whose buckets were deleted (the named one and every one sharing a host with it). */
  eventTypeIds: number[];
  /** The UTC days `YYYY-MM-DD` deleted for each of them. */
  days: string[];
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
  /** `GET /v2/slots` calls asked of the quota scheduler (foreground and background). */
  upstreamCalls: number;
  /** Of those, the ones that failed (upstream error, quota deadline, open breaker). */
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
   * Resolves the buckets of `days` (UTC `YYYY-MM-DD`) for one event type, duration (`undefined` =
   * the event type's default length) and grid zone. Per day: the bucket, or the Error that kept it
   * from being fetched (an `UpstreamError`, usually). Days before today (UTC) are empty buckets and
   * cost nothing. Never rejects.
   */
  getBuckets(eventTypeId: number, duration: number | undefined, days: readonly string[], options?: BucketOptions): Promise<Map<string, BucketResult | Error>>;
  /**
   * Deletes the buckets of every duration and grid of `eventTypeId`, and of every event type known
   * to share a host with it (Cal.com's busy time is per host), for the UTC days `range` touches
   * (`[start, end)`; one or two days for a booking).
   */
  invalidate(eventTypeId: number, range: InstantRange): Promise<Invalidation>;
  /** As {@link invalidate}, for every event type known to have any of these hosts (Cal.com user ids). */
  invalidateHosts(userIds: readonly number[], range: InstantRange): Promise<Invalidation>;
  /**
   * Re-reads from Cal.com (priority `background`) every variant cached now for these event types and
   * UTC days, replacing what is cached, and says where the slots differ from what was cached: for
   * a change Cal.com's reads did not show yet when it was announced (a webhook that outran them).
   * Days nobody has read since their last invalidation are not fetched.
   */
  revalidate(eventTypeIds: readonly number[], days: readonly string[]): Promise<Array<{ eventTypeId: number; days: string[] }>>;
  stats(): SlotCacheStats;
  /** Resolves when no background refresh is running (tests; graceful shutdown). */
  settled(): Promise<void>;
  /** Waits for background refreshes, then stops listening for fills. The store stays open. */
  close(): Promise<void>;
}

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


/** The UTC days an instant range `[start, end)` touches, in order. */
export function utcDaysOf(range: InstantRange): readonly string[] {
  const startMs = range.start.toMillis();
  const endMs = range.end.toMillis();
  const key = `${startMs}|${endMs}`;
  let days = utcDaysMemo.get(key);
  if (!days) {
    days = Object.freeze(daysOf({ first: utcDayOf(startMs), last: utcDayOf(Math.max(startMs, endMs - 1)) }));
    if (utcDaysMemo.size >= 1024) utcDaysMemo.clear();
    utcDaysMemo.set(key, days);
  }
  return days;
}
/** The days of recently asked ranges (a warm request asks the same window again). */
const utcDaysMemo = new Map<string, readonly string[]>();

export function createSlotCache(options: SlotCacheOptions): SlotCache {
  const { store, calcom, credentialId, log, eventTypes } = options;
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

  /** One variant of an event type's slots: its duration and the grid zone Cal.com rounds in. */
  interface Variant {
    eventTypeId: number;
    duration: number | undefined;
    gridZone: string;
  }
  const variantKey = (v: Variant) => `${v.duration === undefined ? 'default' : String(v.duration)}@${v.gridZone}`;
  const bucketKey = (eventTypeId: number, day: string) => `slots:${credentialId}:${eventTypeId}:${day}`;
  const tombKey = (eventTypeId: number, day: string) => `slots-inv:${credentialId}:${eventTypeId}:${day}`;
  const lockKey = (id: string) => `slots-lock:${credentialId}:${id}`;
  const bucketId = (v: Variant, day: string) => `${v.eventTypeId}:${variantKey(v)}:${day}`;
  const filledChannel = `slots-filled:${credentialId}`;

  /**
   * Buckets some request of this process is resolving, by bucket id. A claim settles with the
   * bucket, with an Error, or with null: "not filled after all (a neighbour's widening), claim again".
   */
  const inflight = new Map<string, Deferred<BucketResult | null>>();
  /** Buckets a background refresh is running for, and the refreshes themselves. */
  const refreshing = new Set<string>();
  const refreshes = new Set<Promise<unknown>>();
  /** Local waiters for fill announcements (this or another instance), by bucket id. */
  const fillWaiters = new Map<string, Set<() => void>>();
  let subscription: Promise<() => Promise<void>> | undefined;

  function listenForFills() {
    subscription ??= store.subscribe(filledChannel, (message) => {
      for (const id of JSON.parse(message) as string[]) {
        for (const wake of fillWaiters.get(id) ?? []) wake();
      }
    });
    return subscription;
  }

  /**
   * Decoded buckets by store key, each with the raw value it was decoded from: a warm read compares
   * the stored string (the same reference for the in-process store, equal content for Redis) and
   * parses nothing. Bounded; the oldest decoded key goes first. Entries are shared: read-only.
   */
  const decoded = new Map<string, { raw: string; variants: Map<string, BucketEntry | null> }>();
  function decode(storeKey: string, raw: string, variant: string): BucketEntry | undefined {
    let d = decoded.get(storeKey);
    if (!d || d.raw !== raw) {
      decoded.delete(storeKey);
      if (decoded.size >= DECODED_BUCKETS_MAX) decoded.delete(decoded.keys().next().value!);
      d = { raw, variants: new Map() };
      decoded.set(storeKey, d);
    }
    let entry = d.variants.get(variant);
    if (entry === undefined) {
      const inner = (JSON.parse(raw) as Record<string, string>)[variant];
      entry = inner ? (JSON.parse(inner) as BucketEntry) : null;
      d.variants.set(variant, entry);
    }
    return entry ?? undefined;
  }

  async function readBuckets(v: Variant, days: readonly string[]) {
    return (await readRawBuckets(v, days)).entries;
  }

  /** The day buckets of one variant, and the store keys and strings they were decoded from. */
  async function readRawBuckets(v: Variant, days: readonly string[]) {
    const entries = new Map<string, BucketEntry>();
    const keys = days.map((day) => bucketKey(v.eventTypeId, day));
    const raws = await Promise.all(keys.map((k) => store.get(k)));
    const variant = variantKey(v);
    days.forEach((day, i) => {
      const raw = raws[i];
      if (!raw) return;
      const entry = decode(keys[i]!, raw, variant);
      if (entry) entries.set(day, entry);
    });
    return { entries, keys, raws };
  }

  /**
   * A witness check: the store still holds exactly these strings under these keys (so the answer
   * built from them stands). Counted as bucket hits when it passes, as a warm read would be.
   */
  const unchanged = (keys: readonly string[], raws: ReadonlyArray<string | null>) => async () => {
    const now = await Promise.all(keys.map((k) => store.get(k)));
    const same = now.every((raw, i) => raw === raws[i]);
    if (same) counters.bucketHits += keys.length;
    return same;
  };

  /**
   * Minutes past the last day a fetch must reach: the variant's slot length; without a duration, a
   * day, or the event type's longest length when that is longer (multi-day event types).
   */
  async function marginMinutes(v: Variant): Promise<number> {
    if (v.duration !== undefined) return v.duration;
    return Math.max(DEFAULT_MARGIN_MINUTES, (await eventTypes?.hostsOf(v.eventTypeId))?.longestLengthMinutes ?? 0);
  }

  /**
   * One upstream call for `range` (whole UTC days, plus the margin past its end); writes every day
   * of it (empty ones too), each slot in the bucket of the day it starts on, and announces the fill.
   * A 404 is remembered by the directory, so the next ask costs no call.
   */
  async function fetchAndFill(v: Variant, range: DayRange, call: CallOptions): Promise<Map<string, BucketEntry>> {
    const { eventTypeId, duration } = v;
    if (await eventTypes?.slotsMissing(eventTypeId)) throw remembered404(eventTypeId, 'slots');
    const startedAt = now();
    counters.upstreamCalls += 1;
    const span = rangeDays(range);
    counters.rangeDays[span] = (counters.rangeDays[span] ?? 0) + 1;
    const instantRange = rangeInstants(range);
    let slots;
    try {
      ({ slots } = await calcom.getSlots(
        {
          eventTypeId,
          range: instantRange,
          marginMs: (await marginMinutes(v)) * 60_000,
          timeZone: v.gridZone,
          ...(duration !== undefined ? { duration } : {}),
        },
        call,
      ));
    } catch (err) {
      counters.upstreamFailures += 1;
      if (err instanceof UpstreamError && err.status === 404) await eventTypes?.markSlotsMissing(eventTypeId);
      throw err;
    }
    // After the caller's call, never before it: learning the hosts is background work.
    eventTypes?.learn(eventTypeId);
    const fetchedAt = now();
    const byDay = new Map<string, BucketEntry>(daysOf(range).map((day) => [day, { fetchedAt, slots: [] }]));
    for (const slot of slots) {
      byDay.get(utcDayOf(slot.start))?.slots.push({
        start: slot.start,
        end: slot.end,
        ...(slot.seatsRemaining !== undefined ? { seatsRemaining: slot.seatsRemaining } : {}),
        ...(slot.seatsTotal !== undefined ? { seatsTotal: slot.seatsTotal } : {}),
      });
    }
    const key = variantKey(v);
    await Promise.all(
      [...byDay].map(([day, entry]) =>
        store.run(writeBucket, [bucketKey(eventTypeId, day), tombKey(eventTypeId, day)], [key, JSON.stringify(entry), tuning.maxAgeMs, startedAt]),
      ),
    );
    await store.publish(filledChannel, JSON.stringify([...byDay.keys()].map((day) => bucketId(v, day))));
    return byDay;
  }

  /** Resolves true once every id has been announced as filled, false after `lockWaitMs`. */
  function waitForFills(ids: string[]): Promise<boolean> {
    const pending = new Set(ids);
    return new Promise<boolean>((resolve) => {
      const wakers = new Map<string, () => void>();
      const done = (ok: boolean) => {
        clearTimeout(timer);
        for (const [id, wake] of wakers) {
          const set = fillWaiters.get(id);
          set?.delete(wake);
          if (set?.size === 0) fillWaiters.delete(id);
        }
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
   * Fills the missing `days` (those in `wanted` are needed now) with at most one call, coalesced
   * across instances: the free day locks are taken in one atomic script; the wanted days we got are
   * fetched (as one range over the days we hold); wanted days another instance holds are awaited
   * through its fill announcement (at most `lockWaitMs`, then fetched here after all).
   */
  async function fill(v: Variant, days: string[], wanted: Set<string>, call: CallOptions, freshMs: number): Promise<Map<string, BucketEntry>> {
    const filled = new Map<string, BucketEntry>();
    const token = randomUUID();
    const locks = days.map((day) => lockKey(bucketId(v, day)));
    await listenForFills(); // subscribed before locking, so no announcement can slip by
    const acquired = await store.run(acquireEachLock, locks, [token, tuning.lockTtlMs]);
    const held = days.filter((_, i) => acquired[i] === 1);
    let mine = held;
    const others = days.filter((day, i) => acquired[i] !== 1 && wanted.has(day));
    /** Days whose fill this call announced (fetchAndFill does); the rest of `held` is announced as released. */
    const announced = new Set<string>();
    try {
      // Double-checked: another fetch may have filled and unlocked these days since our store read.
      const meanwhile = await readBuckets(v, mine);
      for (const [day, entry] of meanwhile) if (now() - entry.fetchedAt <= freshMs) filled.set(day, entry);
      mine = mine.filter((day) => !filled.has(day));
      const waiting = others.length > 0 ? waitForFills(others.map((day) => bucketId(v, day))) : Promise.resolve(true);
      if (mine.some((day) => wanted.has(day))) {
        const range = { first: mine[0]!, last: mine.at(-1)! };
        for (const [day, entry] of await fetchAndFill(v, range, call)) {
          filled.set(day, entry);
          announced.add(day);
        }
      } else {
        await store.run(releaseLocks, locks, [token]); // nothing of ours to fetch: let others have the days
      }
      if (others.length > 0) {
        counters.remoteWaits += 1;
        if (!(await waiting)) counters.remoteWaitTimeouts += 1;
        const cached = await readBuckets(v, others);
        for (const [day, entry] of cached) filled.set(day, entry);
        const stillMissing = others.filter((day) => !cached.has(day));
        if (stillMissing.length > 0) {
          for (const [day, entry] of await fetchAndFill(v, { first: stillMissing[0]!, last: stillMissing.at(-1)! }, call)) {
            filled.set(day, entry);
          }
        }
      }
      return filled;
    } finally {
      await store.run(releaseLocks, locks, [token]).catch((err: unknown) => log.warn({ err }, 'releasing slot locks failed'));
      // Instances waiting for days we held but did not fill (our fetch failed or was refused, or we
      // did not need them) must not wait out `lockWaitMs`: they are told, read the store and fetch.
      const released = held.filter((day) => !announced.has(day));
      if (released.length > 0) {
        await store.publish(filledChannel, JSON.stringify(released.map((day) => bucketId(v, day)))).catch((err: unknown) => log.warn({ err }, 'announcing released slot locks failed'));
      }
    }
  }

  function refreshInBackground(v: Variant, days: string[]) {
    const todo = days.filter((day) => !refreshing.has(bucketId(v, day)));
    if (todo.length === 0) return;
    for (const day of todo) refreshing.add(bucketId(v, day));
    counters.backgroundRefreshes += 1;
    const refresh = Promise.all(
      planRanges(todo, { ...tuning, minWindowDays: 1 }).map((range) => fetchAndFill(v, range, { priority: 'background' })),
    )
      .catch((err: unknown) => log.warn({ err: (err as Error).message, eventTypeId: v.eventTypeId }, 'background slot refresh failed; serving stale data'))
      .finally(() => {
        for (const day of todo) refreshing.delete(bucketId(v, day));
        refreshes.delete(refresh);
      });
    refreshes.add(refresh);
  }

  /**
   * Resolves the claimed days of one planned range: from the store when fresh (or stale but within
   * the max age, refreshed in the background), else by {@link fill}. When every wanted day is in the
   * store, the widened days that are not are left unfetched (settled null) rather than spending a call.
   */
  async function resolveRange(v: Variant, claims: Map<string, Deferred<BucketResult | null>>, wanted: Set<string>, call: CallOptions, maxAgeMs: number) {
    try {
      const days = [...claims.keys()];
      const cached = await readBuckets(v, days);
      const t = now();
      const missing: string[] = [];
      const stale: string[] = [];
      for (const day of days) {
        const entry = cached.get(day);
        const age = entry ? t - entry.fetchedAt : Infinity;
        if (entry && age <= Math.min(tuning.freshTtlMs, maxAgeMs)) {
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
        const filled = await fill(v, missing, wanted, call, Math.min(tuning.freshTtlMs, maxAgeMs));
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
  function claim(v: Variant, days: string[], call: CallOptions, maxAgeMs: number): Map<string, Promise<BucketResult | null>> {
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
      void resolveRange(v, claims, new Set([...claims.keys()].filter((day) => wanted.has(day))), call, maxAgeMs);
    }
    return out;
  }

  async function invalidateEventTypes(ids: readonly number[], range: InstantRange): Promise<Invalidation> {
    return invalidateDays(ids, utcDaysOf(range));
  }

  async function invalidateDays(ids: readonly number[], days: readonly string[]): Promise<Invalidation> {
    const t = now();
    const eventTypeIds = [...new Set(ids)];
    const pairs = eventTypeIds.flatMap((id) => days.map((day) => [id, day] as const));
    await Promise.all(pairs.map(([id, day]) => store.set(tombKey(id, day), String(t), { ttlMs: tuning.lockTtlMs })));
    if (pairs.length > 0) counters.invalidatedBuckets += await store.del(...pairs.map(([id, day]) => bucketKey(id, day)));
    return { eventTypeIds, days: [...days] };
  }

  return {
    async getBuckets(eventTypeId, duration, days, options = {}) {
      const call = options.call ?? {};
      const v: Variant = { eventTypeId, duration, gridZone: options.gridZone ?? 'UTC' };
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
      // this process is resolving one, that is the answer; otherwise the claims below decide.
      if (pending.length > 0 && pending.every((day) => !inflight.has(bucketId(v, day)))) {
        const { entries: cached, keys, raws } = await readRawBuckets(v, pending);
        const t = now();
        const freshMs = Math.min(tuning.freshTtlMs, maxAgeMs);
        let oldest = Infinity;
        if (pending.every((day) => { const e = cached.get(day); if (e) oldest = Math.min(oldest, e.fetchedAt); return e !== undefined && t - e.fetchedAt <= freshMs; })) {
          for (const day of pending) results.set(day, { entry: cached.get(day)!, stale: false });
          counters.bucketHits += pending.length;
          options.witness?.depend(unchanged(keys, raws), oldest + freshMs + 1);
          return results;
        }
      }
      if (pending.length > 0) options.witness?.spoil();
      // A day can come back unresolved (null) when the claim it waited on was only a widening that
      // was not fetched; claiming again then fetches it. Bounded, so nothing can spin.
      for (let round = 0; pending.length > 0 && round < 3; round++) {
        const promises = claim(v, pending, call, maxAgeMs);
        const next: string[] = [];
        await Promise.all(
          pending.map(async (day) => {
            try {
              const result = await promises.get(day)!;
              if (result) results.set(day, result);
              else next.push(day);
            } catch (err) {
              // Another request's cancelled fetch is not our failure: claim the day again.
              if ((err as Error)?.name === 'AbortError' && !call.signal?.aborted) next.push(day);
              else results.set(day, err instanceof Error ? err : new Error(String(err)));
            }
          }),
        );
        pending = next;
      }
      for (const day of pending) results.set(day, new Error(`slot bucket ${day} could not be resolved`));
      return results;
    },

    async invalidate(eventTypeId, range) {
      return invalidateEventTypes(eventTypes ? await eventTypes.related(eventTypeId) : [eventTypeId], range);
    },

    async invalidateHosts(userIds, range) {
      return invalidateEventTypes(eventTypes ? await eventTypes.ofHosts(userIds) : [], range);
    },

    async revalidate(eventTypeIds, days) {
      const changed: Array<{ eventTypeId: number; days: string[] }> = [];
      for (const eventTypeId of new Set(eventTypeIds)) {
        // Every variant (duration × grid zone) cached now, with its entries per day.
        const cached = new Map<string, Map<string, BucketEntry>>();
        const raws = await Promise.all(days.map((day) => store.get(bucketKey(eventTypeId, day))));
        days.forEach((day, i) => {
          if (!raws[i]) return;
          for (const [key, inner] of Object.entries(JSON.parse(raws[i]!) as Record<string, string>)) {
            let byDay = cached.get(key);
            if (!byDay) cached.set(key, (byDay = new Map()));
            byDay.set(day, JSON.parse(inner) as BucketEntry);
          }
        });
        if (cached.size === 0) continue;
        await invalidateDays([eventTypeId], [...new Set([...cached.values()].flatMap((byDay) => [...byDay.keys()]))]);
        const differ = new Set<string>();
        for (const [key, byDay] of cached) {
          const [durationPart, gridZone] = key.split('@') as [string, string];
          const duration = durationPart === 'default' ? undefined : Number(durationPart);
          const fresh = await this.getBuckets(eventTypeId, duration, [...byDay.keys()], { call: { priority: 'background' }, gridZone });
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
      while (refreshes.size > 0) await Promise.all([...refreshes]);
    },

    async close() {
      await this.settled();
      if (subscription) await (await subscription)();
    },
  };
}
