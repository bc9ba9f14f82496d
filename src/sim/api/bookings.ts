/**
 * `/v2/bookings` (cal-api-version 2024-08-13; docs/calcom-contract.md#bookings):
 * apps/api/v2/src/ee/bookings/2024-08-13/controllers/bookings.controller.ts @cf521577 (routes,
 * guards, status codes: create and reschedule 201, cancel 200), the pipes in booking-input.ts and
 * the writes in booking-engine.ts.
 */
import { bookingNotFoundMessage } from '../../upstream/contract.js';
import { cancelBooking, createBooking, listBookings, rescheduleBooking } from '../booking-engine.js';
import { validateBookingsQuery, validateCancelBooking, validateCreateBooking, validateRescheduleBooking } from '../booking-input.js';
import { hostEmail, toBookingOutput } from '../booking-output.js';
import { HttpFailure } from '../http.js';
import { SIM_USER_ID } from '../webhooks.js';
import { isAuthenticated, permissionsGuard, success, type ApiHandler } from './context.js';

/** The pipes' 400: BadRequestException with the formatted message. */
function pipe<T>(v: { ok: true; value: T } | { ok: false; message: string; details?: unknown }): T {
  if (!v.ok) throw new HttpFailure(400, 'BadRequestException', v.message, v.details ?? true);
  return v.value;
}

/** `POST /v2/bookings` → 201 (OptionalApiAuthGuard; no idempotency). */
export const postBooking: ApiHandler = ({ state, body }) => {
  const booking = createBooking(state, pipe(validateCreateBooking(body)), { source: 'api' });
  return success(201, toBookingOutput(state, booking, { withSeatUid: true }));
};

/** `GET /v2/bookings/{uid}` → 200 / 404 (BookingUidGuard, OptionalApiAuthGuard). */
export const getBooking: ApiHandler = ({ state, params }) => {
  const booking = state.booking(params.uid!);
  if (!booking) throw new HttpFailure(404, 'NotFoundException', bookingNotFoundMessage(params.uid!));
  return success(200, toBookingOutput(state, booking));
};

/**
 * `GET /v2/bookings` → 200 with `pagination` (controller-level PermissionsGuard, then ApiAuthGuard:
 * an API key is required; apps/api/v2/src/lib/pagination/pagination.ts @b8b90810 getPagination).
 */
export const getBookings: ApiHandler = ({ state, req, url }) => {
  permissionsGuard(req);
  const query = pipe(validateBookingsQuery(Object.fromEntries(url.searchParams)));
  const { bookings, totalCount, skip, take } = listBookings(state, query);
  const safeSkip = Math.max(0, Math.min(skip, totalCount));
  const totalPages = take !== 0 ? Math.ceil(totalCount / take) : 0;
  const pagination = {
    itemsReturned: Math.max(0, Math.min(totalCount - safeSkip, take)),
    totalItems: totalCount,
    itemsPerPage: take,
    remainingItems: Math.max(0, Math.min(totalCount - (safeSkip + take), totalCount)),
    currentPage: totalPages === 0 ? 0 : Math.max(1, Math.min(Math.floor(safeSkip / take) + 1, totalPages)),
    totalPages,
    hasNextPage: safeSkip + take < totalCount,
    hasPreviousPage: safeSkip > 0,
  };
  return success(
    200,
    bookings.map((b) => toBookingOutput(state, b)),
    { pagination },
  );
};

/**
 * `POST /v2/bookings/{uid}/cancel` → 200 with the cancelled booking. The BOOKING_CANCELLED webhook's
 * `cancelledBy` is the authenticated caller's email (handleCancelBooking.ts takes `cancelledBy` from its
 * caller; what the v2 controller passes is UNCONFIRMED), none for an anonymous cancel.
 */
export const postCancel: ApiHandler = ({ state, req, params, body }) => {
  const cancelledBy = isAuthenticated(req) ? hostEmail(SIM_USER_ID) : undefined;
  const booking = cancelBooking(state, params.uid!, pipe(validateCancelBooking(body)), cancelledBy ? { cancelledBy } : {});
  return success(200, toBookingOutput(state, booking));
};

/** `POST /v2/bookings/{uid}/reschedule` → 201 with the NEW booking. */
export const postReschedule: ApiHandler = ({ state, params, body }) => {
  const booking = rescheduleBooking(state, params.uid!, pipe(validateRescheduleBooking(body)));
  return success(201, toBookingOutput(state, booking, { withSeatUid: true }));
};
