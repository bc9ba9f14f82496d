/** `GET /v2/event-types/{id}` (cal-api-version 2024-06-14; docs/calcom-contract.md#event-types). */
import { z } from 'zod';
import { CALCOM_API_VERSIONS } from './contract.js';
import type { RateLimitInfo } from './errors.js';
import { success, type Http, type RequestOptions } from './http.js';

/**
 * What the gateway reads of `EventTypeOutput_2024_06_14` / `TeamEventTypeOutput_2024_06_14`
 * (docs/calcom-contract.md#event-types).
 */
export interface UpstreamEventType {
  id: number;
  slug: string;
  title: string;
  description: string | null;
  lengthInMinutes: number;
  lengthInMinutesOptions: number[] | null;
  slotInterval: number | null;
  minimumBookingNotice: number | null;
  beforeEventBuffer: number | null;
  afterEventBuffer: number | null;
  /** From `seats.seatsPerTimeSlot`; null when `seats` is `{disabled: true}` (Cal.com has no top-level field). */
  seatsPerTimeSlot: number | null;
  /** REST casing: `roundRobin` | `collective` | `managed` | null. */
  schedulingType: string | null;
  /** Team event types: the team's id; null for a user's own event type. */
  teamId: number | null;
  /**
   * Cal.com user ids whose busy time this event type's slots depend on: the owner of a user event
   * type (`ownerId`), every host of a team event type (`hosts[].userId`). Empty when Cal.com lists none.
   */
  hostUserIds: number[];
}

const eventTypeSchema = z.looseObject({
  id: z.number().int(),
  slug: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  lengthInMinutes: z.number().int(),
  lengthInMinutesOptions: z.array(z.number().int()).nullish(),
  slotInterval: z.number().int().nullish(),
  minimumBookingNotice: z.number().int().nullish(),
  beforeEventBuffer: z.number().int().nullish(),
  afterEventBuffer: z.number().int().nullish(),
  seats: z.looseObject({ seatsPerTimeSlot: z.number().int().nullish() }).nullish(),
  schedulingType: z.string().nullish(),
  ownerId: z.number().int().nullish(),
  teamId: z.number().int().nullish(),
  hosts: z.array(z.looseObject({ userId: z.number().int() })).nullish(),
});

/** Owner of a user event type, or the hosts of a team event type (docs/calcom-contract.md#event-types). */
function hostsOf(et: z.infer<typeof eventTypeSchema>): number[] {
  const ids = new Set<number>();
  for (const host of et.hosts ?? []) ids.add(host.userId);
  // A team event type's ownerId is its creator (usually null), not a host whose time it takes.
  if (et.teamId == null && et.ownerId != null && et.ownerId > 0) ids.add(et.ownerId);
  return [...ids].sort((a, b) => a - b);
}

/** `GET /v2/event-types/{id}` (needs the API key). @throws UpstreamError */
/** The slot lengths an event type offers, in minutes: `lengthInMinutes` and `lengthInMinutesOptions`, ascending, once each. */
export function offeredLengths(et: Pick<UpstreamEventType, 'lengthInMinutes' | 'lengthInMinutesOptions'>): number[] {
  return [...new Set([et.lengthInMinutes, ...(et.lengthInMinutesOptions ?? [])])].sort((a, b) => a - b);
}

export async function getEventType(http: Http, id: number, options?: RequestOptions): Promise<{ eventType: UpstreamEventType; rateLimit: RateLimitInfo }> {
  const { data, rateLimit } = await http.call(
    { endpoint: 'eventTypes', method: 'GET', path: `event-types/${id}`, version: CALCOM_API_VERSIONS.eventTypes, schema: success(eventTypeSchema) },
    options,
  );
  const et = data.data;
  const eventType: UpstreamEventType = {
    id: et.id,
    slug: et.slug,
    title: et.title,
    description: et.description ?? null,
    lengthInMinutes: et.lengthInMinutes,
    lengthInMinutesOptions: et.lengthInMinutesOptions ?? null,
    slotInterval: et.slotInterval ?? null,
    minimumBookingNotice: et.minimumBookingNotice ?? null,
    beforeEventBuffer: et.beforeEventBuffer ?? null,
    afterEventBuffer: et.afterEventBuffer ?? null,
    seatsPerTimeSlot: et.seats?.seatsPerTimeSlot ?? null,
    schedulingType: et.schedulingType ?? null,
    teamId: et.teamId ?? null,
    hostUserIds: hostsOf(et),
  };
  return { eventType, rateLimit };
}
