/**
 * Output mappers of the booking and reservation routes, in Cal.com's shapes and key order:
 *
 * - bookings: packages/platform/types/bookings/2024-08-13/outputs/booking.output.ts @1adf94bd
 *   (`BookingOutput_2024_08_13`, `@Expose` order, base class first) filled as
 *   apps/api/v2/src/ee/bookings/2024-08-13/services/output.service.ts @f2fcf749 `getOutputBooking`
 *   does: `hosts` = the organizer only, `location` = metadata.videoCallUrl || location (also as
 *   `meetingUrl`), user metadata without videoCallUrl, `bookingFieldsResponses` = the responses;
 * - reservations: apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots-output.service.ts
 *   @741e51d2 `getReservationSlotCreated` / `getReservationSlot` (luxon `toISO()` in UTC).
 *
 * Cal.com users have emails and usernames; the simulator's hosts do not, so a host's email is
 * `user<id>@example.com` and its username the host's or "unknown" (output.service.ts getHost).
 */
import { DateTime } from 'luxon';
import { hostName } from './booking-engine.js';
import type { SimEventType, StoredBooking, StoredReservation } from './model.js';
import type { SimState } from './state.js';

const iso = (ms: number) => new Date(ms).toISOString();
const luxonIso = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toISO()!;

export const hostEmail = (userId: number) => `user${userId}@example.com`;

function hostOutput(et: SimEventType | undefined, userId: number) {
  const host = et?.hosts.find((h) => h.userId === userId);
  const email = hostEmail(userId);
  return {
    id: userId,
    name: et ? hostName(et, userId) : 'Nameless',
    email,
    displayEmail: email,
    username: host?.username || 'unknown',
    timeZone: et?.schedule.timeZone ?? 'UTC',
  };
}

function attendeeOutput(b: StoredBooking) {
  const a = b.attendee;
  return {
    name: a.name,
    email: a.email,
    displayEmail: a.email,
    timeZone: a.timeZone,
    language: a.language,
    absent: false,
    ...(a.phoneNumber ? { phoneNumber: a.phoneNumber } : {}),
  };
}

/**
 * BookingOutput_2024_08_13 (seated rows: GetSeatedBookingOutput_2024_08_13, attendees with their
 * `seatUid`; `withSeatUid` adds the top-level `seatUid` of CreateSeatedBookingOutput_2024_08_13).
 */
export function toBookingOutput(state: SimState, b: StoredBooking, options: { withSeatUid?: boolean } = {}) {
  const et = state.eventTypes.get(b.eventTypeId);
  const rescheduledTo = b.rescheduled ? state.bookings.find((x) => x.rescheduledFromUid === b.uid)?.uid : undefined;
  const reschedulingReason = typeof b.responses.rescheduledReason === 'string' ? b.responses.rescheduledReason : undefined;
  const base = {
    id: b.id,
    uid: b.uid,
    title: b.title,
    description: b.description,
    hosts: [hostOutput(et, b.userId)],
    status: b.status,
    ...(b.cancellationReason ? { cancellationReason: b.cancellationReason } : {}),
    ...(reschedulingReason ? { reschedulingReason } : {}),
    ...(b.rescheduledByEmail ? { rescheduledByEmail: b.rescheduledByEmail } : {}),
    ...(b.rescheduledFromUid ? { rescheduledFromUid: b.rescheduledFromUid } : {}),
    ...(rescheduledTo ? { rescheduledToUid: rescheduledTo } : {}),
    start: iso(b.startMs),
    end: iso(b.endMs),
    duration: Math.round((b.endMs - b.startMs) / 60_000),
    eventTypeId: b.eventTypeId,
    eventType: { id: b.eventTypeId, slug: et?.slug ?? '' },
    meetingUrl: b.location,
    location: b.location,
    absentHost: false,
    createdAt: iso(b.createdAtMs),
    updatedAt: b.updatedAtMs === null ? null : iso(b.updatedAtMs),
    metadata: b.metadata,
    icsUid: b.iCalUid,
  };
  if (b.seatUid !== undefined) {
    const { email: _email, ...seatResponses } = b.responses;
    return {
      ...base,
      ...(options.withSeatUid ? { seatUid: b.seatUid } : {}),
      attendees: [{ ...attendeeOutput(b), seatUid: b.seatUid, bookingFieldsResponses: seatResponses, metadata: b.metadata }],
    };
  }
  return {
    ...base,
    attendees: [attendeeOutput(b)],
    ...(b.guests ? { guests: b.guests } : {}),
    bookingFieldsResponses: b.responses,
  };
}

/** ReserveSlotOutput_2024_09_04 (POST and PATCH). */
export function toReservationCreatedOutput(r: StoredReservation, reservationDuration: number) {
  return {
    eventTypeId: r.eventTypeId,
    slotStart: luxonIso(r.startMs),
    slotEnd: luxonIso(r.endMs),
    slotDuration: (r.endMs - r.startMs) / 60_000,
    reservationDuration,
    reservationUid: r.uid,
    reservationUntil: luxonIso(r.releaseAtMs),
  };
}

/** GetReservedSlotOutput_2024_09_04: no reservationDuration. */
export function toReservationOutput(r: StoredReservation) {
  const { reservationDuration: _d, ...rest } = toReservationCreatedOutput(r, 0);
  return rest;
}

/** `GET /_sim/bookings` and `POST /_sim/bookings`: every stored booking, with the hosts it occupies. */
export function toAdminBooking(b: StoredBooking) {
  return {
    id: b.id,
    uid: b.uid,
    eventTypeId: b.eventTypeId,
    userId: b.userId,
    hostUserIds: b.hostUserIds,
    start: iso(b.startMs),
    end: iso(b.endMs),
    duration: Math.round((b.endMs - b.startMs) / 60_000),
    status: b.status,
    source: b.source,
    attendee: b.attendee,
    metadata: b.metadata,
    createdAt: iso(b.createdAtMs),
    ...(b.cancellationReason ? { cancellationReason: b.cancellationReason } : {}),
    ...(b.rescheduledFromUid ? { rescheduledFromUid: b.rescheduledFromUid } : {}),
    ...(b.rescheduled ? { rescheduled: true } : {}),
    ...(b.seatUid ? { seatUid: b.seatUid } : {}),
  };
}

/** `GET /_sim/reservations`. */
export function toAdminReservation(r: StoredReservation, nowMs: number) {
  return {
    uid: r.uid,
    eventTypeId: r.eventTypeId,
    userId: r.userId,
    slotStart: iso(r.startMs),
    slotEnd: iso(r.endMs),
    releaseAt: iso(r.releaseAtMs),
    createdAt: iso(r.createdAtMs),
    isSeat: r.isSeat,
    expired: r.releaseAtMs <= nowMs,
  };
}
