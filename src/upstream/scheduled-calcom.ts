/**
 * Cal.com as the rest of the gateway sees it: every call goes through the quota scheduler, with the
 * caller's priority, deadline and cancellation signal. Reads (GET) may be retried by the scheduler;
 * writes never are.
 */
import type { CallOptions, QuotaScheduler } from '../quota/scheduler.js';
import type {
  CalcomClient,
  CreateBookingBody,
  ListBookingsQuery,
  RescheduleBookingBody,
  ReserveSlotBody,
  SlotsQuery,
  UpstreamBooking,
  UpstreamEventType,
  UpstreamReservation,
  UpstreamSlot,
} from './calcom-client.js';

export interface CalcomApi {
  /** `GET /v2/slots` (endpoint group `slots`). */
  getSlots(query: SlotsQuery, call?: CallOptions): Promise<{ slots: UpstreamSlot[] }>;
  /** The quota refusal a call with these options would get now, known without a round trip (QuotaScheduler.refusalFor). */
  refusalFor(call?: CallOptions): Error | undefined;
  /** `GET /v2/event-types/{id}` (endpoint group `eventTypes`). */
  getEventType(id: number, call?: CallOptions): Promise<UpstreamEventType>;
  /** `POST /v2/bookings` (group `bookings`; never retried). */
  createBooking(body: CreateBookingBody, call?: CallOptions): Promise<UpstreamBooking>;
  getBooking(uid: string, call?: CallOptions): Promise<UpstreamBooking>;
  listBookings(query: ListBookingsQuery, call?: CallOptions): Promise<UpstreamBooking[]>;
  cancelBooking(uid: string, reason: string | undefined, call?: CallOptions): Promise<UpstreamBooking>;
  rescheduleBooking(uid: string, body: RescheduleBookingBody, call?: CallOptions): Promise<UpstreamBooking>;
  /** `POST /v2/slots/reservations` (group `reservations`; never retried). */
  reserveSlot(body: ReserveSlotBody, call?: CallOptions): Promise<UpstreamReservation>;
  getReservation(uid: string, call?: CallOptions): Promise<UpstreamReservation | null>;
  releaseReservation(uid: string, call?: CallOptions): Promise<void>;
}

export function createScheduledCalcom(client: CalcomClient, scheduler: QuotaScheduler): CalcomApi {
  return {
    refusalFor: (call) => scheduler.refusalFor(call),
    getSlots: (query, call) =>
      scheduler.schedule(
        {
          group: 'slots',
          method: 'GET',
          run: async (signal) => {
            const result = await client.getSlots(query, { signal });
            return { value: result, rateLimit: result.rateLimit };
          },
        },
        call,
      ),
    getEventType: (id, call) =>
      scheduler.schedule(
        {
          group: 'eventTypes',
          method: 'GET',
          run: async (signal) => {
            const { eventType, rateLimit } = await client.getEventType(id, { signal });
            return { value: eventType, rateLimit };
          },
        },
        call,
      ),
    createBooking: (body, call) => scheduler.schedule({ group: 'bookings', method: 'POST', run: (signal) => client.createBooking(body, { signal }) }, call),
    getBooking: (uid, call) => scheduler.schedule({ group: 'bookings', method: 'GET', run: (signal) => client.getBooking(uid, { signal }) }, call),
    listBookings: (query, call) => scheduler.schedule({ group: 'bookings', method: 'GET', run: (signal) => client.listBookings(query, { signal }) }, call),
    cancelBooking: (uid, reason, call) =>
      scheduler.schedule({ group: 'bookings', method: 'POST', run: (signal) => client.cancelBooking(uid, reason, { signal }) }, call),
    rescheduleBooking: (uid, body, call) =>
      scheduler.schedule({ group: 'bookings', method: 'POST', run: (signal) => client.rescheduleBooking(uid, body, { signal }) }, call),
    reserveSlot: (body, call) => scheduler.schedule({ group: 'reservations', method: 'POST', run: (signal) => client.reserveSlot(body, { signal }) }, call),
    getReservation: (uid, call) => scheduler.schedule({ group: 'reservations', method: 'GET', run: (signal) => client.getReservation(uid, { signal }) }, call),
    releaseReservation: (uid, call) =>
      scheduler.schedule({ group: 'reservations', method: 'DELETE', run: (signal) => client.releaseReservation(uid, { signal }) }, call),
  };
}
