/**
 * `/v2/slots/reservations` (cal-api-version 2024-09-04; docs/calcom-contract.md#reservations):
 * apps/api/v2/src/modules/slots/slots-2024-09-04/controllers/slots.controller.ts @694613ff (routes,
 * status codes), services/slots.service.ts @02321c33 (checks and texts), slots.repository.ts
 * @43bc0047 (queries), services/slots-output.service.ts @741e51d2 (bodies).
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { CALCOM_MESSAGES, RESERVATION_DEFAULT_DURATION_MINUTES } from '../../upstream/contract.js';
import { validateReserveSlot, type ReserveSlotBody } from '../booking-input.js';
import { toReservationCreatedOutput, toReservationOutput } from '../booking-output.js';
import { HttpFailure } from '../http.js';
import type { SimEventType } from '../model.js';
import type { SimState } from '../state.js';
import { isAuthenticated, success, type ApiHandler } from './context.js';

const MINUTE = 60_000;

/** The global ValidationPipe over ReserveSlotInput_2024_09_04: unknown keys dropped, errors as `{errors}`. */
function parseBody(body: unknown): ReserveSlotBody {
  const v = validateReserveSlot(body);
  if (!v.ok) throw new HttpFailure(400, 'BadRequestException', v.message, v.details);
  return v.value;
}

/** The checks reserveSlot and updateReservedSlot share, after the event type lookup; returns [start, end]. */
function checkSlot(state: SimState, et: SimEventType, input: ReserveSlotBody): [number, number] {
  const start = DateTime.fromISO(input.slotStart, { zone: 'utc' });
  if (!start.isValid) throw new HttpFailure(400, 'BadRequestException', 'Invalid start date');
  if (input.slotDuration) {
    // validateSlotDuration: the event type's metadata.multipleDuration (the simulator's lengthInMinutesOptions).
    const options = et.lengthInMinutesOptions;
    if (!options) throw new HttpFailure(400, 'BadRequestException', "You passed 'slotDuration' but this event type is not a variable length event type.");
    if (!options.includes(input.slotDuration)) {
      throw new HttpFailure(
        400,
        'BadRequestException',
        `Provided 'slotDuration' is not one of the possible lengths for the event type. The possible lengths for this variable length event type are: ${options.join(', ')}`,
      );
    }
  }
  const startMs = start.toMillis();
  const endMs = startMs + (input.slotDuration ?? et.lengthInMinutes) * MINUTE;
  // slots.repository.ts findActiveOverlappingBooking: a booking OF THIS EVENT TYPE strictly
  // overlapping the slot (no buffers, other event types of the host not consulted).
  const booking = state.bookings.find((b) => b.eventTypeId === et.id && b.status === 'accepted' && b.startMs < endMs && b.endMs > startMs);
  if (et.seatsPerTimeSlot && booking) {
    // `booking.attendees.length`: the simulator keeps one row per seat.
    const attendees = state.bookings.filter((b) => b.eventTypeId === et.id && b.status === 'accepted' && b.startMs === booking.startMs).length;
    if (et.seatsPerTimeSlot - attendees < 1) {
      throw new HttpFailure(422, 'UnprocessableEntityException', `Booking with id=${input.eventTypeId} at ${input.slotStart} has no more seats left.`);
    }
  }
  if (!et.seatsPerTimeSlot && booking) throw new HttpFailure(422, 'UnprocessableEntityException', CALCOM_MESSAGES.reservationBooked);
  // checkSlotOverlap → getOverlappingSlotReservation: an unexpired reservation of this event type
  // overlapping (its four cases), the caller's own included.
  const overlapping = state
    .activeReservations()
    .some(
      (r) =>
        r.eventTypeId === et.id &&
        ((r.startMs <= startMs && r.endMs > startMs) || (r.startMs < endMs && r.endMs >= endMs) || (r.startMs <= startMs && r.endMs >= endMs) || (r.startMs >= startMs && r.endMs <= endMs)),
    );
  if (overlapping) throw new HttpFailure(422, 'UnprocessableEntityException', CALCOM_MESSAGES.reservationReserved);
  return [startMs, endMs];
}

const eventTypeOrFail = (state: SimState, id: number) => {
  const et = state.eventTypes.get(id);
  if (!et) throw new HttpFailure(404, 'NotFoundException', `Event Type with ID=${id} not found`);
  return et;
};

/** `POST /v2/slots/reservations` → 201 (OptionalApiAuthGuard). */
export const reserveSlot: ApiHandler = ({ state, req, body }) => {
  const input = parseBody(body);
  const authenticated = isAuthenticated(req);
  if (input.reservationDuration && !authenticated) {
    throw new HttpFailure(401, 'UnauthorizedException', 'reservationDuration can only be used for authenticated requests - use access token, api key or OAuth credentials');
  }
  const et = eventTypeOrFail(state, input.eventTypeId);
  // canSpecifyCustomReservationDuration: every accepted key owns every event type here.
  const [startMs, endMs] = checkSlot(state, et, input);
  const duration = input.reservationDuration ?? RESERVATION_DEFAULT_DURATION_MINUTES;
  // An individual event type's reservation is its owner's, a team one's hosts[0]'s.
  const userId = et.teamId === null ? et.ownerId : et.hosts[0]!.userId;
  const now = state.now();
  const reservation = {
    id: state.nextReservationId(),
    uid: randomUUID(),
    eventTypeId: et.id,
    userId,
    hostUserIds: [userId],
    startMs,
    endMs,
    isSeat: et.seatsPerTimeSlot !== null,
    releaseAtMs: now + duration * MINUTE,
    createdAtMs: now,
  };
  state.reservations.push(reservation);
  return success(201, toReservationCreatedOutput(reservation, duration));
};

/** `GET /v2/slots/reservations/{uid}` → 200; an unknown uid is `data: null` (plainToClass(null)). */
export const getReservation: ApiHandler = ({ state, params }) => {
  const r = state.reservations.find((x) => x.uid === params.uid);
  return success(200, r ? toReservationOutput(r) : null);
};

/**
 * `PATCH /v2/slots/reservations/{uid}` → 200 (updateReservedSlot): no reservationDuration auth check;
 * the overlap check does not exclude the reservation itself, so re-timing an unexpired reservation
 * onto a time it overlaps is a 422.
 */
export const updateReservation: ApiHandler = ({ state, params, body }) => {
  const input = parseBody(body);
  const uid = params.uid!;
  const r = state.reservations.find((x) => x.uid === uid);
  if (!r) throw new HttpFailure(404, 'NotFoundException', `Slot with uid=${uid} not found`);
  const et = eventTypeOrFail(state, input.eventTypeId);
  const [startMs, endMs] = checkSlot(state, et, input);
  const duration = input.reservationDuration ?? RESERVATION_DEFAULT_DURATION_MINUTES;
  Object.assign(r, { eventTypeId: et.id, startMs, endMs, releaseAtMs: state.now() + duration * MINUTE });
  return success(200, toReservationCreatedOutput(r, duration));
};

/** `DELETE /v2/slots/reservations/{uid}` → 200 `{status: "success"}`, known uid or not (deleteMany). */
export const deleteReservation: ApiHandler = ({ state, params }) => {
  state.reservations = state.reservations.filter((x) => x.uid !== params.uid);
  return { status: 200, body: { status: 'success' } };
};
