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
    "\n  query Alternatives(\n    $eventTypeId: Int!\n    $wishedStart: DateTime\n    $wishedLocal: String\n    $timeZone: TimeZone!\n    $limit: Int\n    $searchDays: Int\n    $locale: String\n  ) {\n    alternatives(\n      eventTypeId: $eventTypeId\n      wishedStart: $wishedStart\n      wishedLocal: $wishedLocal\n      timeZone: $timeZone\n      limit: $limit\n      searchDays: $searchDays\n      locale: $locale\n    ) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localTime\n        utcOffset\n      }\n      alternatives {\n        strategy\n        dayOffset\n        minutesFromWish\n        label\n        slot {\n          start\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n      searchedFrom\n      searchedTo\n      stale\n      fetchedAt\n    }\n  }\n": typeof types.AlternativesDocument,
    "\n  query Availability($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      eventTypeId\n      timeZone\n      fetchedAt\n      stale\n      days {\n        date\n        slots {\n          start\n          end\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n    }\n  }\n": typeof types.AvailabilityDocument,
    "\n  query EventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      slug\n      title\n      lengthInMinutes\n      schedulingType\n    }\n  }\n": typeof types.EventTypeDocument,
    "\n  mutation CreateBooking($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        eventTypeId\n        start\n        end\n        timeZone\n        localDate\n        localTime\n        utcOffset\n        attendees {\n          name\n          email\n          timeZone\n        }\n      }\n      ... on SlotUnavailable {\n        requestedStart\n        alternatives {\n          slot {\n            start\n            localTime\n          }\n          label\n        }\n      }\n      ... on InvalidInput {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CreateBookingDocument,
    "\n  mutation ReserveSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        start\n        end\n        expiresAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.ReserveSlotDocument,
    "\n  mutation CancelBooking($input: CancelBookingInput!) {\n    cancelBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.CancelBookingDocument,
    "\n  mutation RescheduleBooking($input: RescheduleBookingInput!) {\n    rescheduleBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        start\n        localTime\n        rescheduledFromUid\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": typeof types.RescheduleBookingDocument,
    "\n  query BookingDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n          localTime\n        }\n      }\n    }\n  }\n": typeof types.BookingDayDocument,
    "\n  query FidelityDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      timeZone\n      days {\n        date\n        past\n        slots {\n          start\n          end\n          localTime\n        }\n      }\n    }\n  }\n": typeof types.FidelityDaysDocument,
    "\n  query FidelityWish($eventTypeId: Int!, $wishedStart: DateTime, $wishedLocal: String, $timeZone: TimeZone!) {\n    alternatives(eventTypeId: $eventTypeId, wishedStart: $wishedStart, wishedLocal: $wishedLocal, timeZone: $timeZone) {\n      wishInPast\n      wishedSlotAvailable\n      searchedFrom\n      searchedTo\n      alternatives {\n        slot {\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n": typeof types.FidelityWishDocument,
    "\n  query FidelityEventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      seatsPerTimeSlot\n      teamId\n      hostUserIds\n    }\n  }\n": typeof types.FidelityEventTypeDocument,
    "\n  subscription SlotsChanged($eventTypeId: Int!, $start: LocalDate, $end: LocalDate, $timeZone: TimeZone) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      eventTypeId\n      reason\n      affectedDates\n      occurredAt\n    }\n  }\n": typeof types.SlotsChangedDocument,
    "\n  subscription AvailabilityLive($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availabilityLive(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        date\n        slots {\n          start\n        }\n      }\n    }\n  }\n": typeof types.AvailabilityLiveDocument,
    "\n  query LiveDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n": typeof types.LiveDayDocument,
    "\n  query EventTypeTitle($id: Int!) {\n    eventType(id: $id) {\n      title\n    }\n  }\n": typeof types.EventTypeTitleDocument,
};
const documents: Documents = {
    "\n  query Alternatives(\n    $eventTypeId: Int!\n    $wishedStart: DateTime\n    $wishedLocal: String\n    $timeZone: TimeZone!\n    $limit: Int\n    $searchDays: Int\n    $locale: String\n  ) {\n    alternatives(\n      eventTypeId: $eventTypeId\n      wishedStart: $wishedStart\n      wishedLocal: $wishedLocal\n      timeZone: $timeZone\n      limit: $limit\n      searchDays: $searchDays\n      locale: $locale\n    ) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localTime\n        utcOffset\n      }\n      alternatives {\n        strategy\n        dayOffset\n        minutesFromWish\n        label\n        slot {\n          start\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n      searchedFrom\n      searchedTo\n      stale\n      fetchedAt\n    }\n  }\n": types.AlternativesDocument,
    "\n  query Availability($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      eventTypeId\n      timeZone\n      fetchedAt\n      stale\n      days {\n        date\n        slots {\n          start\n          end\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n    }\n  }\n": types.AvailabilityDocument,
    "\n  query EventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      slug\n      title\n      lengthInMinutes\n      schedulingType\n    }\n  }\n": types.EventTypeDocument,
    "\n  mutation CreateBooking($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        eventTypeId\n        start\n        end\n        timeZone\n        localDate\n        localTime\n        utcOffset\n        attendees {\n          name\n          email\n          timeZone\n        }\n      }\n      ... on SlotUnavailable {\n        requestedStart\n        alternatives {\n          slot {\n            start\n            localTime\n          }\n          label\n        }\n      }\n      ... on InvalidInput {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CreateBookingDocument,
    "\n  mutation ReserveSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        start\n        end\n        expiresAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.ReserveSlotDocument,
    "\n  mutation CancelBooking($input: CancelBookingInput!) {\n    cancelBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.CancelBookingDocument,
    "\n  mutation RescheduleBooking($input: RescheduleBookingInput!) {\n    rescheduleBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        start\n        localTime\n        rescheduledFromUid\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n": types.RescheduleBookingDocument,
    "\n  query BookingDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n          localTime\n        }\n      }\n    }\n  }\n": types.BookingDayDocument,
    "\n  query FidelityDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      timeZone\n      days {\n        date\n        past\n        slots {\n          start\n          end\n          localTime\n        }\n      }\n    }\n  }\n": types.FidelityDaysDocument,
    "\n  query FidelityWish($eventTypeId: Int!, $wishedStart: DateTime, $wishedLocal: String, $timeZone: TimeZone!) {\n    alternatives(eventTypeId: $eventTypeId, wishedStart: $wishedStart, wishedLocal: $wishedLocal, timeZone: $timeZone) {\n      wishInPast\n      wishedSlotAvailable\n      searchedFrom\n      searchedTo\n      alternatives {\n        slot {\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n": types.FidelityWishDocument,
    "\n  query FidelityEventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      seatsPerTimeSlot\n      teamId\n      hostUserIds\n    }\n  }\n": types.FidelityEventTypeDocument,
    "\n  subscription SlotsChanged($eventTypeId: Int!, $start: LocalDate, $end: LocalDate, $timeZone: TimeZone) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      eventTypeId\n      reason\n      affectedDates\n      occurredAt\n    }\n  }\n": types.SlotsChangedDocument,
    "\n  subscription AvailabilityLive($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availabilityLive(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        date\n        slots {\n          start\n        }\n      }\n    }\n  }\n": types.AvailabilityLiveDocument,
    "\n  query LiveDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n": types.LiveDayDocument,
    "\n  query EventTypeTitle($id: Int!) {\n    eventType(id: $id) {\n      title\n    }\n  }\n": types.EventTypeTitleDocument,
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
export function graphql(source: "\n  query Alternatives(\n    $eventTypeId: Int!\n    $wishedStart: DateTime\n    $wishedLocal: String\n    $timeZone: TimeZone!\n    $limit: Int\n    $searchDays: Int\n    $locale: String\n  ) {\n    alternatives(\n      eventTypeId: $eventTypeId\n      wishedStart: $wishedStart\n      wishedLocal: $wishedLocal\n      timeZone: $timeZone\n      limit: $limit\n      searchDays: $searchDays\n      locale: $locale\n    ) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localTime\n        utcOffset\n      }\n      alternatives {\n        strategy\n        dayOffset\n        minutesFromWish\n        label\n        slot {\n          start\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n      searchedFrom\n      searchedTo\n      stale\n      fetchedAt\n    }\n  }\n"): (typeof documents)["\n  query Alternatives(\n    $eventTypeId: Int!\n    $wishedStart: DateTime\n    $wishedLocal: String\n    $timeZone: TimeZone!\n    $limit: Int\n    $searchDays: Int\n    $locale: String\n  ) {\n    alternatives(\n      eventTypeId: $eventTypeId\n      wishedStart: $wishedStart\n      wishedLocal: $wishedLocal\n      timeZone: $timeZone\n      limit: $limit\n      searchDays: $searchDays\n      locale: $locale\n    ) {\n      wishedSlotAvailable\n      wishedSlot {\n        start\n        localTime\n        utcOffset\n      }\n      alternatives {\n        strategy\n        dayOffset\n        minutesFromWish\n        label\n        slot {\n          start\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n      searchedFrom\n      searchedTo\n      stale\n      fetchedAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query Availability($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      eventTypeId\n      timeZone\n      fetchedAt\n      stale\n      days {\n        date\n        slots {\n          start\n          end\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query Availability($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      eventTypeId\n      timeZone\n      fetchedAt\n      stale\n      days {\n        date\n        slots {\n          start\n          end\n          localDate\n          localTime\n          utcOffset\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      slug\n      title\n      lengthInMinutes\n      schedulingType\n    }\n  }\n"): (typeof documents)["\n  query EventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      slug\n      title\n      lengthInMinutes\n      schedulingType\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CreateBooking($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        eventTypeId\n        start\n        end\n        timeZone\n        localDate\n        localTime\n        utcOffset\n        attendees {\n          name\n          email\n          timeZone\n        }\n      }\n      ... on SlotUnavailable {\n        requestedStart\n        alternatives {\n          slot {\n            start\n            localTime\n          }\n          label\n        }\n      }\n      ... on InvalidInput {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CreateBooking($input: CreateBookingInput!) {\n    createBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n        eventTypeId\n        start\n        end\n        timeZone\n        localDate\n        localTime\n        utcOffset\n        attendees {\n          name\n          email\n          timeZone\n        }\n      }\n      ... on SlotUnavailable {\n        requestedStart\n        alternatives {\n          slot {\n            start\n            localTime\n          }\n          label\n        }\n      }\n      ... on InvalidInput {\n        field\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation ReserveSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        start\n        end\n        expiresAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation ReserveSlot($input: ReserveSlotInput!) {\n    reserveSlot(input: $input) {\n      __typename\n      ... on Reservation {\n        uid\n        start\n        end\n        expiresAt\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation CancelBooking($input: CancelBookingInput!) {\n    cancelBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation CancelBooking($input: CancelBookingInput!) {\n    cancelBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        status\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  mutation RescheduleBooking($input: RescheduleBookingInput!) {\n    rescheduleBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        start\n        localTime\n        rescheduledFromUid\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"): (typeof documents)["\n  mutation RescheduleBooking($input: RescheduleBookingInput!) {\n    rescheduleBooking(input: $input) {\n      __typename\n      ... on Booking {\n        uid\n        start\n        localTime\n        rescheduledFromUid\n      }\n      ... on Error {\n        message\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query BookingDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n          localTime\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query BookingDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n          localTime\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FidelityDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      timeZone\n      days {\n        date\n        past\n        slots {\n          start\n          end\n          localTime\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query FidelityDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {\n    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {\n      timeZone\n      days {\n        date\n        past\n        slots {\n          start\n          end\n          localTime\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FidelityWish($eventTypeId: Int!, $wishedStart: DateTime, $wishedLocal: String, $timeZone: TimeZone!) {\n    alternatives(eventTypeId: $eventTypeId, wishedStart: $wishedStart, wishedLocal: $wishedLocal, timeZone: $timeZone) {\n      wishInPast\n      wishedSlotAvailable\n      searchedFrom\n      searchedTo\n      alternatives {\n        slot {\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query FidelityWish($eventTypeId: Int!, $wishedStart: DateTime, $wishedLocal: String, $timeZone: TimeZone!) {\n    alternatives(eventTypeId: $eventTypeId, wishedStart: $wishedStart, wishedLocal: $wishedLocal, timeZone: $timeZone) {\n      wishInPast\n      wishedSlotAvailable\n      searchedFrom\n      searchedTo\n      alternatives {\n        slot {\n          localDate\n          localTime\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query FidelityEventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      seatsPerTimeSlot\n      teamId\n      hostUserIds\n    }\n  }\n"): (typeof documents)["\n  query FidelityEventType($id: Int!) {\n    eventType(id: $id) {\n      id\n      seatsPerTimeSlot\n      teamId\n      hostUserIds\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription SlotsChanged($eventTypeId: Int!, $start: LocalDate, $end: LocalDate, $timeZone: TimeZone) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      eventTypeId\n      reason\n      affectedDates\n      occurredAt\n    }\n  }\n"): (typeof documents)["\n  subscription SlotsChanged($eventTypeId: Int!, $start: LocalDate, $end: LocalDate, $timeZone: TimeZone) {\n    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      eventTypeId\n      reason\n      affectedDates\n      occurredAt\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  subscription AvailabilityLive($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availabilityLive(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        date\n        slots {\n          start\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  subscription AvailabilityLive($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {\n    availabilityLive(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {\n      days {\n        date\n        slots {\n          start\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query LiveDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n"): (typeof documents)["\n  query LiveDay($eventTypeId: Int!, $date: LocalDate!) {\n    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: \"Europe/Berlin\") {\n      days {\n        slots {\n          start\n        }\n      }\n    }\n  }\n"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "\n  query EventTypeTitle($id: Int!) {\n    eventType(id: $id) {\n      title\n    }\n  }\n"): (typeof documents)["\n  query EventTypeTitle($id: Int!) {\n    eventType(id: $id) {\n      title\n    }\n  }\n"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;