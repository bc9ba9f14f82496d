/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "\n  query VoiceAgentAlternatives($eventTypeId: Int!, $wishedLocal: String!, $timeZone: TimeZone!, $locale: String!) {\n    alternatives(eventTypeId: $eventTypeId, wishedLocal: $wishedLocal, timeZone: $timeZone, locale: $locale, limit: 3) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localDate\n        localTime\n      }\n      alternatives {\n        label\n        dayOffset\n        slot {\n          start\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n": typeof types.VoiceAgentAlternativesDocument,
    "\n  query VoiceAgentOfferedDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n": typeof types.VoiceAgentOfferedDaysDocument,
    "\n  subscription VoiceAgentSlotsChanged($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      reason\n      affectedDates\n    }\n  }\n": typeof types.VoiceAgentSlotsChangedDocument,
    "\n  mutation VoiceAgentHoldSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        expiresAt\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.VoiceAgentHoldSlotDocument,
    "\n  mutation VoiceAgentBook($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        localDate\n        localTime\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.VoiceAgentBookDocument,
};
const documents: Documents = {
    "\n  query VoiceAgentAlternatives($eventTypeId: Int!, $wishedLocal: String!, $timeZone: TimeZone!, $locale: String!) {\n    alternatives(eventTypeId: $eventTypeId, wishedLocal: $wishedLocal, timeZone: $timeZone, locale: $locale, limit: 3) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localDate\n        localTime\n      }\n      alternatives {\n        label\n        dayOffset\n        slot {\n          start\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n": types.VoiceAgentAlternativesDocument,
    "\n  query VoiceAgentOfferedDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n": types.VoiceAgentOfferedDaysDocument,
    "\n  subscription VoiceAgentSlotsChanged($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      reason\n      affectedDates\n    }\n  }\n": types.VoiceAgentSlotsChangedDocument,
    "\n  mutation VoiceAgentHoldSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        expiresAt\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.VoiceAgentHoldSlotDocument,
    "\n  mutation VoiceAgentBook($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        localDate\n        localTime\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.VoiceAgentBookDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VoiceAgentAlternatives($eventTypeId: Int!, $wishedLocal: String!, $timeZone: TimeZone!, $locale: String!) {\n    alternatives(eventTypeId: $eventTypeId, wishedLocal: $wishedLocal, timeZone: $timeZone, locale: $locale, limit: 3) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localDate\n        localTime\n      }\n      alternatives {\n        label\n        dayOffset\n        slot {\n          start\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query VoiceAgentAlternatives($eventTypeId: Int!, $wishedLocal: String!, $timeZone: TimeZone!, $locale: String!) {\n    alternatives(eventTypeId: $eventTypeId, wishedLocal: $wishedLocal, timeZone: $timeZone, locale: $locale, limit: 3) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localDate\n        localTime\n      }\n      alternatives {\n        label\n        dayOffset\n        slot {\n          start\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query VoiceAgentOfferedDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query VoiceAgentOfferedDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription VoiceAgentSlotsChanged($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      reason\n      affectedDates\n    }\n  }\n"): (typeof documents)["\n  subscription VoiceAgentSlotsChanged($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      reason\n      affectedDates\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VoiceAgentHoldSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        expiresAt\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VoiceAgentHoldSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        expiresAt\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation VoiceAgentBook($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        localDate\n        localTime\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation VoiceAgentBook($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        localDate\n        localTime\n      }\n      ... on SlotUnavailable {\n        alternatives {\n          label\n          slot {\n            start\n          }\n        }\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;