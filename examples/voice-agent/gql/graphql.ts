/* eslint-disable */
/** Internal type. DO NOT USE DIRECTLY. */
type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
/** Internal type. DO NOT USE DIRECTLY. */
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
/** Who the booking is for. Cal.com needs an e-mail address or a phone number. */
export type AttendeeInput = {
  email?: string | null | undefined;
  /** One of Cal.com's attendee languages, e.g. en, de, es-419; default en. */
  language?: string | null | undefined;
  name: string;
  /** E.164, e.g. "+4930123456". */
  phoneNumber?: string | null | undefined;
  /** IANA zone, e.g. "Europe/Berlin": the booking’s local fields and the alternatives’ words are in it. */
  timeZone: string;
};

/** Cal.com's booking status (its REST API writes it in lower case). */
export type BookingStatus =
  | 'ACCEPTED'
  | 'AWAITING_HOST'
  | 'CANCELLED'
  | 'PENDING'
  | 'REJECTED';

export type CreateBookingInput = {
  attendee: AttendeeInput;
  /** Minutes, for event types with several lengths; default the event type’s length. */
  duration?: number | null | undefined;
  eventTypeId: number;
  /** E-mail addresses of further attendees. */
  guests?: Array<string> | null | undefined;
  /** Required. A fresh key (a UUID) per intended change, reused on every retry of it: the same key with the same input gives the first result without a second Cal.com call, on any instance, for 24 h; with other input it is refused. */
  idempotencyKey: string;
  /** Kept with the booking at Cal.com: an object of at most 49 keys (≤ 40 characters) with strings (≤ 500), numbers or booleans. */
  metadata?: unknown;
  /** The `uid` of a reservation (reserveSlot) held for this slot. */
  reservationUid?: string | number | null | undefined;
  /** The slot’s start: a `start` from `availability` or `alternatives`. */
  start: string;
};

export type ReserveSlotInput = {
  /** Minutes, for event types with several lengths. */
  duration?: number | null | undefined;
  eventTypeId: number;
  /** Required. A fresh key (a UUID) per intended change, reused on every retry of it: the same key with the same input gives the first result without a second Cal.com call, on any instance, for 24 h; with other input it is refused. */
  idempotencyKey: string;
  /** Language of the alternatives’ labels (en, de); default en. */
  locale?: string | null | undefined;
  start: string;
  /** The caller's IANA zone, for the alternatives of a refusal; default UTC. */
  timeZone?: string | null | undefined;
};

/** Why slots changed. */
export type SlotChangeReason =
  /** A cancellation (or rejection) freed the time. */
  | 'BOOKING_CANCELLED'
  /** A booking took the time. */
  | 'BOOKING_CREATED'
  /** A booking that needs confirmation may hold the time. */
  | 'BOOKING_REQUESTED'
  /** A booking moved: its old time is free, its new time taken. */
  | 'BOOKING_RESCHEDULED'
  /** A reservation holds the time for a few minutes. */
  | 'RESERVATION_CREATED'
  /** A reservation was released. */
  | 'RESERVATION_RELEASED'
  /** A later re-read found Cal.com’s slots changed (a webhook had outrun Cal.com’s own reads). */
  | 'REVALIDATED'
  /** Cal.com refused a booking: the time was taken elsewhere. */
  | 'SLOT_TAKEN';

export type VoiceAgentAlternativesQueryVariables = Exact<{
  eventTypeId: number;
  wishedLocal: string;
  timeZone: string;
  locale: string;
}>;


export type VoiceAgentAlternativesQuery = { alternatives: { wishedSlotAvailable: boolean, wishedSlot: { start: string, localDate: string, localTime: string } | null, alternatives: Array<{ label: string, dayOffset: number, slot: { start: string, localDate: string, localTime: string } }> } | null };

export type VoiceAgentOfferedDaysQueryVariables = Exact<{
  eventTypeId: number;
  start: string;
  end: string;
  timeZone: string;
}>;


export type VoiceAgentOfferedDaysQuery = { availability: { days: Array<{ slots: Array<{ start: string }> }> } | null };

export type VoiceAgentSlotsChangedSubscriptionVariables = Exact<{
  eventTypeId: number;
  start: string;
  end: string;
  timeZone: string;
}>;


export type VoiceAgentSlotsChangedSubscription = { slotsChanged: { reason: SlotChangeReason, affectedDates: Array<string> } };

export type VoiceAgentHoldSlotMutationVariables = Exact<{
  input: ReserveSlotInput;
}>;


export type VoiceAgentHoldSlotMutation = { reserveSlot:
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'QuotaExhausted', message: string }
    | { __typename: 'Reservation', uid: string, expiresAt: string }
    | { __typename: 'SlotUnavailable', message: string, alternatives: Array<{ label: string, slot: { start: string } }> }
    | { __typename: 'UpstreamUnavailable', message: string }
   };

export type VoiceAgentBookMutationVariables = Exact<{
  input: CreateBookingInput;
}>;


export type VoiceAgentBookMutation = { createBooking:
    | { __typename: 'Booking', uid: string, status: BookingStatus, localDate: string, localTime: string }
    | { __typename: 'InvalidInput', message: string }
    | { __typename: 'QuotaExhausted', message: string }
    | { __typename: 'ReservationExpired', message: string }
    | { __typename: 'SlotUnavailable', message: string, alternatives: Array<{ label: string, slot: { start: string } }> }
    | { __typename: 'UpstreamUnavailable', message: string }
   };


export const VoiceAgentAlternativesDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VoiceAgentAlternatives"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"eventTypeId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"wishedLocal"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeZone"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"locale"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alternatives"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"eventTypeId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"eventTypeId"}}},{"kind":"Argument","name":{"kind":"Name","value":"wishedLocal"},"value":{"kind":"Variable","name":{"kind":"Name","value":"wishedLocal"}}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}},{"kind":"Argument","name":{"kind":"Name","value":"locale"},"value":{"kind":"Variable","name":{"kind":"Name","value":"locale"}}},{"kind":"Argument","name":{"kind":"Name","value":"limit"},"value":{"kind":"IntValue","value":"3"}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"wishedSlotAvailable"}},{"kind":"Field","name":{"kind":"Name","value":"wishedSlot"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"localDate"}},{"kind":"Field","name":{"kind":"Name","value":"localTime"}}]}},{"kind":"Field","name":{"kind":"Name","value":"alternatives"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"dayOffset"}},{"kind":"Field","name":{"kind":"Name","value":"slot"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}},{"kind":"Field","name":{"kind":"Name","value":"localDate"}},{"kind":"Field","name":{"kind":"Name","value":"localTime"}}]}}]}}]}}]}}]} as unknown as DocumentNode<VoiceAgentAlternativesQuery, VoiceAgentAlternativesQueryVariables>;
export const VoiceAgentOfferedDaysDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"VoiceAgentOfferedDays"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"eventTypeId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"start"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LocalDate"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"end"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LocalDate"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeZone"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"availability"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"eventTypeId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"eventTypeId"}}},{"kind":"Argument","name":{"kind":"Name","value":"start"},"value":{"kind":"Variable","name":{"kind":"Name","value":"start"}}},{"kind":"Argument","name":{"kind":"Name","value":"end"},"value":{"kind":"Variable","name":{"kind":"Name","value":"end"}}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"days"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slots"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}}]}}]}}]}}]}}]} as unknown as DocumentNode<VoiceAgentOfferedDaysQuery, VoiceAgentOfferedDaysQueryVariables>;
export const VoiceAgentSlotsChangedDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"VoiceAgentSlotsChanged"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"eventTypeId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"start"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LocalDate"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"end"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"LocalDate"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"TimeZone"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"slotsChanged"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"eventTypeId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"eventTypeId"}}},{"kind":"Argument","name":{"kind":"Name","value":"start"},"value":{"kind":"Variable","name":{"kind":"Name","value":"start"}}},{"kind":"Argument","name":{"kind":"Name","value":"end"},"value":{"kind":"Variable","name":{"kind":"Name","value":"end"}}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reason"}},{"kind":"Field","name":{"kind":"Name","value":"affectedDates"}}]}}]}}]} as unknown as DocumentNode<VoiceAgentSlotsChangedSubscription, VoiceAgentSlotsChangedSubscriptionVariables>;
export const VoiceAgentHoldSlotDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VoiceAgentHoldSlot"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"ReserveSlotInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"reserveSlot"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Reservation"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uid"}},{"kind":"Field","name":{"kind":"Name","value":"expiresAt"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SlotUnavailable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alternatives"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"slot"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<VoiceAgentHoldSlotMutation, VoiceAgentHoldSlotMutationVariables>;
export const VoiceAgentBookDocument = {"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"mutation","name":{"kind":"Name","value":"VoiceAgentBook"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"input"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"CreateBookingInput"}}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"createBooking"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"input"},"value":{"kind":"Variable","name":{"kind":"Name","value":"input"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"__typename"}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Booking"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"uid"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"localDate"}},{"kind":"Field","name":{"kind":"Name","value":"localTime"}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"SlotUnavailable"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"alternatives"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"label"}},{"kind":"Field","name":{"kind":"Name","value":"slot"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"start"}}]}}]}}]}},{"kind":"InlineFragment","typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"Error"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"message"}}]}}]}}]}}]} as unknown as DocumentNode<VoiceAgentBookMutation, VoiceAgentBookMutationVariables>;