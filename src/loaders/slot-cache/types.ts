/**
 * The slot cache's public shapes. Instants are UTC, in ms since the epoch; days are UTC calendar
 * days `YYYY-MM-DD` (the bucket unit, docs/calcom-contract.md#slot-window).
 */
import type { AnswerWitness } from '../../answer-cache.js';
import type { Logger } from '../../logger.js';
import type { CallOptions } from '../../quota/scheduler.js';
import type { Store } from '../../store/store.js';
import type { InstantRange } from '../../time.js';
import type { CalcomApi } from '../../upstream/scheduled-calcom.js';
import type { EventTypeDirectory } from '../event-types.js';
import { DEFAULT_PLANNER_OPTIONS, type PlannerOptions } from '../planner.js';

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

/** Fetch margin past a window's end without a `duration` (minutes): the longest `duration` accepted, one day. */
export const DEFAULT_MARGIN_MINUTES = 24 * 60;

export interface SlotCacheOptions {
  store: Store;
  /** Where slots come from: in the gateway, Cal.com through the quota scheduler. */
  calcom: Pick<CalcomApi, 'getSlots'> & Partial<Pick<CalcomApi, 'refusalFor'>>;
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

/** One slot read: an event type's free slots starting in an instant range. */
export interface SlotRequest {
  eventTypeId: number;
  /** Slot length in minutes; omitted = the event type's default length. */
  duration?: number;
  /** UTC instants `[start, end)`, ms since the epoch. */
  range: InstantRange;
  /** The grid zone Cal.com is asked in (`gridZoneOf` the caller's zone, src/time.ts). @default "UTC" */
  gridZone?: string;
}

export interface SlotResult {
  /** Free slots starting in the range, ascending; instants in ms since the epoch. Shared: read-only. */
  slots: CachedSlot[];
  /** When Cal.com produced the oldest part of this data (ms since the epoch). */
  fetchedAt: number;
  /** True when any part is older than the fresh TTL (served while, or because, a refresh failed). */
  stale: boolean;
}

/** How one batch of reads is made. */
export interface ReadOptions {
  /** Scheduling of the upstream calls a miss needs. */
  call?: CallOptions;
  /**
   * Oldest data accepted (ms since its fetch): older buckets are fetched now instead of served
   * stale. A re-poll passes its interval, so a window refreshed within it costs nothing.
   * @default the tuning's `maxAgeMs`
   */
  maxAgeMs?: number;
  /**
   * Told what the answer rests on (src/answer-cache.ts): when a read is served wholly from fresh
   * stored buckets, a check that they are still the same strings, and until when they are fresh;
   * otherwise that it cannot vouch.
   */
  witness?: AnswerWitness;
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

/** What an invalidation touched. */
export interface Invalidation {
  /** The event types whose buckets were deleted (the named one and every one sharing a host with it). */
  eventTypeIds: number[];
  /** The UTC days `YYYY-MM-DD` deleted for each of them. */
  days: string[];
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

export const newStats = (): SlotCacheStats => ({
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
});

export interface SlotCache {
  /**
   * Reads each request's slots (one set of buckets per event type, duration and grid, all started
   * in this tick, so the batch costs at most one widened `GET /v2/slots` call per variant). Per
   * request: its result, or the Error that kept a day of it from being read (an UpstreamError,
   * usually). Never rejects.
   */
  read(requests: readonly SlotRequest[], options?: ReadOptions): Promise<Array<SlotResult | Error>>;
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
