/**
 * Booking mutations and the `booking` query: thin adapters over the booking service
 * (src/bookings/service.ts). Expected failures are members of each mutation's result union
 * (Pothos plugin-errors), all implementing the `Error` interface; anything else is a GraphQL error
 * with a code from `ErrorCode`.
 */
import type { Alternative } from '../alternatives/search.js';
import {
  BookingFailure,
  BookingNotFound,
  InvalidInput,
  QuotaExhausted,
  ReservationExpired,
  SlotUnavailable,
  UpstreamUnavailable,
} from '../bookings/errors.js';
import type { Booking, Reservation } from '../bookings/service.js';
import { toGraphQLError } from '../errors.js';
import { toLocalSlotMs } from '../time.js';
import type { UpstreamAttendee } from '../upstream/calcom-client.js';
import { AlternativeRef } from './alternatives.js';
import { builder } from './builder.js';

/** Failures stay data; any other error becomes a GraphQL error with its code (masked when it is a bug). */
function rethrow(err: unknown): never {
  if (err instanceof BookingFailure) throw err;
  throw toGraphQLError(err);
}

// ------------------------------------------------------------------ the Error interface and its types

const ErrorInterface = builder.interfaceRef<Error>('Error').implement({
  description: 'An expected failure of a mutation: read `message`, and the fields of its type for what to do next.',
  fields: (t) => ({ message: t.exposeString('message') }),
});

/** What every failure type shares: the `Error` interface, and being recognised by its class. */
const failureOf = (cls: abstract new (...args: never[]) => BookingFailure) => ({
  interfaces: [ErrorInterface],
  isTypeOf: (value: unknown) => value instanceof cls,
});

builder.objectType(SlotUnavailable, {
  name: 'SlotUnavailable',
  description:
    'The slot is taken (or was never free). Every event type of its hosts has been refreshed; `alternatives` are the nearest free slots now, never the taken one.',
  ...failureOf(SlotUnavailable),
  fields: (t) => ({
    alternatives: t.field({ type: [AlternativeRef], resolve: (e) => e.alternatives as Alternative[] }),
    requestedStart: t.field({ type: 'DateTime', description: 'The start that was asked for (UTC).', resolve: (e) => new Date(e.requestedStartMs) }),
  }),
});

builder.objectType(InvalidInput, {
  name: 'InvalidInput',
  description: 'An input field is invalid. Nothing was booked; when the check was slotgraph’s, Cal.com was not asked.',
  ...failureOf(InvalidInput),
  fields: (t) => ({ field: t.exposeString('field', { description: 'The field’s path in the input, e.g. `attendee.email`.' }) }),
});

builder.objectType(QuotaExhausted, {
  name: 'QuotaExhausted',
  description: 'No Cal.com quota within the deadline, or Cal.com answered 429. Nothing was sent; retry with the same idempotency key.',
  ...failureOf(QuotaExhausted),
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds') }),
});

builder.objectType(UpstreamUnavailable, {
  name: 'UpstreamUnavailable',
  description:
    'Cal.com could not be reached, timed out or failed. Retry with the same idempotency key: if Cal.com did book, the retry finds that booking instead of booking again.',
  ...failureOf(UpstreamUnavailable),
  fields: (t) => ({ retryAfterSeconds: t.exposeInt('retryAfterSeconds', { nullable: true }) }),
});

builder.objectType(BookingNotFound, {
  name: 'BookingNotFound',
  description: 'Cal.com has no booking with this uid.',
  ...failureOf(BookingNotFound),
  fields: (t) => ({ uid: t.exposeID('uid') }),
});

builder.objectType(ReservationExpired, {
  name: 'ReservationExpired',
  description: 'The reservation expired, was released or never existed: reserve the slot again (or book without it).',
  ...failureOf(ReservationExpired),
  fields: (t) => ({ reservationUid: t.exposeID('reservationUid') }),
});

// ------------------------------------------------------------------ bookings and reservations

const BookingStatusRef = builder.enumType('BookingStatus', {
  description: "Cal.com's booking status (its REST API writes it in lower case).",
  values: ['ACCEPTED', 'PENDING', 'CANCELLED', 'REJECTED', 'AWAITING_HOST'] as const,
});

const AttendeeRef = builder.objectRef<UpstreamAttendee>('BookingAttendee').implement({
  description: 'An attendee of a booking (the first one booked it).',
  fields: (t) => ({
    name: t.exposeString('name'),
    email: t.exposeString('email', { nullable: true }),
    phoneNumber: t.exposeString('phoneNumber', { nullable: true, description: 'E.164.' }),
    timeZone: t.exposeString('timeZone', { description: "The attendee's IANA zone." }),
    language: t.exposeString('language', { nullable: true }),
  }),
});

/** The attendee's zone, in which a booking's local fields are given. */
const zoneOf = (b: Booking) => b.attendees[0]?.timeZone ?? 'UTC';
const localOf = (b: Booking) => toLocalSlotMs(b.startMs, b.endMs, zoneOf(b));

export const BookingRef = builder.objectRef<Booking>('Booking').implement({
  description: "A Cal.com booking. `start`/`end` are UTC instants; `localDate`, `localTime` and `utcOffset` are in the first attendee's zone (`timeZone`).",
  fields: (t) => ({
    uid: t.exposeID('uid', { description: "Cal.com's booking uid: cancel or reschedule with it." }),
    id: t.exposeInt('id'),
    title: t.exposeString('title'),
    status: t.field({ type: BookingStatusRef, resolve: (b) => b.status.toUpperCase() as 'ACCEPTED' }),
    eventTypeId: t.exposeInt('eventTypeId'),
    start: t.field({ type: 'DateTime', resolve: (b) => new Date(b.startMs) }),
    end: t.field({ type: 'DateTime', resolve: (b) => new Date(b.endMs) }),
    duration: t.exposeInt('duration', { description: 'Minutes.' }),
    timeZone: t.field({ type: 'TimeZone', description: 'The zone of the local fields: the first attendee’s.', resolve: zoneOf }),
    localDate: t.field({ type: 'LocalDate', resolve: (b) => localOf(b).localDate }),
    localTime: t.string({ description: '"HH:mm" (24 h) in `timeZone`: read this aloud.', resolve: (b) => localOf(b).localTime }),
    utcOffset: t.string({ description: 'Offset of `timeZone` at `start`, e.g. "+01:00".', resolve: (b) => localOf(b).utcOffset }),
    attendees: t.field({ type: [AttendeeRef], resolve: (b) => b.attendees }),
    guests: t.exposeStringList('guests'),
    metadata: t.field({ type: 'JSON', resolve: (b) => b.metadata }),
    location: t.exposeString('location', { nullable: true }),
    meetingUrl: t.exposeString('meetingUrl', { nullable: true }),
    cancellationReason: t.exposeString('cancellationReason', { nullable: true }),
    rescheduledFromUid: t.exposeString('rescheduledFromUid', { nullable: true, description: 'On a rescheduled booking: the uid it replaced.' }),
    rescheduledToUid: t.exposeString('rescheduledToUid', { nullable: true, description: 'On a booking that was rescheduled: the uid of the new one.' }),
    createdAt: t.field({ type: 'DateTime', nullable: true, resolve: (b) => (b.createdAtMs === null ? null : new Date(b.createdAtMs)) }),
  }),
});

const ReservationRef = builder.objectRef<Reservation>('Reservation').implement({
  description: 'A slot held at Cal.com: hidden from everyone (the holder too) until `expiresAt`; book it with `reservationUid`.',
  fields: (t) => ({
    uid: t.exposeID('uid'),
    eventTypeId: t.exposeInt('eventTypeId'),
    start: t.field({ type: 'DateTime', resolve: (r) => new Date(r.startMs) }),
    end: t.field({ type: 'DateTime', resolve: (r) => new Date(r.endMs) }),
    expiresAt: t.field({ type: 'DateTime', description: 'When Cal.com frees the slot again (UTC).', resolve: (r) => new Date(r.untilMs) }),
  }),
});

const ReleasedReservationRef = builder.objectRef<{ uid: string }>('ReleasedReservation').implement({
  description: 'The reservation is gone (Cal.com answers the same for one that was already gone).',
  fields: (t) => ({ uid: t.exposeID('uid') }),
});

// ------------------------------------------------------------------ inputs

const idempotencyKeyDescription =
  'Required. A fresh key (a UUID) per intended change, reused on every retry of it: the same key with the same input gives the first result without a second Cal.com call, on any instance, for 24 h; with other input it is refused.';

const AttendeeInputRef = builder.inputType('AttendeeInput', {
  description: 'Who the booking is for. Cal.com needs an e-mail address or a phone number.',
  fields: (t) => ({
    name: t.string({ required: true }),
    email: t.string(),
    phoneNumber: t.string({ description: 'E.164, e.g. "+4930123456".' }),
    timeZone: t.string({ required: true, description: 'IANA zone, e.g. "Europe/Berlin": the booking’s local fields and the alternatives’ words are in it.' }),
    language: t.string({ description: "One of Cal.com's attendee languages, e.g. en, de, es-419; default en." }),
  }),
});

const CreateBookingInputRef = builder.inputType('CreateBookingInput', {
  fields: (t) => ({
    eventTypeId: t.int({ required: true }),
    start: t.field({ type: 'DateTime', required: true, description: 'The slot’s start: a `start` from `availability` or `alternatives`.' }),
    duration: t.int({ description: 'Minutes, for event types with several lengths; default the event type’s length.' }),
    attendee: t.field({ type: AttendeeInputRef, required: true }),
    guests: t.stringList({ description: 'E-mail addresses of further attendees.' }),
    metadata: t.field({ type: 'JSON', description: "Kept with the booking at Cal.com: an object of at most 49 keys (≤ 40 characters) with strings (≤ 500), numbers or booleans." }),
    reservationUid: t.id({ description: 'The `uid` of a reservation (reserveSlot) held for this slot.' }),
    idempotencyKey: t.string({ required: true, description: idempotencyKeyDescription }),
  }),
});

const ReserveSlotInputRef = builder.inputType('ReserveSlotInput', {
  fields: (t) => ({
    eventTypeId: t.int({ required: true }),
    start: t.field({ type: 'DateTime', required: true }),
    duration: t.int({ description: 'Minutes, for event types with several lengths.' }),
    timeZone: t.string({ description: "The caller's IANA zone, for the alternatives of a refusal; default UTC." }),
    locale: t.string({ description: 'Language of the alternatives’ labels (en, de); default en.' }),
    idempotencyKey: t.string({ required: true, description: idempotencyKeyDescription }),
  }),
});

const CancelBookingInputRef = builder.inputType('CancelBookingInput', {
  fields: (t) => ({
    uid: t.id({ required: true }),
    reason: t.string(),
    idempotencyKey: t.string({ required: true, description: idempotencyKeyDescription }),
  }),
});

const RescheduleBookingInputRef = builder.inputType('RescheduleBookingInput', {
  fields: (t) => ({
    uid: t.id({ required: true }),
    start: t.field({ type: 'DateTime', required: true, description: 'The new start. Cal.com gives the new booking the event type’s default length.' }),
    reason: t.string(),
    idempotencyKey: t.string({ required: true, description: idempotencyKeyDescription }),
  }),
});

// ------------------------------------------------------------------ mutations and the query

builder.mutationType({ description: 'Reserve, book, cancel and reschedule at Cal.com: idempotent, race-safe, failures as data.' });

/** A mutation's result union: its own failures, then those every write can meet. */
const failures = (union: string, ...types: Array<new (...args: never[]) => BookingFailure>) => ({
  types: [...types, InvalidInput, QuotaExhausted, UpstreamUnavailable],
  directResult: true,
  union: { name: union },
});

builder.mutationField('createBooking', (t) =>
  t.field({
    type: BookingRef,
    description: 'Books a slot. A taken slot answers `SlotUnavailable` with fresh alternatives; a repeat with the same idempotency key answers the first result.',
    errors: failures('CreateBookingResult', SlotUnavailable, ReservationExpired),
    args: { input: t.arg({ type: CreateBookingInputRef, required: true }) },
    resolve: (_root, { input }, { services, call }) => services.bookings.createBooking(input, call).catch(rethrow),
  }),
);

builder.mutationField('rescheduleBooking', (t) =>
  t.field({
    type: BookingRef,
    description: "Moves a booking with Cal.com's own reschedule (one write): the answer is the NEW booking (a new uid, `rescheduledFromUid` the old one).",
    errors: failures('RescheduleBookingResult', SlotUnavailable, BookingNotFound),
    args: { input: t.arg({ type: RescheduleBookingInputRef, required: true }) },
    resolve: (_root, { input }, { services, call }) => services.bookings.rescheduleBooking(input, call).catch(rethrow),
  }),
);

builder.mutationField('cancelBooking', (t) =>
  t.field({
    type: BookingRef,
    description: 'Cancels a booking; the answer is the cancelled booking.',
    errors: failures('CancelBookingResult', BookingNotFound),
    args: { input: t.arg({ type: CancelBookingInputRef, required: true }) },
    resolve: (_root, { input }, { services, call }) => services.bookings.cancelBooking(input, call).catch(rethrow),
  }),
);

builder.mutationField('reserveSlot', (t) =>
  t.field({
    type: ReservationRef,
    description: "Holds a slot at Cal.com while the caller confirms (Cal.com's default: 5 minutes); then `createBooking` with its `reservationUid`.",
    errors: failures('ReserveSlotResult', SlotUnavailable),
    args: { input: t.arg({ type: ReserveSlotInputRef, required: true }) },
    resolve: (_root, { input }, { services, call }) => services.bookings.reserveSlot(input, call).catch(rethrow),
  }),
);

builder.mutationField('releaseReservation', (t) =>
  t.field({
    type: ReleasedReservationRef,
    description: 'Frees a reservation. Idempotent by nature: releasing one that is gone answers the same.',
    errors: failures('ReleaseReservationResult'),
    args: { uid: t.arg.id({ required: true }) },
    resolve: (_root, { uid }, { services, call }) => services.bookings.releaseReservation(String(uid), call).catch(rethrow),
  }),
);

builder.queryField('booking', (t) =>
  t.field({
    type: BookingRef,
    nullable: true,
    description: 'One booking by uid (GET /v2/bookings/{uid}). An unknown uid gives a NOT_FOUND error.',
    args: { uid: t.arg.id({ required: true }) },
    resolve: (_root, { uid }, { services, call }) =>
      services.bookings.getBooking(String(uid), call).catch((err: unknown) => {
        throw toGraphQLError(err);
      }),
  }),
);
