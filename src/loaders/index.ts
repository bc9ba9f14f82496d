/**
 * Per-request DataLoaders: created for each GraphQL request (never shared between requests), so one
 * request asking twice for the same thing makes one upstream call.
 *
 * The slot loader collects every slot window the resolvers of one request ask for in the same tick
 * (DataLoader's batch; `batchWindowMs` can widen that, default 0 = the tick only, since each
 * millisecond of window is latency every caller pays, dataloader#58) and reads them through the
 * shared slot cache in one go ({@link SlotCache.read}), so the whole batch costs at most one widened
 * `GET /v2/slots` call per event type and duration.
 */
import DataLoader from 'dataloader';
import type { AnswerWitness } from '../answer-cache.js';
import type { GatewayServices } from '../context.js';
import type { CallOptions } from '../quota/scheduler.js';
import type { UpstreamEventType } from '../upstream/calcom-client.js';
import type { SlotCache, SlotRequest, SlotResult } from './slot-cache/index.js';

export type { SlotRequest, SlotResult } from './slot-cache/index.js';

export interface RequestLoaders {
  eventType: DataLoader<number, UpstreamEventType>;
  slots: DataLoader<SlotRequest, SlotResult, string>;
}

export interface RequestLoaderOptions {
  /** Extra time (ms) the slot loader waits to collect a batch; 0 = only the current tick. @default 0 */
  batchWindowMs?: number;
  /** Oldest slot data these loaders accept (ms); older is fetched now (see ReadOptions.maxAgeMs). */
  maxAgeMs?: number;
}

const slotKey = (r: SlotRequest) => `${r.eventTypeId}|${r.duration ?? ''}|${r.gridZone ?? 'UTC'}|${r.range.start}|${r.range.end}`;

/**
 * One slot request straight through the shared slot cache, outside any GraphQL request's batch (the
 * booking service's reads, at their own priority).
 * @throws the first bucket's Error (an UpstreamError, usually)
 */
export async function loadSlots(slotCache: SlotCache, request: SlotRequest, call: CallOptions = {}): Promise<SlotResult> {
  const [result] = await slotCache.read([request], { call });
  if (result instanceof Error) throw result;
  return result!;
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
    (requests) =>
      slotCache.read(requests, {
        call,
        ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}),
        ...(witness ? { witness } : {}),
      }),
    {
      cacheKeyFn: slotKey,
      ...(options.batchWindowMs ? { batchScheduleFn: (run: () => void) => setTimeout(run, options.batchWindowMs) } : {}),
    },
  );

  return { eventType, slots };
}
