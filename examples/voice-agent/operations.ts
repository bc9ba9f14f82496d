/**
 * The GraphQL operations the voice agent sends. Typed by GraphQL Code Generator from the committed
 * schema.graphql into ./gql (regenerate with `npx graphql-codegen --config examples/voice-agent/codegen.ts`).
 */
import { graphql } from './gql/index.js';

/** "Is the wished time free, and if not, what is?" in one query, labels ready to read aloud. */
export const Alternatives = graphql(`
  query VoiceAgentAlternatives($eventTypeId: Int!, $wishedLocal: String!, $timeZone: TimeZone!, $locale: String!) {
    alternatives(eventTypeId: $eventTypeId, wishedLocal: $wishedLocal, timeZone: $timeZone, locale: $locale, limit: 3) {
      wishedSlotAvailable
      wishedSlot {
        start
        localDate
        localTime
      }
      alternatives {
        label
        dayOffset
        slot {
          start
          localDate
          localTime
        }
      }
    }
  }
`);

/** The free slots of the offered days, read again after a change. */
export const OfferedDays = graphql(`
  query VoiceAgentOfferedDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {
    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {
      days {
        slots {
          start
        }
      }
    }
  }
`);

/** Changes of the offered days while the caller thinks (graphql-ws). */
export const OfferedSlotsChanged = graphql(`
  subscription VoiceAgentSlotsChanged($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {
    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {
      reason
      affectedDates
    }
  }
`);

/** Holds the chosen slot at Cal.com while the caller confirms. */
export const HoldSlot = graphql(`
  mutation VoiceAgentHoldSlot($input: ReserveSlotInput!) {
    reserveSlot(input: $input) {
      __typename
      ... on Reservation {
        uid
        expiresAt
      }
      ... on SlotUnavailable {
        alternatives {
          label
          slot {
            start
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);

/** Books it; the same idempotency key on a retry answers the same booking. */
export const Book = graphql(`
  mutation VoiceAgentBook($input: CreateBookingInput!) {
    createBooking(input: $input) {
      __typename
      ... on Booking {
        uid
        status
        localDate
        localTime
      }
      ... on SlotUnavailable {
        alternatives {
          label
          slot {
            start
          }
        }
      }
      ... on Error {
        message
      }
    }
  }
`);
