/**
 * `/v2/slots/reservations` (cal-api-version 2024-09-04; docs/calcom-contract.md#reservations):
 * hold a slot for a few minutes while a caller confirms. Instants as ms since the epoch.
 */
import { z } from 'zod';
import { CALCOM_API_VERSIONS } from './contract.js';
import type { RateLimitInfo } from './errors.js';
import { success, type Http, type RequestOptions } from './http.js';

/** A slot reservation as Cal.com answers it. */
export interface UpstreamReservation {
  uid: string;
  eventTypeId: number;
  startMs: number;
  endMs: number;
  /** Minutes. */
  slotDuration: number;
  /** When Cal.com frees the slot again (ms). */
  untilMs: number;
}

export interface ReserveSlotBody {
  eventTypeId: number;
  /** UTC instant, ISO 8601. */
  slotStart: string;
  /** Minutes; only for event types with several lengths. */
  slotDuration?: number;
  /** Minutes the hold lasts (Cal.com's default 5); needs the API key. */
  reservationDuration?: number;
}

const reservationSchema = z.looseObject({
  reservationUid: z.string(),
  eventTypeId: z.number().int(),
  slotStart: z.string(),
  slotEnd: z.string(),
  slotDuration: z.number().nullish(),
  reservationUntil: z.string(),
});

function toReservation(r: z.infer<typeof reservationSchema>): UpstreamReservation {
  const startMs = Date.parse(r.slotStart);
  const endMs = Date.parse(r.slotEnd);
  return {
    uid: r.reservationUid,
    eventTypeId: r.eventTypeId,
    startMs,
    endMs,
    slotDuration: r.slotDuration ?? Math.round((endMs - startMs) / 60_000),
    untilMs: Date.parse(r.reservationUntil),
  };
}

const version = CALCOM_API_VERSIONS.slots;
type Result<T> = Promise<{ value: T; rateLimit: RateLimitInfo }>;

/** `POST /v2/slots/reservations` → 201. @throws UpstreamError (422 booked, reserved or full; 404) */
export async function reserveSlot(http: Http, body: ReserveSlotBody, options?: RequestOptions): Result<UpstreamReservation> {
  const { data, rateLimit } = await http.call(
    { endpoint: 'reservations', method: 'POST', path: 'slots/reservations', version, body, schema: success(reservationSchema) },
    options,
  );
  return { value: toReservation(data.data), rateLimit };
}

/** `GET /v2/slots/reservations/{uid}`; null when Cal.com has no such reservation. */
export async function getReservation(http: Http, uid: string, options?: RequestOptions): Result<UpstreamReservation | null> {
  const { data, rateLimit } = await http.call(
    {
      endpoint: 'reservations',
      method: 'GET',
      path: `slots/reservations/${encodeURIComponent(uid)}`,
      version,
      schema: z.looseObject({ status: z.literal('success'), data: reservationSchema.nullish() }),
    },
    options,
  );
  return { value: data.data ? toReservation(data.data) : null, rateLimit };
}

/** `DELETE /v2/slots/reservations/{uid}` → 200, even for an unknown uid. */
export async function releaseReservation(http: Http, uid: string, options?: RequestOptions): Result<void> {
  const { rateLimit } = await http.call(
    { endpoint: 'reservations', method: 'DELETE', path: `slots/reservations/${encodeURIComponent(uid)}`, version, schema: z.looseObject({ status: z.literal('success') }) },
    options,
  );
  return { value: undefined, rateLimit };
}
