/**
 * Per-request DataLoaders: created for each GraphQL request (never shared between requests), so one
 * request asking twice for the same thing makes one upstream call.
 *
 * The slot loader here fetches each distinct window with one `GET /v2/slots` call. Widening, the
 * shared zone-independent bucket cache and cross-request coalescing replace it in the slot-loader
 * issue; its interface (a window in, slots with their fetch time out) stays.
 */
import DataLoader from 'dataloader';
import type { GatewayServices } from '../context.js';
import type { InstantRange } from '../time.js';
import type { UpstreamEventType, UpstreamSlot } from '../upstream/calcom-client.js';

/** Event types change rarely; cached per credential for this long (background.md: 5-15 min). */
export const EVENT_TYPE_TTL_MS = 5 * 60_000;

export interface SlotRequest {
  eventTypeId: number;
  /** Slot length in minutes; omitted = the event type's default length. */
  duration?: number;
  /** UTC instants `[start, end)`. */
  range: InstantRange;
}

export interface SlotResult {
  /** Free slots in the range, ascending, UTC. */
  slots: UpstreamSlot[];
  /** When Cal.com produced this data. */
  fetchedAt: Date;
  /** True when served past its freshness because Cal.com could not be reached. */
  stale: boolean;
}

export interface RequestLoaders {
  eventType: DataLoader<number, UpstreamEventType>;
  slots: DataLoader<SlotRequest, SlotResult, string>;
}

const slotKey = (r: SlotRequest) => `${r.eventTypeId}|${r.duration ?? ''}|${r.range.start.toMillis()}|${r.range.end.toMillis()}`;

export function createRequestLoaders(services: GatewayServices): RequestLoaders {
  const { calcom, store, credentialId } = services;
  const eventTypeKey = (id: number) => `eventType:${credentialId}:${id}`;

  const eventType = new DataLoader<number, UpstreamEventType>(async (ids) =>
    Promise.all(
      ids.map(async (id) => {
        const cached = await store.get(eventTypeKey(id));
        if (cached) return JSON.parse(cached) as UpstreamEventType;
        const fetched = await calcom.getEventType(id).catch((err: unknown) => (err instanceof Error ? err : new Error(String(err))));
        if (!(fetched instanceof Error)) await store.set(eventTypeKey(id), JSON.stringify(fetched), { ttlMs: EVENT_TYPE_TTL_MS });
        return fetched;
      }),
    ),
  );

  const slots = new DataLoader<SlotRequest, SlotResult, string>(
    async (requests) =>
      Promise.all(
        requests.map(async (request) => {
          try {
            const { slots: found } = await calcom.getSlots(request);
            return { slots: found, fetchedAt: new Date(), stale: false };
          } catch (err) {
            return err instanceof Error ? err : new Error(String(err));
          }
        }),
      ),
    { cacheKeyFn: slotKey },
  );

  return { eventType, slots };
}
