/** `eventType`: one Cal.com event type (GET /v2/event-types/{id}, cached per credential for 5 min). */
import { toGraphQLError } from '../errors.js';
import type { UpstreamEventType } from '../upstream/calcom-client.js';
import { builder } from './builder.js';
import { checkEventTypeAccess, checkEventTypeId } from './inputs.js';

const EventTypeRef = builder.objectRef<UpstreamEventType>('EventType').implement({
  description: "A Cal.com event type (a bookable service), with Cal.com's field names (GET /v2/event-types/{id}; docs/calcom-contract.md#event-types).",
  fields: (t) => ({
    id: t.exposeInt('id'),
    slug: t.exposeString('slug'),
    title: t.exposeString('title'),
    description: t.exposeString('description', { nullable: true }),
    lengthInMinutes: t.exposeInt('lengthInMinutes', { description: 'Default slot length in minutes.' }),
    lengthInMinutesOptions: t.exposeIntList('lengthInMinutesOptions', {
      nullable: true,
      description: 'Possible lengths in minutes for multi-duration event types; pass one as `duration`.',
    }),
    slotInterval: t.exposeInt('slotInterval', { nullable: true, description: 'Minutes between slot starts; null = the length.' }),
    minimumBookingNotice: t.exposeInt('minimumBookingNotice', { nullable: true, description: 'Minutes of notice a booking needs.' }),
    beforeEventBuffer: t.exposeInt('beforeEventBuffer', { nullable: true, description: 'Minutes kept free before each booking.' }),
    afterEventBuffer: t.exposeInt('afterEventBuffer', { nullable: true, description: 'Minutes kept free after each booking.' }),
    seatsPerTimeSlot: t.exposeInt('seatsPerTimeSlot', {
      nullable: true,
      description: "Seats per slot for seated event types (Cal.com's `seats.seatsPerTimeSlot`); null when seats are disabled.",
    }),
    teamId: t.exposeInt('teamId', { nullable: true, description: 'The team of a team event type; null for a user event type.' }),
    hostUserIds: t.exposeIntList('hostUserIds', {
      description:
        "Cal.com user ids whose bookings (of any of their event types) take this event type's slots: the owner, or the team event type's hosts.",
    }),
    schedulingType: t.exposeString('schedulingType', {
      nullable: true,
      description: "Team event types: Cal.com's `roundRobin`, `collective` or `managed`; null for individual ones.",
    }),
  }),
});

builder.queryField('eventType', (t) =>
  t.field({
    type: EventTypeRef,
    nullable: true,
    description: 'One event type by id. Unknown ids give a NOT_FOUND error.',
    args: { id: t.arg.int({ required: true, description: 'Cal.com event type id (positive).' }) },
    resolve: async (_root, { id }, { loaders, services }) => {
      checkEventTypeId(id, 'id');
      checkEventTypeAccess(services, id, 'id');
      return loaders.eventType.load(id).catch((err: unknown) => {
        throw toGraphQLError(err, { message: `Event type ${id} was not found at Cal.com.`, argument: 'id' });
      });
    },
  }),
);
