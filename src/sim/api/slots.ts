/** `GET /v2/slots` (cal-api-version 2024-09-04; docs/calcom-contract.md#slot-window … #slot-output). */
import { DateTime } from 'luxon';
import { HttpFailure } from '../http.js';
import { BookingDateInPastError, computeSlots } from '../slots.js';
import { adjustEnd, adjustStart, validateSlotsQuery } from '../v2-input.js';
import { success, type ApiHandler } from './context.js';

export const getSlots: ApiHandler = ({ state, url }) => {
  // GetSlotsInputPipe (get-slots-input.pipe.ts), then slots-input.service.ts transformGetSlotsQuery:
  // the event type lookup before luxon parses start and end.
  const pipe = validateSlotsQuery(Object.fromEntries(url.searchParams), state.now());
  if (!pipe.ok) throw new HttpFailure(400, 'BadRequestException', pipe.message);
  const q = pipe.query;
  const eventType = state.eventTypes.get(q.eventTypeId);
  if (!eventType) throw new HttpFailure(404, 'NotFoundException', 'Event Type not found');
  const startMs = adjustStart(q.start);
  if (startMs === null) throw new HttpFailure(400, 'BadRequestException', 'Invalid start date');
  const endMs = adjustEnd(q.end);
  if (endMs === null) throw new HttpFailure(400, 'BadRequestException', 'Invalid end date');

  // util.ts _getReservedSlotsAndCleanupExpired: expired reservations of this event type are deleted
  // (deleteManyExpiredSlots), the unexpired ones of its hosts hide slots (see computeSlots).
  const nowMs = state.now();
  state.reservations = state.reservations.filter((r) => r.eventTypeId !== eventType.id || r.releaseAtMs > nowMs);

  let slots;
  try {
    slots = computeSlots({
      eventType,
      eventTypes: state.eventTypes,
      bookings: state.bookings,
      reservations: state.reservations,
      startMs,
      endMs,
      nowMs,
      ...(q.timeZone !== undefined ? { timeZone: q.timeZone } : {}),
      ...(q.duration !== undefined ? { duration: q.duration } : {}),
      ...(q.bookingUidToReschedule !== undefined ? { rescheduleUid: q.bookingUidToReschedule } : {}),
    });
  } catch (err) {
    // util.ts rethrows BookingDateInPastError as a TRPC BAD_REQUEST (trpc-exception.filter.ts: no details).
    if (err instanceof BookingDateInPastError) throw new HttpFailure(400, 'TRPCError', err.message, false);
    throw err;
  }

  // slots-output.service.ts: "…Z" without timeZone, luxon ISO in timeZone with it; format=range adds
  // end = start + (duration ?? eventType.length).
  const zone = q.timeZone;
  const render = (ms: number) => (zone ? DateTime.fromMillis(ms, { zone }).toISO()! : new Date(ms).toISOString());
  const rangeMs = (q.duration ?? eventType.lengthInMinutes) * 60_000;
  const data: Record<string, Array<Record<string, unknown>>> = {};
  for (const slot of slots) {
    const { startMs: start, dateKey, ...seats } = slot;
    const out: Record<string, unknown> = { start: render(start) };
    if (q.format === 'range') out.end = render(start + rangeMs);
    (data[dateKey] ??= []).push({ ...out, ...seats });
  }
  return success(200, data);
};
