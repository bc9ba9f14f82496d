/**
 * Validation of mutation inputs before any upstream call, as Cal.com would validate them
 * (docs/calcom-contract.md#bookings): attendee name; an e-mail address or an E.164 phone number;
 * an IANA zone; a language Cal.com knows; metadata within Cal.com's limits; a start in the future
 * and inside the horizon. Each failure is one {@link InvalidInput} naming the field's path.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { MAX_DURATION_MINUTES } from '../schema/inputs.js';
import { horizonDate, isValidZone } from '../time.js';
import { ATTENDEE_LANGUAGES, BOOKING_METADATA_LIMITS } from '../upstream/contract.js';
import { InvalidInput } from './errors.js';

/** The metadata key under which slotgraph records a booking's idempotency key at Cal.com (so a booking can be found after a timeout). */
export const IDEMPOTENCY_METADATA_KEY = 'slotgraphIdempotencyKey';

const idempotencyKey = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces (a UUID is a good key)');
const uid = z.string().trim().min(1, 'must not be empty').max(128, 'is too long');
const eventTypeId = z.number().int().positive('must be a positive Cal.com event type id');
const duration = z.number().int().min(1).max(MAX_DURATION_MINUTES, `must be at most ${MAX_DURATION_MINUTES} minutes`);
const reason = z.string().max(1000, 'must be at most 1000 characters');
const zone = z.string().refine(isValidZone, 'must be an IANA time zone, e.g. Europe/Berlin');
/** E.164, as Cal.com requires attendee phone numbers. */
const phone = z.string().regex(/^\+[1-9]\d{6,14}$/, 'must be an E.164 phone number, e.g. +4930123456');
const email = z.email('must be an e-mail address');

const metadata = z
  .record(z.string(), z.union([z.string().max(BOOKING_METADATA_LIMITS.maxStringValueLength, `values must be at most ${BOOKING_METADATA_LIMITS.maxStringValueLength} characters`), z.number(), z.boolean()]))
  .superRefine((value, ctx) => {
    const keys = Object.keys(value);
    // One key is slotgraph's own (IDEMPOTENCY_METADATA_KEY).
    if (keys.length > BOOKING_METADATA_LIMITS.maxKeys - 1) ctx.addIssue({ code: 'custom', message: `at most ${BOOKING_METADATA_LIMITS.maxKeys - 1} keys` });
    for (const key of keys) {
      if (key.length > BOOKING_METADATA_LIMITS.maxKeyLength) ctx.addIssue({ code: 'custom', path: [key], message: `keys must be at most ${BOOKING_METADATA_LIMITS.maxKeyLength} characters` });
      if (key === IDEMPOTENCY_METADATA_KEY) ctx.addIssue({ code: 'custom', path: [key], message: 'is reserved for slotgraph' });
    }
  });

const attendee = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
    email: email.nullish(),
    phoneNumber: phone.nullish(),
    timeZone: zone,
    language: z.enum(ATTENDEE_LANGUAGES, `must be one of Cal.com's languages: ${ATTENDEE_LANGUAGES.join(', ')}`).nullish(),
  })
  .superRefine((a, ctx) => {
    if (!a.email && !a.phoneNumber) {
      ctx.addIssue({ code: 'custom', path: ['email'], message: 'give an e-mail address or a phone number: Cal.com needs one way to reach the attendee' });
    }
  });

const start = z.date().refine((d) => !Number.isNaN(d.getTime()), 'must be a valid instant');

export const createBookingSchema = z.object({
  eventTypeId,
  start,
  duration: duration.nullish(),
  attendee,
  guests: z.array(email).max(30, 'at most 30 guests').nullish(),
  metadata: metadata.nullish(),
  reservationUid: uid.nullish(),
  idempotencyKey,
});
export type CreateBookingRequest = z.infer<typeof createBookingSchema>;

export const reserveSlotSchema = z.object({
  eventTypeId,
  start,
  duration: duration.nullish(),
  /** For the alternatives of a refusal: the caller's zone and label language. */
  timeZone: zone.nullish(),
  locale: z.string().nullish(),
  idempotencyKey,
});

export const cancelBookingSchema = z.object({ uid, reason: reason.nullish(), idempotencyKey });

export const rescheduleBookingSchema = z.object({ uid, start, reason: reason.nullish(), idempotencyKey });

/** Parses `input` with `schema`; the first problem becomes an {@link InvalidInput} naming its field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'input';
  throw new InvalidInput(field, `Invalid ${field}: ${issue.message}`);
}

/** Refuses a start that is not in the future, or after the horizon in `zone` (today + 364 days). */
export function checkStart(startMs: number, nowMs: number, timeZone: string, field = 'start'): void {
  if (startMs <= nowMs) throw new InvalidInput(field, `Invalid ${field}: ${new Date(startMs).toISOString()} is not in the future`);
  const localDate = DateTime.fromMillis(startMs, { zone: timeZone }).toISODate();
  const horizon = horizonDate(nowMs, timeZone);
  // A year past 9999 is written `+010000-…` and would sort before any horizon: refused by shape.
  if (!localDate || !/^\d{4}-/.test(localDate) || localDate > horizon) {
    throw new InvalidInput(field, `Invalid ${field}: ${localDate} is beyond Cal.com's booking horizon (until ${horizon})`);
  }
}

/** A fingerprint of a mutation and its input (the idempotency key left out), for idempotency records. */
export function fingerprint(mutation: string, input: Record<string, unknown>): string {
  const { idempotencyKey: _key, ...rest } = input;
  return createHash('sha256').update(`${mutation}\n${canonicalJson(rest)}`).digest('hex');
}

/** JSON with object keys sorted, so equal inputs give equal text whatever their key order. */
function canonicalJson(value: unknown): string {
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined && v !== null);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
