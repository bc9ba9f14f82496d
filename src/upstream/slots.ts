/** `GET /v2/slots` (cal-api-version 2024-09-04): free slots as UTC instants (docs/calcom-contract.md#slot-output). */
import { z } from 'zod';
import { parseInstantMs, toCalcomWindow, type InstantRange } from '../time.js';
import { CALCOM_API_VERSIONS } from './contract.js';
import { UpstreamError, type RateLimitInfo } from './errors.js';
import { success, type Http, type RequestOptions } from './http.js';

/** One free slot from `GET /v2/slots`; instants in UTC. */
export interface UpstreamSlot {
  /** UTC instant, ms since the epoch. */
  start: number;
  /** UTC instant, ms since the epoch. */
  end: number;
  /** Seated event types only (docs/calcom-contract.md#slot-output). */
  seatsRemaining?: number;
  seatsTotal?: number;
}

export interface SlotsQuery {
  eventTypeId: number;
  /**
   * Half-open UTC range `[start, end)` of slot STARTS wanted. Sent so that Cal.com's end quirk
   * never applies; slots starting outside it are dropped.
   */
  range: InstantRange;
  /**
   * How far past `range.end` the window sent to Cal.com reaches, in ms. Cal.com offers a slot only
   * if it ENDS inside the window (docs/calcom-contract.md#slot-window), so a margin of at least the
   * slot length keeps the slots that start before `range.end` and end after it. @default 0
   */
  marginMs?: number;
  /**
   * The `timeZone` sent: Cal.com rounds the slot grid in it (docs/calcom-contract.md#slot-grid).
   * Only instants are read back, so any zone with whole-hour offsets gives the same slots as UTC.
   * @default "UTC"
   */
  timeZone?: string;
  /** Slot length in minutes; omitted = the event type's length. */
  duration?: number;
}

const slotSchema = z.looseObject({
  start: z.string(),
  end: z.string().optional(),
  seatsRemaining: z.number().optional(),
  seatsTotal: z.number().optional(),
});
const slotsResponseSchema = success(z.record(z.string(), z.array(slotSchema)));

/**
 * `GET /v2/slots` with `format=range` over `range` plus `marginMs`. Slots starting outside `range`
 * are dropped (Cal.com has returned some: calcom/cal.com#24260).
 * @throws UpstreamError (404 = unknown event type, 429 = quota, 0/5xx = unavailable).
 */
export async function getSlots(http: Http, query: SlotsQuery, options?: RequestOptions): Promise<{ slots: UpstreamSlot[]; rateLimit: RateLimitInfo }> {
  const { eventTypeId, range, duration, marginMs = 0, timeZone = 'UTC' } = query;
  const window = toCalcomWindow({ start: range.start, end: range.end + marginMs });
  const searchParams: Record<string, string | number> = { eventTypeId, start: window.start, end: window.end, timeZone, format: 'range' };
  if (duration !== undefined) searchParams.duration = duration;
  const { data, rateLimit } = await http.call(
    { endpoint: 'slots', method: 'GET', path: 'slots', version: CALCOM_API_VERSIONS.slots, searchParams, schema: slotsResponseSchema },
    options,
  );
  const lengthMs = (duration ?? 0) * 60_000;
  const { start: startMs, end: endMs } = range;
  const slots: UpstreamSlot[] = [];
  for (const raw of Object.values(data.data).flat()) {
    const start = parseInstantMs(raw.start);
    if (start === null || start < startMs || start >= endMs) continue;
    const end = raw.end ? parseInstantMs(raw.end) : lengthMs > 0 ? start + lengthMs : null;
    if (end === null) throw new UpstreamError({ endpoint: 'slots', status: 502, calcomCode: 'INVALID_RESPONSE', message: `slots: slot ${raw.start} has no usable end`, rateLimit });
    slots.push({
      start,
      end,
      ...(raw.seatsRemaining !== undefined ? { seatsRemaining: raw.seatsRemaining } : {}),
      ...(raw.seatsTotal !== undefined ? { seatsTotal: raw.seatsTotal } : {}),
    });
  }
  slots.sort((a, b) => a.start - b.start);
  return { slots, rateLimit };
}
