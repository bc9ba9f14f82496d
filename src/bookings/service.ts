/**
 * The booking service: reserve, book, cancel and reschedule at Cal.com, transport-free (the GraphQL
 * mutations in src/schema/bookings.ts are thin adapters over it).
 *
 * Guarantees (README "Bookings"):
 * - **Validation first**: every input is checked before any upstream call (src/bookings/validation.ts).
 * - **Idempotent**: every write runs under its idempotency key (src/bookings/idempotency.ts); a
 *   booking carries its key in Cal.com's `metadata`, so a timeout after Cal.com booked is resolved
 *   by finding that booking, never by booking twice.
 * - **No double booking through slotgraph**: a lock per (host, start) in the store while a booking
 *   is in flight, on every instance; a second booking of a busy host's start gets `SlotUnavailable`
 *   (seated event types wait for the lock instead: each booking takes a seat).
 * - **A taken slot** (Cal.com's "already has booking" 400, its 409, a 422 on reservation, or a start
 *   that is not a free slot in the cache) invalidates the hosts' days and answers `SlotUnavailable`
 *   with fresh alternatives read at critical priority, never containing the taken start.
 * - **Writes** go out at the mutation's priority (critical unless lowered), are never retried by the
 *   scheduler, and are not aborted when the client goes away (an aborted write has an unknown outcome).
 * - **After every change** the hosts' affected days are invalidated (both days of a reschedule) and
 *   one {@link SlotChange} is published.
 */
import { randomUUID } from 'node:crypto';
import { DateTime } from 'luxon';
import { findAlternatives } from '../alternatives/find.js';
import { supportedLocale } from '../alternatives/labels.js';
import type { Alternative } from '../alternatives/search.js';
import type { ChangeFeed, SlotChangeReason } from '../changes.js';
import { loadSlots } from '../loaders/index.js';
import type { EventTypeDirectory } from '../loaders/event-types.js';
import { rangeInstants, utcDayOf } from '../loaders/planner.js';
import type { SlotCache } from '../loaders/slot-cache/index.js';
import type { Logger } from '../logger.js';
import { CallCancelledError, CircuitOpenError, QuotaExhaustedError, type CallOptions } from '../quota/scheduler.js';
import { acquireAllLocks, releaseLocks } from '../store/locks.js';
import type { Store } from '../store/store.js';
import { canonicalZone, gridZoneOf, instantRangeMs } from '../time.js';
import type { UpstreamBooking, UpstreamEventType, UpstreamReservation } from '../upstream/calcom-client.js';
import { CALCOM_MESSAGES, RESERVED_BY_OTHER_PATTERN } from '../upstream/contract.js';
import { UpstreamError } from '../upstream/errors.js';
import { offeredLengths } from '../upstream/event-types.js';
import type { CalcomApi } from '../upstream/scheduled-calcom.js';
import { BookingNotFound, InvalidInput, QuotaExhausted, ReservationExpired, SlotUnavailable, UpstreamUnavailable } from './errors.js';
import { createIdempotency, type Prior } from './idempotency.js';
import {
  cancelBookingSchema,
  checkStart,
  createBookingSchema,
  fingerprint,
  IDEMPOTENCY_METADATA_KEY,
  rescheduleBookingSchema,
  reserveSlotSchema,
  validate,
  type CreateBookingRequest,
} from './validation.js';

/** Store key marking a booking change slotgraph made and already applied (read by the webhook receiver). */
export const appliedBookingKey = (credentialId: string, trigger: string, uid: string) => `booking-applied:${credentialId}:${trigger}:${uid}`;

export interface BookingServiceOptions {
  /** Cal.com through the quota scheduler. */
  calcom: CalcomApi;
  store: Store;
  slotCache: SlotCache;
  eventTypes: EventTypeDirectory;
  changes: ChangeFeed;
  /** Namespaces locks, idempotency records and reservations per tenant. */
  credentialId: string;
  log: Logger;
  /** ms since the epoch. @default Date.now */
  now?: () => number;
  /** How long a booking lock lives at most (ms); longer than a write, its lookup and the queue wait. @default 60000 */
  lockTtlMs?: number;
  /** How long a seated booking waits for the slot's lock (ms). @default 10000 */
  seatLockWaitMs?: number;
  /** False for an event type outside the tenant's list: treated as one Cal.com does not know. @default all allowed */
  eventTypeAllowed?: (eventTypeId: number) => boolean;
}

/** What a mutation returns for a booking: Cal.com's booking. */
export type Booking = UpstreamBooking;
/** What `reserveSlot` returns: Cal.com's reservation. */
export type Reservation = UpstreamReservation;

export interface BookingService {
  /** @throws BookingFailure (InvalidInput, SlotUnavailable, ReservationExpired, QuotaExhausted, UpstreamUnavailable) */
  createBooking(input: unknown, call?: CallOptions): Promise<Booking>;
  /** @throws BookingFailure (InvalidInput, BookingNotFound, QuotaExhausted, UpstreamUnavailable) */
  cancelBooking(input: unknown, call?: CallOptions): Promise<Booking>;
  /** Cal.com's own reschedule: one upstream write. @throws BookingFailure (as createBooking, and BookingNotFound) */
  rescheduleBooking(input: unknown, call?: CallOptions): Promise<Booking>;
  /** @throws BookingFailure (InvalidInput, SlotUnavailable, QuotaExhausted, UpstreamUnavailable) */
  reserveSlot(input: unknown, call?: CallOptions): Promise<Reservation>;
  /** Frees a reservation (Cal.com answers 200 for an unknown uid too). @throws BookingFailure */
  releaseReservation(uid: string, call?: CallOptions): Promise<{ uid: string }>;
  /** @throws BookingFailure (BookingNotFound, …) */
  getBooking(uid: string, call?: CallOptions): Promise<Booking>;
  close(): Promise<void>;
}

/** Cal.com's refusals that mean "this time is taken" (docs/calcom-contract.md#bookings, #reservations). */
function isSlotTaken(err: UpstreamError): boolean {
  if (err.status === 409) return true;
  if (err.status === 422) return true; // reservation: already booked, already reserved, no seats left
  return err.status === 400 && [CALCOM_MESSAGES.slotTakenIndividual, CALCOM_MESSAGES.slotTakenTeam].some((m) => err.message.includes(m));
}

/** Cal.com does not know the event type (or it is outside the tenant's list: answered the same). */
const unknownEventType = (eventTypeId: number) => new InvalidInput('eventTypeId', `Invalid eventTypeId: Cal.com does not know event type ${eventTypeId}`);

const IN_FLIGHT = 'Another booking of this slot is in flight.';
/** The refusal of a start that is not a free slot in the cache. */
const notFreeMessage = (eventTypeId: number, startMs: number) => `${new Date(startMs).toISOString()} is not a free slot of event type ${eventTypeId}.`;

export function createBookingService(options: BookingServiceOptions): BookingService {
  const { calcom, store, slotCache, eventTypes, changes, credentialId, log } = options;
  const now = options.now ?? Date.now;
  const lockTtlMs = options.lockTtlMs ?? 60_000;
  const allowed = options.eventTypeAllowed ?? (() => true);
  /** An event type outside the tenant's list is answered exactly as one Cal.com does not know. */
  const checkAllowed = (eventTypeId: number) => {
    if (!allowed(eventTypeId)) throw unknownEventType(eventTypeId);
  };
  const seatLockWaitMs = options.seatLockWaitMs ?? 10_000;
  const idempotency = createIdempotency({ store, credentialId, log, now });
  const reservationKey = (uid: string) => `reservation:${credentialId}:${uid}`;

  /** Writes: the mutation's priority, no abort once queued work starts (see the module comment). */
  const writeCall = (call: CallOptions): CallOptions => ({ priority: call.priority ?? 'critical' });
  const readCall = (call: CallOptions): CallOptions => ({ priority: call.priority ?? 'critical', ...(call.signal ? { signal: call.signal } : {}) });

  /** Maps quota and transport failures to booking failures; other errors are returned unchanged. */
  function transient(err: unknown, wrote: boolean): unknown {
    if (err instanceof QuotaExhaustedError) return new QuotaExhausted(err.message, err.retryAfterSeconds);
    if (err instanceof CircuitOpenError) return new UpstreamUnavailable(`Cal.com ${err.group} calls are suspended after repeated failures.`, err.retryAfterSeconds);
    if (err instanceof CallCancelledError) return new UpstreamUnavailable('The request was cancelled before Cal.com was asked.', null);
    if (err instanceof UpstreamError) {
      if (err.isRateLimited) return new QuotaExhausted('Cal.com answered 429: the request quota is spent.', Math.max(1, Math.ceil(err.rateLimit.resetSeconds ?? 60)));
      if (err.isUnavailable) {
        const what = err.status === 0 ? err.calcomCode : `HTTP ${err.status}`;
        return new UpstreamUnavailable(`Cal.com is unavailable (${what}).`, null, wrote);
      }
    }
    return err;
  }

  /** The event type, or null when Cal.com does not show it to this key (its slots may still be served). */
  async function eventTypeOf(id: number, call: CallOptions): Promise<UpstreamEventType | null> {
    try {
      return await eventTypes.get(id, readCall(call));
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) return null;
      throw transient(err, false);
    }
  }

  function checkDuration(et: UpstreamEventType | null, duration: number | null | undefined) {
    if (duration == null || !et) return;
    const lengths = offeredLengths(et);
    if (!lengths.includes(duration)) throw new InvalidInput('duration', `Invalid duration: event type ${et.id} offers ${lengths.join(', ')} minutes, not ${duration}`);
  }

  /** Is `startMs` the start of a free slot (from the slot cache: no call when cached)? */
  async function isFreeSlot(eventTypeId: number, duration: number | undefined, startMs: number, zone: string, call: CallOptions): Promise<boolean> {
    const day = utcDayOf(startMs);
    const range = rangeInstants({ first: day, last: day });
    const read = () =>
      loadSlots(slotCache, { eventTypeId, range, gridZone: gridZoneOf(zone, now()), ...(duration !== undefined ? { duration } : {}) }, readCall(call)).catch((err: unknown) => {
        if (err instanceof UpstreamError && err.status === 404) throw unknownEventType(eventTypeId);
        throw transient(err, false);
      });
    let result = await read();
    if (!result.slots.some((s) => s.start === startMs) && result.stale) {
      // Stale data must not refuse a booking: read the day fresh before saying no.
      await slotCache.invalidate(eventTypeId, range);
      result = await read();
    }
    return result.slots.some((s) => s.start === startMs);
  }

  /** The nearest free slots to `startMs`, never `startMs` itself; none when they cannot be read now. */
  async function alternativesFor(eventTypeId: number, duration: number | undefined, startMs: number, zone: string, locale: string): Promise<Alternative[]> {
    try {
      const answer = await findAlternatives((request) => loadSlots(slotCache, request, { priority: 'critical' }), {
        eventTypeId,
        wished: DateTime.fromMillis(startMs, { zone: 'utc' }),
        zone,
        limit: 3,
        searchDays: 7,
        locale,
        now: now(),
        excludeStartMs: startMs,
        ...(duration !== undefined ? { duration } : {}),
      });
      return answer.alternatives;
    } catch (err) {
      log.warn({ eventTypeId, err: (err as Error).message }, 'alternatives for a taken slot could not be read');
      return [];
    }
  }

  /** Invalidates the hosts' days of each `[startMs, endMs)` and publishes one change per affected event type. */
  async function changed(reason: SlotChangeReason, eventTypeId: number, ...ranges: Array<[startMs: number, endMs: number]>) {
    const eventTypeIds = new Set<number>();
    const days = new Set<string>();
    for (const [startMs, endMs] of ranges) {
      const range = instantRangeMs(startMs, endMs);
      const touched = await slotCache.invalidate(eventTypeId, range);
      for (const id of touched.eventTypeIds) eventTypeIds.add(id);
      for (const day of touched.days) days.add(day);
    }
    const at = now();
    await changes.publish(...[...eventTypeIds].map((id) => ({ eventTypeId: id, reason, days: [...days].sort(), ranges, at })));
  }

  /**
   * Notes that this change is already applied (invalidated after Cal.com committed it, and
   * announced), so Cal.com's webhook for it does not invalidate and announce it again.
   */
  async function markApplied(trigger: string, uid: string) {
    await store.set(appliedBookingKey(credentialId, trigger, uid), '1', { ttlMs: 60 * 60_000 }).catch(() => false);
  }

  /** Refuses `startMs` with `message` and fresh alternatives. */
  async function unavailable(message: string, eventTypeId: number, duration: number | undefined, startMs: number, zone: string, locale: string): Promise<never> {
    throw new SlotUnavailable(message, await alternativesFor(eventTypeId, duration, startMs, zone, locale), startMs);
  }

  /** The slot is taken: invalidate, publish, and answer with fresh alternatives. */
  async function slotTaken(eventTypeId: number, duration: number | undefined, startMs: number, endMs: number, zone: string, locale: string, message: string): Promise<never> {
    await changed('slot.taken', eventTypeId, [startMs, endMs]);
    return unavailable(message, eventTypeId, duration, startMs, zone, locale);
  }

  /**
   * Runs `fn` holding the lock of every host of the event type (or of the event type when its hosts
   * are unknown) at `startMs`, on every instance. Null when another booking holds it (seated event
   * types wait up to `seatLockWaitMs` instead).
   */
  async function withSlotLock<T>(et: UpstreamEventType | null, eventTypeId: number, startMs: number, fn: () => Promise<T>): Promise<{ value: T } | null> {
    const owners = et && et.hostUserIds.length > 0 ? et.hostUserIds.map((id) => `host-${id}`) : [`eventType-${eventTypeId}`];
    const keys = owners.map((owner) => `booking-lock:${credentialId}:${owner}:${startMs}`);
    const token = randomUUID();
    const waitUntil = now() + (et?.seatsPerTimeSlot ? seatLockWaitMs : 0);
    while ((await store.run(acquireAllLocks, keys, [token, lockTtlMs])) !== 1) {
      if (now() >= waitUntil) return null;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    try {
      return { value: await fn() };
    } finally {
      await store.run(releaseLocks, keys, [token]).catch((err: unknown) => log.warn({ err: (err as Error).message }, 'releasing a booking lock failed'));
    }
  }

  /** The booking slotgraph made under `key` around `startMs`, found through its metadata. */
  async function findBookedByKey(eventTypeId: number, startMs: number, key: string): Promise<UpstreamBooking | null> {
    const found = await calcom.listBookings({ eventTypeId, afterStartMs: startMs - 60_000, beforeEndMs: startMs + 2 * 24 * 60 * 60_000 }, { priority: 'critical' });
    return found.find((b) => b.metadata[IDEMPOTENCY_METADATA_KEY] === key && b.startMs === startMs && b.status !== 'cancelled' && b.status !== 'rejected') ?? null;
  }

  async function rememberedReservation(uid: string, call: CallOptions): Promise<UpstreamReservation | null> {
    const cached = await store.get(reservationKey(uid));
    if (cached) return JSON.parse(cached) as UpstreamReservation;
    try {
      return await calcom.getReservation(uid, readCall(call));
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) return null;
      throw transient(err, false);
    }
  }

  const localeOf = (language: string | null | undefined) => supportedLocale(language ?? 'en') ?? 'en';

  async function create(req: CreateBookingRequest, prior: Prior, call: CallOptions): Promise<Booking> {
    checkAllowed(req.eventTypeId);
    const startMs = req.start.getTime();
    const zone = canonicalZone(req.attendee.timeZone);
    const locale = localeOf(req.attendee.language);
    const duration = req.duration ?? undefined;
    checkStart(startMs, now(), zone);
    const et = await eventTypeOf(req.eventTypeId, call);
    checkDuration(et, req.duration);
    const lengthMs = (duration ?? et?.lengthInMinutes ?? 0) * 60_000;
    const endMs = startMs + lengthMs;

    if (prior === 'unknown') {
      // An earlier attempt with this key may have booked: find it before booking again.
      const earlier = await findBookedByKey(req.eventTypeId, startMs, req.idempotencyKey).catch((err: unknown) => {
        throw transient(err, true);
      });
      if (earlier) return earlier;
    }

    if (req.reservationUid) {
      const reservation = await rememberedReservation(req.reservationUid, call);
      if (!reservation || reservation.untilMs <= now()) throw new ReservationExpired(req.reservationUid);
      if (reservation.eventTypeId !== req.eventTypeId || reservation.startMs !== startMs) {
        throw new InvalidInput('reservationUid', `Invalid reservationUid: reservation ${req.reservationUid} holds event type ${reservation.eventTypeId} at ${new Date(reservation.startMs).toISOString()}, not this booking's slot`);
      }
    } else if (!(await isFreeSlot(req.eventTypeId, duration, startMs, zone, call))) {
      // A reserved slot is hidden from everyone, so only a booking without its reservation is checked here.
      await unavailable(notFreeMessage(req.eventTypeId, startMs), req.eventTypeId, duration, startMs, zone, locale);
    }

    const locked = await withSlotLock(et, req.eventTypeId, startMs, async () => {
      try {
        return await calcom.createBooking(
          {
            start: new Date(startMs).toISOString(),
            eventTypeId: req.eventTypeId,
            attendee: {
              name: req.attendee.name,
              timeZone: zone,
              ...(req.attendee.email ? { email: req.attendee.email } : {}),
              ...(req.attendee.phoneNumber ? { phoneNumber: req.attendee.phoneNumber } : {}),
              ...(req.attendee.language ? { language: req.attendee.language } : {}),
            },
            ...(req.guests?.length ? { guests: req.guests } : {}),
            metadata: { ...(req.metadata ?? {}), [IDEMPOTENCY_METADATA_KEY]: req.idempotencyKey },
            ...(duration !== undefined && et?.lengthInMinutesOptions?.length ? { lengthInMinutes: duration } : {}),
            ...(req.reservationUid ? { reservedSlotUid: req.reservationUid } : {}),
          },
          writeCall(call),
        );
      } catch (err) {
        if (err instanceof UpstreamError && err.isUnavailable) {
          // Cal.com may have booked before failing or timing out: look before answering.
          const booked = await findBookedByKey(req.eventTypeId, startMs, req.idempotencyKey).catch(() => null);
          if (booked) return booked;
        }
        throw err;
      }
    }).catch(async (err: unknown) => {
      if (err instanceof UpstreamError) {
        if (isSlotTaken(err)) {
          const message = RESERVED_BY_OTHER_PATTERN.test(err.message) ? 'Someone else holds a reservation for this slot.' : `The slot is taken: ${err.message}`;
          await slotTaken(req.eventTypeId, duration, startMs, endMs || startMs + 60_000, zone, locale, message);
        }
        if (err.status === 404) throw unknownEventType(req.eventTypeId);
        if (err.status === 400 && (err.message === CALCOM_MESSAGES.outOfBounds || err.message === CALCOM_MESSAGES.inThePast)) {
          throw new InvalidInput('start', `Invalid start: ${err.message}`);
        }
        if (err.status === 400) throw new InvalidInput('input', `Cal.com refused the booking: ${err.message}`);
      }
      throw transient(err, true);
    });
    if (!locked) return unavailable(IN_FLIGHT, req.eventTypeId, duration, startMs, zone, locale);
    const booking = locked.value;
    if (req.reservationUid) await store.del(reservationKey(req.reservationUid));
    await changed('booking.created', booking.eventTypeId || req.eventTypeId, [booking.startMs, booking.endMs]);
    await markApplied('BOOKING_CREATED', booking.uid);
    return booking;
  }

  const service: BookingService = {
    async createBooking(input, call = {}) {
      const req = validate(createBookingSchema, input);
      return idempotency.run(req.idempotencyKey, fingerprint('createBooking', req), (prior) => create(req, prior, call));
    },

    async cancelBooking(input, call = {}) {
      const req = validate(cancelBookingSchema, input);
      return idempotency.run(req.idempotencyKey, fingerprint('cancelBooking', req), async (prior) => {
        // With an event type list, a booking outside it (another tenant's) is answered as unknown.
        if (prior === 'unknown' || options.eventTypeAllowed) {
          const current = await service.getBooking(req.uid, call);
          if (prior === 'unknown' && current.status === 'cancelled') return current;
        }
        let cancelled: UpstreamBooking;
        try {
          cancelled = await calcom.cancelBooking(req.uid, req.reason ?? undefined, writeCall(call));
        } catch (err) {
          if (err instanceof UpstreamError && err.status === 404) throw new BookingNotFound(req.uid);
          if (err instanceof UpstreamError && err.status === 400) throw new InvalidInput('uid', `Invalid uid: ${err.message}`);
          if (err instanceof UpstreamError && err.isUnavailable) {
            const current = await service.getBooking(req.uid, call).catch(() => null);
            if (current?.status === 'cancelled') cancelled = current;
            else throw transient(err, true);
          } else {
            throw transient(err, true);
          }
        }
        await changed('booking.cancelled', cancelled.eventTypeId, [cancelled.startMs, cancelled.endMs]);
        await markApplied('BOOKING_CANCELLED', cancelled.uid);
        return cancelled;
      });
    },

    async rescheduleBooking(input, call = {}) {
      const req = validate(rescheduleBookingSchema, input);
      return idempotency.run(req.idempotencyKey, fingerprint('rescheduleBooking', req), async (prior) => {
        const old = await service.getBooking(req.uid, call);
        if (prior === 'unknown' && old.rescheduledToUid) return service.getBooking(old.rescheduledToUid, call);
        if (old.status === 'cancelled') throw new InvalidInput('uid', `Invalid uid: booking ${req.uid} is cancelled`);
        const startMs = req.start.getTime();
        const zone = canonicalZone(old.attendees[0]?.timeZone ?? 'UTC');
        const locale = localeOf(old.attendees[0]?.language);
        checkStart(startMs, now(), zone);
        const et = await eventTypeOf(old.eventTypeId, call);
        const lengthMs = (et?.lengthInMinutes ?? old.duration) * 60_000;
        // The booking's own time is free for its reschedule, but the cache shows it taken: only a
        // start clear of it is checked against the cache; Cal.com decides the rest.
        const overlapsOld = startMs < old.endMs && startMs + lengthMs > old.startMs;
        if (!overlapsOld && !(await isFreeSlot(old.eventTypeId, undefined, startMs, zone, call))) {
          await unavailable(notFreeMessage(old.eventTypeId, startMs), old.eventTypeId, undefined, startMs, zone, locale);
        }
        const locked = await withSlotLock(et, old.eventTypeId, startMs, async () => {
          try {
            return await calcom.rescheduleBooking(req.uid, { start: new Date(startMs).toISOString(), ...(req.reason ? { reschedulingReason: req.reason } : {}) }, writeCall(call));
          } catch (err) {
            if (err instanceof UpstreamError && err.isUnavailable) {
              const after = await service.getBooking(req.uid, call).catch(() => null);
              if (after?.rescheduledToUid) return service.getBooking(after.rescheduledToUid, call);
            }
            throw err;
          }
        }).catch(async (err: unknown) => {
          if (err instanceof UpstreamError) {
            if (isSlotTaken(err)) await slotTaken(old.eventTypeId, undefined, startMs, startMs + lengthMs, zone, locale, `The slot is taken: ${err.message}`);
            if (err.status === 404) throw new BookingNotFound(req.uid);
            if (err.status === 400) throw new InvalidInput('start', `Invalid start: ${err.message}`);
          }
          throw transient(err, true);
        });
        if (!locked) return unavailable(IN_FLIGHT, old.eventTypeId, undefined, startMs, zone, locale);
        const booking = locked.value;
        await changed('booking.rescheduled', old.eventTypeId, [old.startMs, old.endMs], [booking.startMs, booking.endMs]);
        await markApplied('BOOKING_RESCHEDULED', booking.uid);
        return booking;
      });
    },

    async reserveSlot(input, call = {}) {
      const req = validate(reserveSlotSchema, input);
      return idempotency.run(req.idempotencyKey, fingerprint('reserveSlot', req), async () => {
        checkAllowed(req.eventTypeId);
        const startMs = req.start.getTime();
        const zone = canonicalZone(req.timeZone ?? 'UTC');
        const locale = localeOf(req.locale);
        const duration = req.duration ?? undefined;
        checkStart(startMs, now(), zone);
        const et = await eventTypeOf(req.eventTypeId, call);
        checkDuration(et, req.duration);
        const endMs = startMs + (duration ?? et?.lengthInMinutes ?? 0) * 60_000;
        if (!(await isFreeSlot(req.eventTypeId, duration, startMs, zone, call))) {
          await unavailable(notFreeMessage(req.eventTypeId, startMs), req.eventTypeId, duration, startMs, zone, locale);
        }
        let reservation: UpstreamReservation;
        try {
          reservation = await calcom.reserveSlot(
            { eventTypeId: req.eventTypeId, slotStart: new Date(startMs).toISOString(), ...(duration !== undefined && et?.lengthInMinutesOptions?.length ? { slotDuration: duration } : {}) },
            writeCall(call),
          );
        } catch (err) {
          if (err instanceof UpstreamError) {
            if (isSlotTaken(err)) await slotTaken(req.eventTypeId, duration, startMs, endMs || startMs + 60_000, zone, locale, `The slot cannot be reserved: ${err.message}`);
            if (err.status === 404) throw unknownEventType(req.eventTypeId);
            if (err.status === 400) throw new InvalidInput('input', `Cal.com refused the reservation: ${err.message}`);
          }
          throw transient(err, true);
        }
        await store.set(reservationKey(reservation.uid), JSON.stringify(reservation), { ttlMs: Math.max(1_000, reservation.untilMs - now() + 60_000) });
        await changed('reservation.created', req.eventTypeId, [reservation.startMs, reservation.endMs]);
        return reservation;
      });
    },

    async releaseReservation(uid, call = {}) {
      const id = validate(reserveUid, uid);
      const known = await rememberedReservation(id, call).catch(() => null);
      try {
        await calcom.releaseReservation(id, writeCall(call));
      } catch (err) {
        throw transient(err, true);
      }
      await store.del(reservationKey(id));
      if (known) await changed('reservation.released', known.eventTypeId, [known.startMs, known.endMs]);
      return { uid: id };
    },

    async getBooking(uid, call = {}) {
      let booking: UpstreamBooking;
      try {
        booking = await calcom.getBooking(uid, readCall(call));
      } catch (err) {
        if (err instanceof UpstreamError && err.status === 404) throw new BookingNotFound(uid);
        throw transient(err, false);
      }
      if (!allowed(booking.eventTypeId)) throw new BookingNotFound(uid);
      return booking;
    },

    close: () => idempotency.close(),
  };
  return service;
}

const reserveUid = cancelBookingSchema.shape.uid;
