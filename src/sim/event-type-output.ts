/**
 * `GET /v2/event-types/{id}` bodies (cal-api-version 2024-06-14), following
 * apps/api/v2/src/ee/event-types/event-types_2024_06_14/services/output-event-types.service.ts
 * (user event types) and apps/api/v2/src/modules/organizations/event-types/services/output.service.ts
 * (team event types: no `ownerId`/`users` of the user shape, `hosts`, `teamId`, `team`). Only the
 * fields the simulator models, in Cal.com's key order; fields Cal.com leaves undefined are absent.
 */
import type { SimEventType, SimHost } from './model.js';

/** transformers/internal-to-api/seats.ts: `{disabled: true}` without seats. */
function seatsOutput(et: SimEventType) {
  if (et.seatsPerTimeSlot == null) return { disabled: true as const };
  return {
    seatsPerTimeSlot: et.seatsPerTimeSlot,
    showAttendeeInfo: !!et.seatsShowAttendees,
    showAvailabilityCount: !!et.seatsShowAvailabilityCount,
  };
}

/** output-event-types.service.ts getResponseEventType; `users` entries as its user select (packages/prisma/schema.prisma defaults). */
function userEventTypeFields(et: SimEventType) {
  return {
    id: et.id,
    ownerId: et.ownerId,
    lengthInMinutes: et.lengthInMinutes,
    ...(et.lengthInMinutesOptions ? { lengthInMinutesOptions: et.lengthInMinutesOptions } : {}),
    title: et.title,
    slug: et.slug,
    description: et.description || '',
    locations: [],
    bookingFields: [],
    recurrence: null,
    disableGuests: false,
    slotInterval: et.slotInterval,
    minimumBookingNotice: et.minimumBookingNotice,
    beforeEventBuffer: et.beforeEventBuffer,
    afterEventBuffer: et.afterEventBuffer,
    metadata: {},
    price: 0,
    currency: 'usd',
    lockTimeZoneToggleOnBookingPage: false,
    forwardParamsSuccessRedirect: null,
    successRedirectUrl: null,
    isInstantEvent: false,
    users: [
      { id: et.ownerId, name: null, username: null, avatarUrl: null, brandColor: null, darkBrandColor: null, weekStart: 'Sunday', metadata: null },
    ],
    scheduleId: et.id,
    seats: seatsOutput(et),
    hidden: false,
    bookingRequiresAuthentication: false,
  };
}

const hostName = (h: SimHost) => ({ name: h.name ?? '', username: h.username ?? '' });

/** output.service.ts hosts: per scheduling type; name/username fall back to "". */
function hostsOutput(et: SimEventType) {
  switch (et.schedulingType) {
    case 'roundRobin':
      return et.hosts.map((h) => ({ userId: h.userId, ...hostName(h), mandatory: h.mandatory, priority: h.priority, avatarUrl: null }));
    case 'collective':
    case 'managed':
      return et.hosts.map((h) => ({ userId: h.userId, ...hostName(h), avatarUrl: null }));
    default:
      return [];
  }
}

/** The body's `data` for an event type: the user shape, or the team shape when `teamId` is set. */
export function toEventTypeOutput(et: SimEventType) {
  const { ownerId: _ownerId, users: _users, ...rest } = userEventTypeFields(et);
  if (et.teamId === null) return userEventTypeFields(et);
  return {
    ...rest,
    hosts: hostsOutput(et),
    teamId: et.teamId,
    ownerId: null,
    parentEventTypeId: null,
    schedulingType: et.schedulingType,
    assignAllTeamMembers: false,
    // Team columns as in packages/prisma/schema.prisma (nullable, weekStart defaults to "Sunday").
    team: {
      id: et.teamId,
      name: et.team?.name ?? `Team ${et.teamId}`,
      slug: et.team?.slug ?? `team-${et.teamId}`,
      bannerUrl: null,
      logoUrl: null,
      weekStart: 'Sunday',
      brandColor: null,
      darkBrandColor: null,
      theme: null,
    },
    rescheduleWithSameRoundRobinHost: false,
    rrHostSubsetEnabled: false,
  };
}
