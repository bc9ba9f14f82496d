/**
 * Booking writes as Cal.com performs them, shared by `POST /v2/bookings`, its reschedule and cancel
 * routes and the admin API's `POST /_sim/bookings` (one code path, the same checks and answers).
 * Cal.com's chain (paths in calcom/cal.com, docs/calcom-contract.md#bookings):
 *
 * 1. apps/api/v2/src/ee/bookings/2024-08-13/services/bookings.service.ts @cd764fd8: event type
 *    lookup (404), seated vs regular, reschedule and cancel preconditions;
 * 2. …/services/input.service.ts @3d4e8782: `lengthInMinutes` rules, end = start + length, the
 *    reschedule transform (end = start + the event type's DEFAULT length, attendee copied);
 * 3. packages/features/bookings/lib/service/RegularBookingService.ts (handleNewBooking): the time
 *    bounds (handleNewBooking/validateBookingTimeIsNotOutOfBounds.ts over packages/lib/isOutOfBounds.tsx),
 *    the hosts' availability (handleNewBooking/ensureAvailableUsers.ts, see slots.ts
 *    `availableHostIds`), seats (handleSeats), the reserved slot
 *    (handleNewBooking/createBookingWithReservedSlot.ts), then the insert;
 * 4. …/services/errors.service.ts @5b6d63e6 `handleBookingError`: core errors → 400 texts.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { bookingNotFoundMessage, CALCOM_MESSAGES, reservedByOtherMessage } from '../upstream/contract.js';
import type { BookingsQuery, CancelBookingBody, CreateBookingBody, RescheduleBookingBody } from './booking-input.js';
import { HttpFailure } from './http.js';
import { hostUserIdsOf, type SimAttendee, type SimEventType, type StoredBooking } from './model.js';
import { availableHostIds } from './slots.js';
import { shortUid, type SimState } from './state.js';

const MINUTE = 60_000;

export interface WriteOptions {
  /** Admin only: skip the time, availability, seat and reservation checks. */
  force?: boolean;
  /** Admin only: the hosts to occupy instead of Cal.com's choice. */
  hostUserIds?: number[];
  source: StoredBooking['source'];
}

/** Core errors of handleNewBooking, as `ErrorCode` strings. */
type CoreError = 'no_available_users_found_error' | 'hosts_unavailable_for_booking';

/** errors.service.ts handleBookingError: both core errors → 400, team or individual text. */
function slotTaken(team: boolean): HttpFailure {
  return new HttpFailure(400, 'BadRequestException', team ? CALCOM_MESSAGES.slotTakenTeam : CALCOM_MESSAGES.slotTakenIndividual);
}

/** The name Cal.com's event name uses for the organizer (getEventName: the organizer's name, else "Nameless"). */
export function hostName(et: SimEventType, userId: number): string {
  return et.hosts.find((h) => h.userId === userId)?.name || 'Nameless';
}

/**
 * The hosts a booking occupies, organizer first, or the core error: the owner of an individual
 * event type; every host of a collective one (or a team one without a scheduling type); for round
 * robin (and managed) every mandatory host plus the first other host, in listed order, that is
 * available (Cal.com picks its "lucky user" by priority and weights: see #simulator-differences).
 */
function chooseHosts(state: SimState, et: SimEventType, startMs: number, endMs: number, timeZone: string, rescheduleUid: string | undefined, given: number[] | undefined, force: boolean): number[] | CoreError {
  const free = (ids: number[]) =>
    force
      ? ids
      : availableHostIds(
          { eventType: et, eventTypes: state.eventTypes, bookings: state.bookings, startMs, endMs, timeZone, ...(rescheduleUid !== undefined ? { rescheduleUid } : {}) },
          ids,
        );
  if (given) {
    const allowed = new Set(hostUserIdsOf(et));
    const stranger = given.find((id) => !allowed.has(id));
    if (stranger !== undefined) throw new HttpFailure(400, 'BadRequestException', `user ${stranger} is not a host of event type ${et.id}`);
    const hosts = [...new Set(given)];
    const available = free(hosts);
    if (available.length === 0) return 'no_available_users_found_error';
    return available.length === hosts.length ? hosts : 'hosts_unavailable_for_booking';
  }
  if (et.teamId === null) return free([et.ownerId]).length === 1 ? [et.ownerId] : 'no_available_users_found_error';
  if (et.schedulingType !== 'roundRobin' && et.schedulingType !== 'managed') {
    const all = et.hosts.map((h) => h.userId);
    const available = free(all);
    if (available.length === 0) return 'no_available_users_found_error';
    return available.length === all.length ? all : 'hosts_unavailable_for_booking';
  }
  const fixed = et.hosts.filter((h) => h.mandatory).map((h) => h.userId);
  const others = et.hosts.filter((h) => !h.mandatory).map((h) => h.userId);
  if (free(fixed).length !== fixed.length) return 'hosts_unavailable_for_booking';
  if (others.length === 0) return fixed;
  const chosen = free(others)[0] ?? (force ? others[0] : undefined);
  if (chosen === undefined) return 'no_available_users_found_error';
  return [chosen, ...fixed];
}

interface BookRequest {
  eventType: SimEventType;
  startMs: number;
  endMs: number;
  attendee: SimAttendee;
  guests?: string[];
  metadata: Record<string, unknown>;
  responses: Record<string, unknown>;
  location?: string;
  reservedSlotUid?: string;
  rescheduleOf?: StoredBooking;
  rescheduledByEmail?: string;
  /** errors.service.ts: the team text for team event types; reschedules always pass false. */
  teamMessages: boolean;
}

/** handleNewBooking for one booking (or one seat). Throws HttpFailure with Cal.com's answer. */
function book(state: SimState, r: BookRequest, opts: WriteOptions): StoredBooking {
  const { eventType: et } = r;
  const force = opts.force ?? false;
  const now = state.now();
  if (!force) {
    // validateBookingTimeIsNotOutOfBounds.ts → isOutOfBounds.tsx: guardAgainstBookingInThePast, then
    // the minimum notice (period limits are not modelled).
    if (r.startMs < now) throw new HttpFailure(400, 'BadRequestException', CALCOM_MESSAGES.inThePast);
    if (et.minimumBookingNotice && r.startMs < now + et.minimumBookingNotice * MINUTE) {
      throw new HttpFailure(400, 'BadRequestException', CALCOM_MESSAGES.outOfBounds);
    }
  }

  // Seats (handleSeats): a later seat joins the accepted booking of this event type at this start,
  // without an availability check, unless it is full (bookings.service.ts: booking_seats_full_error → 409).
  let hostUserIds: number[] | undefined;
  if (et.seatsPerTimeSlot) {
    const seats = state.bookings.filter((b) => b.eventTypeId === et.id && b.status === 'accepted' && b.startMs === r.startMs && b.uid !== r.rescheduleOf?.uid);
    if (seats.length > 0) {
      if (!force && seats.length >= et.seatsPerTimeSlot) throw new HttpFailure(409, 'ConflictException', CALCOM_MESSAGES.seatsFull);
      hostUserIds = seats[0]!.hostUserIds;
    }
  }
  if (!hostUserIds) {
    const chosen = chooseHosts(state, et, r.startMs, r.endMs, r.attendee.timeZone, r.rescheduleOf?.uid, opts.hostUserIds, force);
    if (typeof chosen === 'string') throw slotTaken(r.teamMessages);
    hostUserIds = chosen;
  }

  // createBookingWithReservedSlot.ts (newer code, only with a reservedSlotUid): the earliest
  // unexpired reservation of exactly this event type, start and end (by releaseAt, then row id) must
  // be the caller's; after the insert the caller's reservation row is deleted, expired or not.
  if (r.reservedSlotUid !== undefined && !force) {
    const earliest = state
      .activeReservations()
      .filter((x) => x.eventTypeId === et.id && x.startMs === r.startMs && x.endMs === r.endMs)
      .sort((a, b) => a.releaseAtMs - b.releaseAtMs || a.id - b.id)[0];
    if (earliest && earliest.uid !== r.reservedSlotUid) {
      // dayjs(releaseAt).diff(now, "second"): whole seconds, truncated.
      throw new HttpFailure(409, 'ConflictException', reservedByOtherMessage(Math.trunc((earliest.releaseAtMs - now) / 1000)));
    }
  }

  const uid = shortUid();
  const organizer = hostUserIds[0]!;
  const booking: StoredBooking = {
    id: state.nextBookingId(),
    uid,
    eventTypeId: et.id,
    userId: organizer,
    hostUserIds,
    startMs: r.startMs,
    endMs: r.endMs,
    status: 'accepted',
    // packages/features/eventtypes/lib/eventNaming.ts getEventName: "{title} between {host} and {attendee}".
    title: `${et.title} between ${hostName(et, organizer)} and ${r.attendee.name}`,
    description: typeof r.responses.notes === 'string' ? r.responses.notes : '',
    attendee: r.attendee,
    ...(r.guests ? { guests: r.guests } : {}),
    metadata: r.metadata,
    responses: r.responses,
    // No location and an event type without locations: Cal Video, whose URL the output shows
    // (output.service.ts: metadata.videoCallUrl || location).
    location: r.location ?? `https://app.cal.com/video/${uid}`,
    createdAtMs: now,
    updatedAtMs: null,
    // getICalUID: a reschedule keeps the original's; getICalSequence: the original's + 1, else 0.
    iCalUid: r.rescheduleOf?.iCalUid ?? `${uid}@Cal.com`,
    iCalSequence: r.rescheduleOf ? r.rescheduleOf.iCalSequence + 1 : 0,
    ...(et.seatsPerTimeSlot ? { seatUid: randomUUID() } : {}),
    ...(r.rescheduleOf ? { rescheduledFromUid: r.rescheduleOf.uid } : {}),
    ...(r.rescheduledByEmail ? { rescheduledByEmail: r.rescheduledByEmail } : {}),
    source: opts.source,
  };
  state.bookings.push(booking);
  if (r.reservedSlotUid !== undefined) {
    state.reservations = state.reservations.filter(
      (x) => !(x.uid === r.reservedSlotUid && x.eventTypeId === et.id && x.startMs === r.startMs && x.endMs === r.endMs),
    );
  }
  return booking;
}

function eventTypeOrFail(state: SimState, id: number): SimEventType {
  const et = state.eventTypes.get(id);
  // errors.service.ts handleEventTypeToBeBookedNotFound.
  if (!et) throw new HttpFailure(404, 'NotFoundException', `Event type with id ${id} not found.`);
  return et;
}

/** input.service.ts transformLocation for the string form; objects are refused before this. */
function locationResponse(location: string): { value: string; optionValue: string } {
  if (/^(https?:\/\/|www\.)/i.test(location) || /^[\w-]+(\.[\w-]+)+(\/\S*)?$/.test(location)) return { value: 'link', optionValue: location };
  if (/^\+[1-9]\d{6,14}$/.test(location)) return { value: 'phone', optionValue: location };
  return { value: 'somewhereElse', optionValue: location };
}

/** `POST /v2/bookings` after its pipe (bookings.service.ts createBooking → createRegularBooking / createSeatedBooking). */
export function createBooking(state: SimState, body: CreateBookingBody, opts: WriteOptions): StoredBooking {
  const et = eventTypeOrFail(state, body.eventTypeId);
  // input.service.ts validateBookingLengthInMinutes (the event type's `metadata.multipleDuration` is
  // the simulator's lengthInMinutesOptions).
  const options = et.lengthInMinutesOptions;
  if (body.lengthInMinutes && !options) {
    throw new HttpFailure(
      400,
      'BadRequestException',
      "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.",
    );
  }
  if (body.lengthInMinutes && !options!.includes(body.lengthInMinutes)) {
    throw new HttpFailure(400, 'BadRequestException', `Provided 'lengthInMinutes' is not one of the possible lengths for the event type. The possible lengths are: ${options!.join(', ')}`);
  }
  // input.service.ts isBookingLocationWithEventTypeLocations: a location object must be one of the
  // event type's location types; the simulator's event types have none (`locations: []`).
  const inputLocation = body.location ?? body.meetingUrl;
  if (inputLocation !== undefined && typeof inputLocation !== 'string') {
    throw new HttpFailure(
      400,
      'BadRequestException',
      `Booking location with type ${String(inputLocation.type)} not valid for event type with id=${et.id}. The event type has following location types: , and only these types are allowed for booking location.`,
    );
  }
  const startMs = DateTime.fromISO(body.start, { zone: 'utc' }).toMillis();
  if (!Number.isFinite(startMs)) throw new HttpFailure(400, 'BadRequestException', 'Invalid start date');
  const endMs = startMs + (body.lengthInMinutes ?? et.lengthInMinutes) * MINUTE;
  const attendee: SimAttendee = {
    name: body.attendee.name,
    email: body.attendee.email ?? '',
    timeZone: body.attendee.timeZone,
    language: body.attendee.language || 'en',
    ...(body.attendee.phoneNumber ? { phoneNumber: body.attendee.phoneNumber } : {}),
  };
  // input.service.ts transformInputCreateBooking `responses`.
  const responses: Record<string, unknown> = {
    ...(body.bookingFieldsResponses ?? {}),
    name: attendee.name,
    email: attendee.email,
    ...(attendee.phoneNumber ? { attendeePhoneNumber: attendee.phoneNumber } : {}),
    ...(body.guests ? { guests: body.guests } : {}),
    ...(inputLocation !== undefined ? { location: locationResponse(inputLocation) } : {}),
  };
  const booking = book(
    state,
    {
      eventType: et,
      startMs,
      endMs,
      attendee,
      ...(body.guests ? { guests: body.guests } : {}),
      metadata: body.metadata ?? {},
      responses,
      ...(inputLocation !== undefined ? { location: inputLocation } : {}),
      ...(body.reservedSlotUid !== undefined ? { reservedSlotUid: body.reservedSlotUid } : {}),
      teamMessages: et.teamId !== null,
    },
    opts,
  );
  // RegularBookingService.ts @368f82de: a confirmed new booking fires BOOKING_CREATED
  // (handleWebhookTrigger), for API and admin bookings alike (one code path).
  state.emitBookingEvent({ trigger: 'BOOKING_CREATED', booking });
  return booking;
}

/** `POST /v2/bookings/{uid}/reschedule` after its pipe (bookings.service.ts rescheduleBooking). */
export function rescheduleBooking(state: SimState, uid: string, body: RescheduleBookingBody): StoredBooking {
  // shouldRescheduleIndividualSeat: the booking must exist.
  let old = state.booking(uid);
  if (!old) throw new HttpFailure(404, 'NotFoundException', bookingNotFoundMessage(uid));
  const et = state.eventTypes.get(old.eventTypeId);
  // input.service.ts transformInputRescheduleSeatedBooking: `Event type with id=<id> not found` (404).
  if (!et) throw new HttpFailure(404, 'NotFoundException', `Event type with id=${old.eventTypeId} not found`);
  if (et.seatsPerTimeSlot) {
    if (body.seatUid === undefined) {
      throw new HttpFailure(
        400,
        'BadRequestException',
        `Booking with uid=${uid} is a seated booking which means you have to provide seatUid in the request body to specify which seat specifically you want to reschedule. First, fetch the booking using https://cal.com/docs/api-reference/v2/bookings/get-a-booking and then within the attendees array you will find the seatUid of the booking you want to reschedule. Second, provide the seatUid in the request body to specify which seat specifically you want to reschedule using the reschedule endpoint https://cal.com/docs/api-reference/v2/bookings/reschedule-a-booking#option-2`,
      );
    }
    // The simulator keeps one row per seat: the seat is that row. input.service.ts
    // transformInputRescheduleSeatedBooking: bookingSeatRepository.getByReferenceUid, else 404
    // `Seat with uid=<seatUid> does not exist.`
    const seat = state.bookings.find((b) => b.seatUid === body.seatUid);
    if (!seat) throw new HttpFailure(404, 'NotFoundException', `Seat with uid=${body.seatUid} does not exist.`);
    old = seat;
  }
  // canRescheduleBooking.
  if (old.status === 'cancelled' && !old.rescheduled) {
    throw new HttpFailure(400, 'BadRequestException', `Can't reschedule booking with uid=${uid} because it has been cancelled. Please provide uid of a booking that is not cancelled.`);
  }
  if (old.status === 'cancelled' && old.rescheduled) {
    const to = state.bookings.find((b) => b.rescheduledFromUid === old!.uid)?.uid;
    throw new HttpFailure(
      400,
      'BadRequestException',
      `Can't reschedule booking with uid=${uid} because it has been cancelled and rescheduled already to booking with uid=${to}. You probably want to reschedule ${to} instead by passing it within the request URL.`,
    );
  }
  const startMs = DateTime.fromISO(body.start, { zone: 'utc' }).toMillis();
  if (!Number.isFinite(startMs)) throw new HttpFailure(400, 'BadRequestException', 'Invalid start date');
  // transformInputRescheduleBooking: end = start + eventType.length (a variable-length booking falls
  // back to the default length); attendee, metadata, guests and responses copied.
  const next = book(
    state,
    {
      eventType: et,
      startMs,
      endMs: startMs + et.lengthInMinutes * MINUTE,
      attendee: old.attendee,
      ...(old.guests ? { guests: old.guests } : {}),
      metadata: old.metadata,
      responses: { ...old.responses, ...(body.reschedulingReason !== undefined ? { rescheduledReason: body.reschedulingReason } : {}) },
      location: old.location,
      ...(body.reservedSlotUid !== undefined ? { reservedSlotUid: body.reservedSlotUid } : {}),
      rescheduleOf: old,
      ...(body.rescheduledBy ? { rescheduledByEmail: body.rescheduledBy } : {}),
      // bookings.service.ts rescheduleBooking: handleBookingError(error, false).
      teamMessages: false,
    },
    { source: 'api' },
  );
  // handleNewBooking: the original is cancelled and marked rescheduled.
  old.status = 'cancelled';
  old.rescheduled = true;
  old.updatedAtMs = state.now();
  // RegularBookingService.ts @368f82de: with a rescheduleUid the trigger is BOOKING_RESCHEDULED, for the
  // new booking, carrying the old one's id, uid and times; no BOOKING_CANCELLED for the old booking.
  state.emitBookingEvent({ trigger: 'BOOKING_RESCHEDULED', booking: next, from: old });
  return next;
}

/** `POST /v2/bookings/{uid}/cancel` after its pipe (bookings.service.ts cancelBooking). */
export function cancelBooking(state: SimState, uid: string, body: CancelBookingBody, opts: { cancelledBy?: string } = {}): StoredBooking {
  if (body.seatUid !== undefined) {
    const seat = state.bookings.find((b) => b.seatUid === body.seatUid && b.status === 'accepted');
    if (!seat) throw new HttpFailure(400, 'BadRequestException', 'Invalid seatUid: this seat does not exist or has already been cancelled.');
    if (seat.uid !== uid) throw new HttpFailure(400, 'BadRequestException', 'Invalid seatUid: this seat does not belong to this booking.');
  }
  // input.service.ts createCancelBookingRequest.
  const booking = state.booking(uid);
  if (!booking) throw new HttpFailure(404, 'NotFoundException', `Booking with uid=${uid} not found`);
  if (booking.status === 'cancelled') {
    throw new HttpFailure(
      400,
      'BadRequestException',
      `Can't cancel booking with uid=${uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`,
    );
  }
  booking.status = 'cancelled';
  if (body.cancellationReason) booking.cancellationReason = body.cancellationReason;
  booking.updatedAtMs = state.now();
  // handleCancelBooking.ts: the cancel event carries iCalSequence + 1 and the booking keeps it; the
  // BOOKING_CANCELLED webhook goes out with the cancel (before the recurring check below fails).
  booking.iCalSequence += 1;
  state.emitBookingEvent({ trigger: 'BOOKING_CANCELLED', booking, ...(opts.cancelledBy ? { cancelledBy: opts.cancelledBy } : {}) });
  // getAllRecurringBookingsByIndividualUid runs after the cancel: no booking here is recurring.
  if (body.cancelSubsequentBookings) {
    throw new HttpFailure(400, 'BadRequestException', `Booking with bookingUid=${uid} is not part of a recurring booking.`);
  }
  return booking;
}

/**
 * `GET /v2/bookings` (bookings.service.ts getBookings → packages/trpc/server/routers/viewer/bookings/get.handler.ts
 * `getAllUserBookings`): every key owns every event type here, so every booking is the caller's.
 * Statuses are OR-ed: upcoming = end ≥ now and not cancelled; past = end ≤ now and not cancelled;
 * cancelled = cancelled; unconfirmed and recurring match nothing (no pending or recurring bookings).
 */
export function listBookings(state: SimState, q: BookingsQuery): { bookings: StoredBooking[]; totalCount: number; skip: number; take: number } {
  const now = state.now();
  const ms = (iso: string) => DateTime.fromISO(iso, { zone: 'utc' }).toMillis();
  const eventTypeIds = q.eventTypeIds ?? (q.eventTypeId !== undefined ? [q.eventTypeId] : undefined);
  const teamIds = q.teamsIds ?? (q.teamId !== undefined ? [q.teamId] : undefined);
  const statusMatch = (b: StoredBooking, s: string) => {
    switch (s) {
      case 'upcoming':
        return b.endMs >= now && b.status !== 'cancelled';
      case 'past':
        return b.endMs <= now && b.status !== 'cancelled';
      case 'cancelled':
        return b.status === 'cancelled';
      default:
        return false;
    }
  };
  let rows = state.bookings.filter((b) => {
    if (q.status && !q.status.some((s) => statusMatch(b, s))) return false;
    if (q.attendeeEmail !== undefined && b.attendee.email.toLowerCase() !== q.attendeeEmail.toLowerCase()) return false;
    if (q.attendeeName !== undefined && !b.attendee.name.toLowerCase().includes(q.attendeeName.toLowerCase())) return false;
    if (q.bookingUid !== undefined && b.uid !== q.bookingUid) return false;
    if (eventTypeIds && !eventTypeIds.includes(b.eventTypeId)) return false;
    if (teamIds && !teamIds.includes(state.eventTypes.get(b.eventTypeId)?.teamId ?? -1)) return false;
    if (q.afterStart !== undefined && b.startMs < ms(q.afterStart)) return false;
    if (q.beforeEnd !== undefined && b.endMs > ms(q.beforeEnd)) return false;
    if (q.afterCreatedAt !== undefined && b.createdAtMs < ms(q.afterCreatedAt)) return false;
    if (q.beforeCreatedAt !== undefined && b.createdAtMs > ms(q.beforeCreatedAt)) return false;
    if (q.afterUpdatedAt !== undefined && (b.updatedAtMs ?? -Infinity) < ms(q.afterUpdatedAt)) return false;
    if (q.beforeUpdatedAt !== undefined && (b.updatedAtMs ?? Infinity) > ms(q.beforeUpdatedAt)) return false;
    return true;
  });
  // The sort asked for; otherwise get.handler.ts's default per status: start descending for past and
  // cancelled, ascending otherwise.
  const dir = (o: 'asc' | 'desc' | undefined) => (o === 'desc' ? -1 : 1);
  const key: [(b: StoredBooking) => number, number] = q.sortStart
    ? [(b) => b.startMs, dir(q.sortStart)]
    : q.sortEnd
      ? [(b) => b.endMs, dir(q.sortEnd)]
      : q.sortCreated
        ? [(b) => b.createdAtMs, dir(q.sortCreated)]
        : q.sortUpdatedAt
          ? [(b) => b.updatedAtMs ?? 0, dir(q.sortUpdatedAt)]
          : [(b) => b.startMs, q.status?.[0] === 'past' || q.status?.[0] === 'cancelled' ? -1 : 1];
  rows = [...rows].sort((a, b) => (key[0](a) - key[0](b)) * key[1] || a.id - b.id);
  // bookings.service.ts getBookings: `skip = Math.abs(queryParams?.skip ?? 0)`, `take = Math.abs(queryParams?.take ?? 100)`.
  const skip = Math.abs(q.skip ?? 0);
  const take = Math.abs(q.take ?? 100);
  return { bookings: rows.slice(skip, skip + take), totalCount: rows.length, skip, take };
}
