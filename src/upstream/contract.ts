/**
 * Facts of Cal.com's v2 API that both sides of slotgraph use: the gateway's client and the embedded
 * simulator (src/sim) read them from here, so they cannot drift apart. Each names its Cal.com source
 * (docs/calcom-contract.md).
 */
import { createHmac } from 'node:crypto';

/** `cal-api-version` per controller (docs/calcom-contract.md#api-versions). */
export const CALCOM_API_VERSIONS = {
  /** `GET /v2/slots`, `/v2/slots/reservations` (slots-2024-09-04 controller). */
  slots: '2024-09-04',
  /** `/v2/bookings` (bookings 2024-08-13 controller). */
  bookings: '2024-08-13',
  /** `GET /v2/event-types/{id}` (event-types_2024_06_14 controller). */
  eventTypes: '2024-06-14',
} as const;

/**
 * Limits of a booking's `metadata` (apps/api/v2/src/ee/bookings/2024-08-13 validators
 * validate-metadata.ts; docs/calcom-contract.md#bookings): at most 50 keys, keys at most 40
 * characters, values strings of at most 500 characters, numbers or booleans.
 */
export const BOOKING_METADATA_LIMITS = { maxKeys: 50, maxKeyLength: 40, maxStringValueLength: 500 } as const;

/**
 * The attendee `language` enum of `POST /v2/bookings` (packages/platform/types/bookings/2024-08-13/inputs/language.ts
 * @42e7dc49 `BookingLanguage`, validated with `@IsEnum` in create-booking.input.ts), verbatim and in
 * the enum's order; the default is `"en"` (input.service.ts `language: attendee.language || "en"`).
 */
export const ATTENDEE_LANGUAGES = [
  'ar', 'ca', 'de', 'es', 'eu', 'he', 'id', 'ja', 'lv', 'pl', 'ro', 'sr', 'th', 'vi',
  'az', 'cs', 'el', 'es-419', 'fi', 'hr', 'it', 'km', 'nl', 'pt', 'ru', 'sv', 'tr', 'zh-CN',
  'bg', 'da', 'en', 'et', 'fr', 'hu', 'iw', 'ko', 'no', 'pt-BR', 'sk', 'ta', 'uk', 'zh-TW', 'bn',
] as const;
export type AttendeeLanguage = (typeof ATTENDEE_LANGUAGES)[number];

/**
 * How long a reservation holds its slot when `reservationDuration` is not sent, in minutes
 * (apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots.service.ts `DEFAULT_RESERVATION_DURATION`).
 */
export const RESERVATION_DEFAULT_DURATION_MINUTES = 5;

/**
 * Cal.com's `error.message` texts for the refusals both sides act on (docs/calcom-contract.md#bookings,
 * #reservations), verbatim. Sources:
 * - apps/api/v2/src/ee/bookings/2024-08-13/services/errors.service.ts @5b6d63e6 (`handleBookingError`):
 *   `slotTakenIndividual`, `slotTakenTeam`, `outOfBounds`, `inThePast` (all 400 BadRequestException);
 * - apps/api/v2/src/ee/bookings/2024-08-13/services/bookings.service.ts @cd764fd8: `seatsFull` (409);
 * - apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots.service.ts @02321c33:
 *   `reservationBooked`, `reservationReserved` (422 UnprocessableEntityException);
 * - packages/platform/types/bookings/2024-08-13/inputs/create-booking.input.ts @9527f3c9: `attendeeContact`.
 */
export const CALCOM_MESSAGES = {
  slotTakenIndividual: 'User either already has booking at this time or is not available',
  slotTakenTeam: 'One of the hosts either already has booking at this time or is not available',
  outOfBounds:
    'The event type can\'t be booked at the "start" time provided. This could be because it\'s too soon (violating the minimum booking notice) or too far in the future (outside the event\'s scheduling window). Try fetching available slots first using the GET /v2/slots endpoint and then make a booking with "start" time equal to one of the available slots: https://cal.com/docs/api-reference/v2/slots',
  inThePast: 'Attempting to book a meeting in the past.',
  seatsFull: 'No more seats left at this seated booking.',
  reservationBooked: "Can't reserve a slot if the event is already booked.",
  reservationReserved: 'This time slot is already reserved by another user. Please choose a different time.',
  attendeeContact: 'Attendee must have at least one contact method (email or phone number)',
} as const;

/**
 * The 409 of a booking whose `reservedSlotUid` is not the earliest unexpired reservation of that
 * slot (packages/features/bookings/lib/handleNewBooking/createBookingWithReservedSlot.ts
 * `reserved_slot_not_first_in_line`, text from
 * apps/api/v2/src/ee/bookings/2024-08-13/controllers/e2e/reserved-slot-bookings.e2e-spec.ts;
 * version @91f65ebb of that spec expects status 400 instead). `seconds` until the other
 * reservation's release, a whole number.
 */
export const reservedByOtherMessage = (seconds: number) =>
  `Someone else reserved this booking time slot before you. This time slot will be freed up in ${seconds} seconds.`;
/** Matches {@link reservedByOtherMessage}; group 1 is the seconds. */
export const RESERVED_BY_OTHER_PATTERN = /^Someone else reserved this booking time slot before you\. This time slot will be freed up in (-?\d+) seconds\.$/;

/**
 * 404 of `GET /v2/bookings/{uid}` and `POST /v2/bookings/{uid}/reschedule`
 * (bookings.service.ts @cd764fd8 `getBooking`, `shouldRescheduleIndividualSeat`); the cancel route
 * says `Booking with uid=<uid> not found` (input.service.ts @3d4e8782 `createCancelBookingRequest`).
 */
export const bookingNotFoundMessage = (uid: string) => `Booking with uid=${uid} was not found in the database`;

/**
 * Webhook trigger values `POST /v2/webhooks` accepts: the enum `WebhookTriggerEvents`
 * (packages/prisma/schema.prisma @4d51873), verbatim and in the enum's order, as the `triggers` enum of
 * `CreateWebhookInputDto` in docs/api-reference/v2/openapi.json @4d51873 lists it
 * (apps/api/v2/src/modules/webhooks/inputs/webhook.input.ts: `@IsEnum(WebhookTriggerEvents, { each: true })`).
 * The DTO's documented examples `BOOKING_CONFIRMED`, `BOOKING_COMPLETED`, `BOOKING_NO_SHOW`,
 * `BOOKING_REOPENED` are not among them and fail validation (docs/calcom-contract.md#webhooks).
 */
export const CALCOM_WEBHOOK_TRIGGERS = [
  'BOOKING_CREATED', 'BOOKING_PAYMENT_INITIATED', 'BOOKING_PAID', 'BOOKING_RESCHEDULED', 'BOOKING_REQUESTED',
  'BOOKING_CANCELLED', 'BOOKING_REJECTED', 'BOOKING_NO_SHOW_UPDATED', 'FORM_SUBMITTED', 'MEETING_ENDED',
  'MEETING_STARTED', 'RECORDING_READY', 'INSTANT_MEETING', 'RECORDING_TRANSCRIPTION_GENERATED', 'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW', 'AFTER_GUESTS_CAL_VIDEO_NO_SHOW', 'FORM_SUBMITTED_NO_EVENT',
] as const;
export type CalcomWebhookTrigger = (typeof CALCOM_WEBHOOK_TRIGGERS)[number];

/**
 * How Cal.com delivers and signs a webhook (packages/features/webhooks/lib/sendPayload.ts @008952de
 * `createWebhookSignature`, `_sendPayload`; packages/features/webhooks/lib/service/WebhookService.ts
 * @e26484e4 `sendWebhookDirectly`; docs/calcom-contract.md#webhooks): a POST of
 * `JSON.stringify({triggerEvent, createdAt, payload})` whose `X-Cal-Signature-256` header is the
 * lowercase hex HMAC-SHA256 of the exact body with the webhook's secret as key, or the literal
 * `no-secret-provided` when the webhook has no (or an empty) secret. No timestamp or nonce header.
 * `X-Cal-Webhook-Version` is sent by the newer WebhookService (the webhook's `version`, default
 * `2021-10-20`), not by the Oct-2025 sendPayload path.
 */
export const CALCOM_WEBHOOK_DELIVERY = {
  signatureHeader: 'X-Cal-Signature-256',
  versionHeader: 'X-Cal-Webhook-Version',
  version: '2021-10-20',
  noSecretSignature: 'no-secret-provided',
} as const;

/**
 * The `X-Cal-Signature-256` value Cal.com sends for `body` (sendPayload.ts @008952de
 * `createWebhookSignature`): `createHmac("sha256", secret).update(body).digest("hex")`, or
 * `no-secret-provided` for a null or empty secret. A receiver verifies it over the raw request bytes.
 */
export function calcomWebhookSignature(secret: string | null | undefined, body: string | Buffer): string {
  return secret ? createHmac('sha256', secret).update(body).digest('hex') : CALCOM_WEBHOOK_DELIVERY.noSecretSignature;
}
