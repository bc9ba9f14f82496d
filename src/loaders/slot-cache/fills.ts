/**
 * Filling buckets from Cal.com: one `GET /v2/slots` call per planned range, coalesced across
 * instances by a short lock per bucket in the store and announcements on the store's pub/sub (a
 * fill, or a release of days the holder did not fill), so one instance fetches while the others
 * wait for it, at most `lockWaitMs`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../../logger.js';
import type { CallOptions } from '../../quota/scheduler.js';
import { acquireEachLockAndGet, releaseLocks } from '../../store/locks.js';
import type { Store } from '../../store/store.js';
import { UpstreamError } from '../../upstream/errors.js';
import { remembered404 } from '../event-types.js';
import { daysOf, rangeDays, rangeInstants, utcDayOf, type DayRange } from '../planner.js';
import type { StoredBuckets } from './buckets.js';
import { bucketId, type SlotKeys, type Variant } from './keys.js';
import { DEFAULT_MARGIN_MINUTES, type BucketEntry, type SlotCacheOptions, type SlotCacheStats, type SlotCacheTuning } from './types.js';

export interface FillerDeps {
  store: Store;
  keys: SlotKeys;
  buckets: StoredBuckets;
  calcom: SlotCacheOptions['calcom'];
  eventTypes: SlotCacheOptions['eventTypes'];
  counters: SlotCacheStats;
  tuning: SlotCacheTuning;
  now: () => number;
  log: Logger;
}

export function createFiller(deps: FillerDeps) {
  const { store, keys, buckets, calcom, eventTypes, counters, tuning, now, log } = deps;
  /** Local waiters for fill (or release) announcements of this or another instance, by bucket id. */
  const fillWaiters = new Map<string, Set<() => void>>();
  /** Writes of fetched buckets (and their announcements) still under way. */
  const storing = new Set<Promise<unknown>>();
  let subscription: Promise<() => Promise<void>> | undefined;

  function listenForFills() {
    subscription ??= store.subscribe(keys.filledChannel, (message) => {
      for (const id of JSON.parse(message) as string[]) {
        for (const wake of fillWaiters.get(id) ?? []) wake();
      }
    });
    return subscription;
  }
  const announce = (v: Variant, days: readonly string[]) => store.publish(keys.filledChannel, JSON.stringify(days.map((day) => bucketId(v, day))));

  /**
   * Minutes past the last day a fetch must reach: the variant's slot length; without a duration, a
   * day, or the event type's longest length when that is longer (multi-day event types).
   */
  async function marginMinutes(v: Variant): Promise<number> {
    if (v.duration !== undefined) return v.duration;
    return Math.max(DEFAULT_MARGIN_MINUTES, (await eventTypes?.hostsOf(v.eventTypeId))?.longestLengthMinutes ?? 0);
  }

  /** What a fetch needs to know first: a remembered 404, and the margin (minutes). */
  const prepare = (v: Variant) => Promise.all([eventTypes?.slotsMissing(v.eventTypeId), marginMinutes(v)]);

  /** Resolves once every fetched bucket is written and announced. */
  async function stored() {
    while (storing.size > 0) await Promise.all([...storing]);
  }

  /**
   * One upstream call for `range` (whole UTC days, plus the margin past its end); writes every day
   * of it (empty ones too), each slot in the bucket of the day it starts on, and announces the fill
   * (both after answering: {@link stored} waits for them).
   * A 404 is remembered by the directory, so the next ask costs no call.
   */
  async function fetchAndFill(v: Variant, range: DayRange, call: CallOptions, prepared: ReturnType<typeof prepare> = prepare(v)): Promise<Map<string, BucketEntry>> {
    const { eventTypeId, duration } = v;
    const [missing, margin] = await prepared;
    if (missing) throw remembered404(eventTypeId, 'slots');
    const startedAt = now();
    counters.upstreamCalls += 1;
    const span = rangeDays(range);
    counters.rangeDays[span] = (counters.rangeDays[span] ?? 0) + 1;
    let slots;
    try {
      ({ slots } = await calcom.getSlots(
        { eventTypeId, range: rangeInstants(range), marginMs: margin * 60_000, timeZone: v.gridZone, ...(duration !== undefined ? { duration } : {}) },
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
    for (const slot of slots) byDay.get(utcDayOf(slot.start))?.slots.push(slot);
    // The caller is answered from what came back; the store write goes out now (ahead of anything
    // this process sends next on the connection) and the waiters elsewhere are told once it landed.
    const stored = buckets
      .write(v, byDay, startedAt)
      .then(() => announce(v, [...byDay.keys()]))
      .catch((err: unknown) => log.warn({ err, eventTypeId }, 'storing or announcing filled slot buckets failed'))
      .finally(() => storing.delete(stored));
    storing.add(stored);
    return byDay;
  }

  /**
   * Starts noting announcements (filled or released) of these bucket ids, so none that comes while
   * this instance takes its locks or reads the store is missed. `until(ids)` resolves true once each
   * of `ids` has been announced since, false after `lockWaitMs`; `stop()` forgets them.
   */
  function watchFills(ids: readonly string[]) {
    const seen = new Set<string>();
    let onSeen: (() => void) | undefined;
    const wakers = new Map<string, () => void>();
    for (const id of ids) {
      const wake = () => {
        seen.add(id);
        onSeen?.();
      };
      wakers.set(id, wake);
      let set = fillWaiters.get(id);
      if (!set) fillWaiters.set(id, (set = new Set()));
      set.add(wake);
    }
    const stop = () => {
      for (const [id, wake] of wakers) {
        const set = fillWaiters.get(id);
        set?.delete(wake);
        if (set?.size === 0) fillWaiters.delete(id);
      }
      wakers.clear();
    };
    return {
      stop,
      until(wanted: readonly string[]): Promise<boolean> {
        return new Promise<boolean>((resolve) => {
          const done = (ok: boolean) => {
            clearTimeout(timer);
            onSeen = undefined;
            resolve(ok);
          };
          const timer = setTimeout(() => done(false), tuning.lockWaitMs);
          onSeen = () => wanted.every((id) => seen.has(id)) && done(true);
          onSeen();
        });
      },
    };
  }

  /**
   * Fills the missing `days` (those in `wanted` are needed now) with at most one call, coalesced
   * across instances: the free day locks are taken in one atomic script; the wanted days we got are
   * fetched (as one range over the days we hold); wanted days another instance holds are awaited
   * through its announcement (at most `lockWaitMs`, then fetched here after all).
   * @param freshMs how young a bucket another fetch wrote meanwhile must be to count as filled (ms)
   */
  async function fill(v: Variant, days: string[], wanted: ReadonlySet<string>, call: CallOptions, freshMs: number): Promise<Map<string, BucketEntry>> {
    const filled = new Map<string, BucketEntry>();
    const token = randomUUID();
    const locks = days.map((day) => keys.lock(v, day));
    await listenForFills(); // subscribed before locking, so no announcement can slip by
    // Watching from before the locks: an announcement that comes between our lock attempt and our
    // wait (the holder filled or gave up meanwhile) must wake us, not leave us waiting `lockWaitMs`.
    const watch = watchFills(days.filter((day) => wanted.has(day)).map((day) => bucketId(v, day)));
    // The locks, and in the same script the buckets (for the double-check below); meanwhile what the
    // fetch needs to know about the event type (store reads that do not depend on the locks).
    const prepared = prepare(v);
    prepared.catch(() => undefined); // awaited (and its failure met) only if we fetch
    const bucketKeys = buckets.keysOf(v, days);
    const acquired = await store.run(acquireEachLockAndGet, [...locks, ...bucketKeys], [token, tuning.lockTtlMs, locks.length]).catch((err: unknown) => {
      watch.stop();
      throw err;
    });
    const held = days.filter((_, i) => acquired[i] === 1);
    const others = days.filter((day, i) => acquired[i] !== 1 && wanted.has(day));
    /** Days whose fill this call announced (fetchAndFill does); the rest of `held` is announced as released. */
    const announced = new Set<string>();
    let releasing: Promise<void> | undefined;
    // Instances waiting for days we held but did not fill (our fetch failed or was refused, or we did
    // not need them) must not wait out `lockWaitMs`: they are told, read the store and fetch.
    const release = () =>
      (releasing ??= (async () => {
        if (held.length === 0) return;
        await store.run(releaseLocks, locks, [token]).catch((err: unknown) => log.warn({ err }, 'releasing slot locks failed'));
        const released = held.filter((day) => !announced.has(day));
        if (released.length > 0) await announce(v, released).catch((err: unknown) => log.warn({ err }, 'announcing released slot locks failed'));
      })());
    try {
      // Our days cannot be fetched before the caller's deadline (the quota says so without asking):
      // refuse now, before reading or preparing anything more (`release` lets waiters go).
      const refusal = held.some((day) => wanted.has(day)) ? calcom.refusalFor?.(call) : undefined;
      if (refusal) throw refusal;
      // Double-checked: another fetch may have filled and unlocked these days since our store read
      // (the values the lock script read as it took them).
      const heldAt = days.flatMap((_, i) => (acquired[i] === 1 ? [i] : []));
      const heldRaws = heldAt.map((i) => acquired[locks.length + i] as string | null);
      const meanwhile = buckets.decodeRead(v, held, heldAt.map((i) => bucketKeys[i]!), heldRaws).entries;
      for (const [day, entry] of meanwhile) if (now() - entry.fetchedAt <= freshMs) filled.set(day, entry);
      const mine = held.filter((day) => !filled.has(day));
      const waiting = others.length > 0 ? watch.until(others.map((day) => bucketId(v, day))) : Promise.resolve(true);
      if (mine.some((day) => wanted.has(day))) {
        for (const [day, entry] of await fetchAndFill(v, { first: mine[0]!, last: mine.at(-1)! }, call, prepared)) {
          filled.set(day, entry);
          announced.add(day);
        }
      } else {
        void release(); // nothing of ours to fetch: let others have the days now
      }
      if (others.length > 0) {
        counters.remoteWaits += 1;
        if (!(await waiting)) counters.remoteWaitTimeouts += 1;
        const { entries: cached } = await buckets.read(v, others);
        for (const [day, entry] of cached) filled.set(day, entry);
        const stillMissing = others.filter((day) => !cached.has(day));
        if (stillMissing.length > 0) {
          for (const [day, entry] of await fetchAndFill(v, { first: stillMissing[0]!, last: stillMissing.at(-1)! }, call, prepared)) filled.set(day, entry);
        }
      }
      return filled;
    } finally {
      watch.stop();
      // Not awaited: the caller's answer does not wait for the unlock; a later lock attempt of this
      // process goes out after it on the same connection.
      void release();
    }
  }

  return {
    fetchAndFill,
    fill,
    stored,
    /** Lets the writes under way land, then stops listening for announcements. */
    async close() {
      await stored();
      if (subscription) await (await subscription)();
    },
  };
}
export type Filler = ReturnType<typeof createFiller>;
