/**
 * The expected failures of booking mutations: plain classes the booking service throws, which the
 * schema turns into members of each mutation's result union (Pothos plugin-errors) — data, not
 * errors. Each can be written to the idempotency record and read back ({@link toStored},
 * {@link fromStored}), so a repeated request gets the same answer.
 */
import type { Alternative } from '../alternatives/search.js';

/** Common base: a message a voice agent may read out or log. */
export abstract class BookingFailure extends Error {
  /** Whether an idempotent repeat must give this same answer (a final outcome), or may try again. */
  abstract readonly final: boolean;
  constructor(message: string) {
    super(message);
    this.name = new.target.name; // the subclass's name: SlotUnavailable, InvalidInput, …
  }
}

/** The slot is taken (or never was free): here are the nearest free ones, never the taken one. */
export class SlotUnavailable extends BookingFailure {
  readonly final = true;
  constructor(
    message: string,
    readonly alternatives: Alternative[],
    /** The start asked for (ms). */
    readonly requestedStartMs: number,
  ) {
    super(message);
  }
}

/** An input field is invalid; nothing was sent to Cal.com (or Cal.com refused that field). */
export class InvalidInput extends BookingFailure {
  readonly final = true;
  constructor(
    /** The field's path in the input, e.g. `attendee.email`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** No Cal.com quota within the deadline, or Cal.com answered 429; nothing was booked. */
export class QuotaExhausted extends BookingFailure {
  readonly final = false;
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
  }
}

/**
 * Cal.com could not be reached, timed out or failed. When `outcomeUnknown`, the write may have
 * happened: a repeat with the same idempotency key looks it up before writing again.
 */
export class UpstreamUnavailable extends BookingFailure {
  readonly final = false;
  constructor(
    message: string,
    readonly retryAfterSeconds: number | null,
    readonly outcomeUnknown = false,
  ) {
    super(message);
  }
}

/** Cal.com has no booking with this uid. */
export class BookingNotFound extends BookingFailure {
  readonly final = true;
  constructor(readonly uid: string) {
    super(`Cal.com has no booking with uid ${uid}.`);
  }
}

/** The reservation is gone: it expired, was released, or never existed. */
export class ReservationExpired extends BookingFailure {
  readonly final = true;
  constructor(readonly reservationUid: string) {
    super(`Reservation ${reservationUid} has expired or does not exist; reserve the slot again.`);
  }
}

/** A failure as kept in the idempotency record. */
export type StoredFailure =
  | { type: 'SlotUnavailable'; message: string; alternatives: StoredAlternative[]; requestedStartMs: number }
  | { type: 'InvalidInput'; message: string; field: string }
  | { type: 'BookingNotFound'; uid: string }
  | { type: 'ReservationExpired'; reservationUid: string };

type StoredAlternative = Omit<Alternative, 'slot'> & { slot: Omit<Alternative['slot'], 'start' | 'end'> & { start: number; end: number } };

export function toStored(failure: BookingFailure): StoredFailure | null {
  if (failure instanceof SlotUnavailable) {
    return {
      type: 'SlotUnavailable',
      message: failure.message,
      requestedStartMs: failure.requestedStartMs,
      alternatives: failure.alternatives.map((a) => ({ ...a, slot: { ...a.slot, start: a.slot.start.getTime(), end: a.slot.end.getTime() } })),
    };
  }
  if (failure instanceof InvalidInput) return { type: 'InvalidInput', message: failure.message, field: failure.field };
  if (failure instanceof BookingNotFound) return { type: 'BookingNotFound', uid: failure.uid };
  if (failure instanceof ReservationExpired) return { type: 'ReservationExpired', reservationUid: failure.reservationUid };
  return null;
}

export function fromStored(stored: StoredFailure): BookingFailure {
  switch (stored.type) {
    case 'SlotUnavailable':
      return new SlotUnavailable(
        stored.message,
        stored.alternatives.map((a) => ({ ...a, slot: { ...a.slot, start: new Date(a.slot.start), end: new Date(a.slot.end) } })),
        stored.requestedStartMs,
      );
    case 'InvalidInput':
      return new InvalidInput(stored.field, stored.message);
    case 'BookingNotFound':
      return new BookingNotFound(stored.uid);
    case 'ReservationExpired':
      return new ReservationExpired(stored.reservationUid);
  }
}
