/**
 * `/v2/bookings` (cal-api-version 2024-08-13; docs/calcom-contract.md#bookings): create, read,
 * list, cancel, reschedule. Instants cross this module as ms since the epoch.
 */
import { z } from 'zod';
import { CALCOM_API_VERSIONS } from './contract.js';
import type { RateLimitInfo } from './errors.js';
import { success, type Http, type RequestOptions } from './http.js';

/** An attendee as Cal.com's booking output has it. */
export interface UpstreamAttendee {
  name: string;
  email: string | null;
  phoneNumber: string | null;
  /** IANA zone. */
  timeZone: string;
  language: string | null;
}

/** What the gateway reads of `BookingOutput_2024_08_13`. */
export interface UpstreamBooking {
  id: number;
  uid: string;
  title: string;
  /** Cal.com's REST casing: `accepted`, `pending`, `cancelled`, `rejected`, `awaiting_host`. */
  status: string;
  /** UTC instants, ms since the epoch. */
  startMs: number;
  endMs: number;
  /** Minutes. */
  duration: number;
  eventTypeId: number;
  attendees: UpstreamAttendee[];
  guests: string[];
  /** Cal.com lists the organizer only, even for collective event types. */
  hosts: Array<{ id: number; name: string | null }>;
  metadata: Record<string, unknown>;
  location: string | null;
  meetingUrl: string | null;
  cancellationReason: string | null;
  rescheduledFromUid: string | null;
  rescheduledToUid: string | null;
  /** ms since the epoch, when Cal.com has it. */
  createdAtMs: number | null;
}

/** The body of `POST /v2/bookings` slotgraph sends (`CreateBookingInput_2024_08_13`). */
export interface CreateBookingBody {
  /** UTC instant, ISO 8601. */
  start: string;
  eventTypeId: number;
  attendee: { name: string; timeZone: string; email?: string; phoneNumber?: string; language?: string };
  guests?: string[];
  metadata?: Record<string, string | number | boolean>;
  /** Only for event types with several lengths. */
  lengthInMinutes?: number;
  /** Newer Cal.com only: books the caller's own reservation (docs/calcom-contract.md#reservations). */
  reservedSlotUid?: string;
}

export interface RescheduleBookingBody {
  start: string;
  reschedulingReason?: string;
  reservedSlotUid?: string;
}

export interface ListBookingsQuery {
  eventTypeId: number;
  /** Bookings starting at or after this instant (ms). */
  afterStartMs: number;
  /** Bookings ending at or before this instant (ms). */
  beforeEndMs: number;
  /** @default 100 */
  take?: number;
}

const iso = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 instant');
const attendeeSchema = z.looseObject({
  name: z.string(),
  email: z.string().nullish(),
  phoneNumber: z.string().nullish(),
  timeZone: z.string(),
  language: z.string().nullish(),
});
const bookingSchema = z.looseObject({
  id: z.number().int(),
  uid: z.string(),
  title: z.string().nullish(),
  status: z.string(),
  start: iso,
  end: iso,
  duration: z.number().nullish(),
  eventTypeId: z.number().int().nullish(),
  eventType: z.looseObject({ id: z.number().int() }).nullish(),
  attendees: z.array(attendeeSchema).nullish(),
  guests: z.array(z.string()).nullish(),
  hosts: z.array(z.looseObject({ id: z.number().int(), name: z.string().nullish() })).nullish(),
  metadata: z.record(z.string(), z.unknown()).nullish(),
  location: z.string().nullish(),
  meetingUrl: z.string().nullish(),
  cancellationReason: z.string().nullish(),
  rescheduledFromUid: z.string().nullish(),
  rescheduledToUid: z.string().nullish(),
  createdAt: z.string().nullish(),
});
type RawBooking = z.infer<typeof bookingSchema>;

function toBooking(b: RawBooking): UpstreamBooking {
  const startMs = Date.parse(b.start);
  const endMs = Date.parse(b.end);
  return {
    id: b.id,
    uid: b.uid,
    title: b.title ?? '',
    status: b.status.toLowerCase(),
    startMs,
    endMs,
    duration: b.duration ?? Math.round((endMs - startMs) / 60_000),
    eventTypeId: b.eventTypeId ?? b.eventType?.id ?? 0,
    attendees: (b.attendees ?? []).map((a) => ({
      name: a.name,
      email: a.email ?? null,
      phoneNumber: a.phoneNumber ?? null,
      timeZone: a.timeZone,
      language: a.language ?? null,
    })),
    guests: b.guests ?? [],
    hosts: (b.hosts ?? []).map((h) => ({ id: h.id, name: h.name ?? null })),
    metadata: b.metadata ?? {},
    location: b.location ?? null,
    meetingUrl: b.meetingUrl ?? null,
    cancellationReason: b.cancellationReason ?? null,
    rescheduledFromUid: b.rescheduledFromUid ?? null,
    rescheduledToUid: b.rescheduledToUid ?? null,
    createdAtMs: b.createdAt ? Date.parse(b.createdAt) : null,
  };
}

const bookingResponse = success(bookingSchema);
const version = CALCOM_API_VERSIONS.bookings;
type Result<T> = Promise<{ value: T; rateLimit: RateLimitInfo }>;

/** `POST /v2/bookings` → 201. @throws UpstreamError (400 slot taken or invalid, 404, 409 reserved by someone else) */
export async function createBooking(http: Http, body: CreateBookingBody, options?: RequestOptions): Result<UpstreamBooking> {
  const { data, rateLimit } = await http.call({ endpoint: 'bookings', method: 'POST', path: 'bookings', version, body, schema: bookingResponse }, options);
  return { value: toBooking(data.data), rateLimit };
}

/** `GET /v2/bookings/{uid}`. @throws UpstreamError (404 unknown uid) */
export async function getBooking(http: Http, uid: string, options?: RequestOptions): Result<UpstreamBooking> {
  const { data, rateLimit } = await http.call(
    { endpoint: 'bookings', method: 'GET', path: `bookings/${encodeURIComponent(uid)}`, version, schema: bookingResponse },
    options,
  );
  return { value: toBooking(data.data), rateLimit };
}

/** `GET /v2/bookings` filtered by event type and time (needs the API key). */
export async function listBookings(http: Http, query: ListBookingsQuery, options?: RequestOptions): Result<UpstreamBooking[]> {
  const searchParams = {
    eventTypeId: query.eventTypeId,
    afterStart: new Date(query.afterStartMs).toISOString(),
    beforeEnd: new Date(query.beforeEndMs).toISOString(),
    take: query.take ?? 100,
  };
  const schema = z.looseObject({ status: z.literal('success'), data: z.array(bookingSchema) });
  const { data, rateLimit } = await http.call({ endpoint: 'bookings', method: 'GET', path: 'bookings', version, searchParams, schema }, options);
  return { value: data.data.map(toBooking), rateLimit };
}

/** `POST /v2/bookings/{uid}/cancel` → 200. @throws UpstreamError (400 already cancelled, 404) */
export async function cancelBooking(http: Http, uid: string, reason: string | undefined, options?: RequestOptions): Result<UpstreamBooking> {
  const { data, rateLimit } = await http.call(
    {
      endpoint: 'bookings',
      method: 'POST',
      path: `bookings/${encodeURIComponent(uid)}/cancel`,
      version,
      body: reason ? { cancellationReason: reason } : {},
      schema: bookingResponse,
    },
    options,
  );
  return { value: toBooking(data.data), rateLimit };
}

/** `POST /v2/bookings/{uid}/reschedule` → 201, the NEW booking. @throws UpstreamError */
export async function rescheduleBooking(http: Http, uid: string, body: RescheduleBookingBody, options?: RequestOptions): Result<UpstreamBooking> {
  const { data, rateLimit } = await http.call(
    { endpoint: 'bookings', method: 'POST', path: `bookings/${encodeURIComponent(uid)}/reschedule`, version, body, schema: bookingResponse },
    options,
  );
  return { value: toBooking(data.data), rateLimit };
}
