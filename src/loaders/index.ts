/**
 * Per-request DataLoaders: created for each GraphQL request (never shared between requests), so one
 * request asking twice for the same thing makes one upstream call.
 *
 * The slot loader collects every slot window the resolvers of one request ask for in the same tick
 * (DataLoader's batch; `batchWindowMs` can widen that, default 0 = the tick only, since each
 * millisecond of window is latency every caller pays, dataloader#58), turns them into UTC-day
 * buckets and resolves them through the shared slot cache in one go, so the whole batch costs at
 * most one widened `GET /v2/slots` call per event type and duration.
 */
import DataLoader from 'dataloader';
import type { AnswerWitness } from '../answer-cache.js';
import type { GatewayServices } from '../context.js';
import type { CallOptions } from '../quota/scheduler.js';
import type { InstantRange } from '../time.js';
import type { UpstreamEventType } from '../upstream/calcom-client.js';
import { utcDaysOf, type BucketResult, type CachedSlot, type SlotCache } from './slot-cache.js';

export interface SlotRequest {
  eventTypeId: number;
  /** Slot length in minutes; omitted = the event type's default length. */
  duration?: number;
  /** UTC instants `[start, end)`. */
  range: InstantRange;
  /** The grid zone Cal.com is asked in ({@link gridZoneOf} of the caller's zone). @default "UTC" */
  gridZone?: string;
}

export interface SlotResult {
  /** Free slots starting in the range, ascending; instants in ms since the epoch. */
  slots: CachedSlot[];
  /** When Cal.com produced the oldest part of this data (ms since the epoch). */
  fetchedAt: number;
  /** True when any part is older than the fresh TTL (served while, or because, a refresh failed). */
  stale: boolean;
}

export interface RequestLoaders {
  eventType: DataLoader<number, UpstreamEventType>;
  slots: DataLoader<SlotRequest, SlotResult, string>;
}

export interface RequestLoaderOptions {
  /** Extra time (ms) the slot loader waits to collect a batch; 0 = only the current tick. @default 0 */
  batchWindowMs?: number;
  /** Oldest slot data these loaders accept (ms); older is fetched now (see BucketOptions.maxAgeMs). */
  maxAgeMs?: number;
}

const variantOf = (r: SlotRequest) => `${r.eventTypeId}|${r.duration ?? ''}|${r.gridZone ?? 'UTC'}`;
const slotKey = (r: SlotRequest) => `${variantOf(r)}|${r.range.start.toMillis()}|${r.range.end.toMillis()}`;

/** Joins the buckets of one request's days into its result, or the first error among them. */
function assemble(request: SlotRequest, buckets: Map<string, BucketResult | Error>): SlotResult | Error {
  const startMs = request.range.start.toMillis();
  const endMs = request.range.end.toMillis();
  const slots: CachedSlot[] = [];
  let fetchedAt = Infinity;
  let stale = false;
  for (const day of utcDaysOf(request.range)) {
    const bucket = buckets.get(day);
    if (!bucket) return new Error(`slot bucket ${day} missing`);
    if (bucket instanceof Error) return bucket;
    fetchedAt = Math.min(fetchedAt, bucket.entry.fetchedAt);
    stale ||= bucket.stale;
    for (const slot of bucket.entry.slots) if (slot.start >= startMs && slot.start < endMs) slots.push(slot);
  }
  return { slots, fetchedAt, stale };
}

/**
 * One slot request straight through the shared slot cache, outside any GraphQL request's batch (the
 * booking service's alternatives after a refusal, at its own priority).
 * @throws the first bucket's Error (an UpstreamError, usually)
 */
export async function loadSlots(slotCache: SlotCache, request: SlotRequest, call: CallOptions = {}): Promise<SlotResult> {
  const buckets = await slotCache.getBuckets(request.eventTypeId, request.duration, utcDaysOf(request.range), { call, gridZone: request.gridZone ?? 'UTC' });
  const result = assemble(request, buckets);
  if (result instanceof Error) throw result;
  return result;
}

/**
 * @param call this request's scheduling (read when a batch is dispatched, so the priority plugin
 * may still set it after the loaders are made).
 * @param witness records what the request's slot reads were answered from (src/answer-cache.ts).
 */
export function createRequestLoaders(services: GatewayServices, options: RequestLoaderOptions = {}, call: CallOptions = {}, witness?: AnswerWitness): RequestLoaders {
  const { eventTypes, slotCache } = services;

  const eventType = new DataLoader<number, UpstreamEventType>(async (ids) =>
    Promise.all(ids.map((id) => eventTypes.get(id, call).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err)))))),
  );

  const slots = new DataLoader<SlotRequest, SlotResult, string>(
    async (requests) => {
      // One bucket set per (event type, duration); all getBuckets calls start in this tick, so their
      // claims are registered before any other request's batch can look.
      const groups = new Map<string, { request: SlotRequest; days: Set<string> }>();
      for (const r of requests) {
        const key = variantOf(r);
        let group = groups.get(key);
        if (!group) groups.set(key, (group = { request: r, days: new Set() }));
        for (const day of utcDaysOf(r.range)) group.days.add(day);
      }
      const resolved = new Map(
        [...groups].map(([key, { request: r, days }]) => [
          key,
          slotCache.getBuckets(r.eventTypeId, r.duration, [...days], {
            call,
            gridZone: r.gridZone ?? 'UTC',
            ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
            ...(witness ? { witness } : {}),
          }),
        ] as const),
      );
      return Promise.all(requests.map(async (r) => assemble(r, await resolved.get(variantOf(r))!)));
    },
    {
      cacheKeyFn: slotKey,
      ...(options.batchWindowMs ? { batchScheduleFn: (run: () => void) => setTimeout(run, options.batchWindowMs) } : {}),
    },
  );

  return { eventType, slots };
}
