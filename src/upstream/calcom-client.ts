/**
 * The Cal.com v2 client: one HTTP transport (src/upstream/http.ts) and one module per Cal.com
 * resource (slots, event types, bookings, reservations), each with its `cal-api-version`
 * (docs/calcom-contract.md#api-versions) and its answers parsed with zod into typed values. Every
 * failure is one {@link UpstreamError}.
 *
 * This is the raw transport: one HTTP request per call, no quota. Everything in the gateway goes
 * through the quota scheduler instead (src/upstream/scheduled-calcom.ts).
 */
import * as bookings from './bookings.js';
import * as eventTypes from './event-types.js';
import type { RateLimitInfo } from './errors.js';
import { createHttp, type HttpOptions, type RequestOptions } from './http.js';
import * as reservations from './reservations.js';
import * as slots from './slots.js';

export { UpstreamError, type RateLimitInfo } from './errors.js';
export { CALCOM_API_VERSIONS } from './contract.js';
export type { RequestOptions } from './http.js';
export type { SlotsQuery, UpstreamSlot } from './slots.js';
export type { UpstreamEventType } from './event-types.js';
export type { CreateBookingBody, ListBookingsQuery, RescheduleBookingBody, UpstreamAttendee, UpstreamBooking } from './bookings.js';
export type { ReserveSlotBody, UpstreamReservation } from './reservations.js';

export type CalcomClientOptions = HttpOptions;

type Result<T> = Promise<{ value: T; rateLimit: RateLimitInfo }>;

export interface CalcomClient {
  /** `GET /v2/slots`: see {@link slots.getSlots}. */
  getSlots(query: slots.SlotsQuery, options?: RequestOptions): Promise<{ slots: slots.UpstreamSlot[]; rateLimit: RateLimitInfo }>;
  /** `GET /v2/event-types/{id}` (needs the API key). */
  getEventType(id: number, options?: RequestOptions): Promise<{ eventType: eventTypes.UpstreamEventType; rateLimit: RateLimitInfo }>;
  createBooking(body: bookings.CreateBookingBody, options?: RequestOptions): Result<bookings.UpstreamBooking>;
  getBooking(uid: string, options?: RequestOptions): Result<bookings.UpstreamBooking>;
  listBookings(query: bookings.ListBookingsQuery, options?: RequestOptions): Result<bookings.UpstreamBooking[]>;
  cancelBooking(uid: string, reason: string | undefined, options?: RequestOptions): Result<bookings.UpstreamBooking>;
  rescheduleBooking(uid: string, body: bookings.RescheduleBookingBody, options?: RequestOptions): Result<bookings.UpstreamBooking>;
  reserveSlot(body: reservations.ReserveSlotBody, options?: RequestOptions): Result<reservations.UpstreamReservation>;
  getReservation(uid: string, options?: RequestOptions): Result<reservations.UpstreamReservation | null>;
  releaseReservation(uid: string, options?: RequestOptions): Result<void>;
  /** Requests answered 401 with the primary key and retried with the secondary one, since start. */
  secondaryKeyFallbacks(): number;
  /** Frees keep-alive sockets. */
  close(): void;
}

export function createCalcomClient(options: CalcomClientOptions): CalcomClient {
  const http = createHttp(options);
  return {
    getSlots: (query, o) => slots.getSlots(http, query, o),
    getEventType: (id, o) => eventTypes.getEventType(http, id, o),
    createBooking: (body, o) => bookings.createBooking(http, body, o),
    getBooking: (uid, o) => bookings.getBooking(http, uid, o),
    listBookings: (query, o) => bookings.listBookings(http, query, o),
    cancelBooking: (uid, reason, o) => bookings.cancelBooking(http, uid, reason, o),
    rescheduleBooking: (uid, body, o) => bookings.rescheduleBooking(http, uid, body, o),
    reserveSlot: (body, o) => reservations.reserveSlot(http, body, o),
    getReservation: (uid, o) => reservations.getReservation(http, uid, o),
    releaseReservation: (uid, o) => reservations.releaseReservation(http, uid, o),
    secondaryKeyFallbacks: () => http.secondaryKeyFallbacks(),
    close: () => http.close(),
  };
}
