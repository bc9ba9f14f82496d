/**
 * Facts of Cal.com's v2 API that both sides of slotgraph use: the gateway's client and the embedded
 * simulator (src/sim) read them from here, so they cannot drift apart. Each names its Cal.com source
 * (docs/calcom-contract.md).
 */

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
