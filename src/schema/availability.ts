/** `availability`: free slots of one event type, day by day in the caller's time zone. */
import { badUserInput, toGraphQLError } from '../errors.js';
import { countLocalDays, gridZoneOf, horizonDate, listLocalDates, localDaysToRange, todayIn, toLocalSlotMs, type LocalSlot } from '../time.js';
import type { GatewayServices } from '../context.js';
import type { RequestLoaders } from '../loaders/index.js';
import type { CachedSlot } from '../loaders/slot-cache/index.js';
import { builder } from './builder.js';
import { canonicalZone, checkDuration, checkDurationOffered, checkEventTypeAccess, checkEventTypeId, checkWithinHorizon } from './inputs.js';

/** Longest span `availability` answers, in local days (inclusive). */
export const MAX_AVAILABILITY_DAYS = 31;

export const SlotRef = builder.objectRef<LocalSlot>('Slot').implement({
  description: 'A free slot. `start`/`end` are UTC instants; the local fields are in the time zone the query asked for.',
  fields: (t) => ({
    start: t.expose('start', { type: 'DateTime', description: 'UTC instant the slot starts.' }),
    end: t.expose('end', { type: 'DateTime', description: 'UTC instant the slot ends.' }),
    localDate: t.expose('localDate', { type: 'LocalDate', description: 'Local calendar day of `start` in the requested zone.' }),
    localTime: t.exposeString('localTime', { description: 'Local wall time of `start`, "HH:mm" (24 h), in the requested zone. Read this aloud, never `start`.' }),
    utcOffset: t.exposeString('utcOffset', { description: 'Offset of the requested zone at `start`, e.g. "+01:00"; differs across a DST switch.' }),
  }),
});

interface AvailabilityDayShape {
  date: string;
  slots: LocalSlot[];
  past: boolean;
}

const AvailabilityDayRef = builder.objectRef<AvailabilityDayShape>('AvailabilityDay').implement({
  description: 'One local calendar day of the requested range, with its free slots (possibly none).',
  fields: (t) => ({
    date: t.expose('date', { type: 'LocalDate' }),
    slots: t.expose('slots', { type: [SlotRef], description: 'Free slots starting on this local day, ascending.' }),
    past: t.exposeBoolean('past', {
      description: 'True when the whole day lies before today in the requested zone: it has no slots, and Cal.com was not asked.',
    }),
  }),
});

export interface AvailabilityShape {
  eventTypeId: number;
  timeZone: string;
  days: AvailabilityDayShape[];
  fetchedAt: Date;
  stale: boolean;
}

export const AvailabilityRef = builder.objectRef<AvailabilityShape>('Availability').implement({
  description: 'Free slots of an event type over a range of local days.',
  fields: (t) => ({
    eventTypeId: t.exposeInt('eventTypeId'),
    timeZone: t.expose('timeZone', { type: 'TimeZone', description: 'The zone every local field is computed in.' }),
    days: t.expose('days', {
      type: [AvailabilityDayRef],
      description: 'Every local day from `start` to `end` inclusive, in order; days without free slots have an empty list.',
    }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime', description: 'When Cal.com produced the oldest part of this data (UTC).' }),
    stale: t.exposeBoolean('stale', {
      description:
        'True when part of the data is older than the fresh TTL (SLOT_FRESH_TTL_MS, 30 s by default): served while a refresh runs, or because Cal.com could not be reached. `fetchedAt` says how old.',
    }),
  }),
});

builder.queryField('availability', (t) =>
  t.field({
    type: AvailabilityRef,
    nullable: true,
    description: `Free slots of an event type for the local days \`start\`..\`end\` (inclusive, at most ${MAX_AVAILABILITY_DAYS} days, none beyond one year ahead) in \`timeZone\`. Served from the shared slot cache; a miss costs one Cal.com call per 14 days of range (one for any range up to 13 days), shared with every concurrent caller. Bad arguments and days in the past cost none.`,
    args: {
      eventTypeId: t.arg.int({ required: true, description: 'Cal.com event type id (positive).' }),
      start: t.arg({ type: 'LocalDate', required: true, description: 'First local day, YYYY-MM-DD, in `timeZone`.' }),
      end: t.arg({ type: 'LocalDate', required: true, description: 'Last local day (inclusive), YYYY-MM-DD, in `timeZone`.' }),
      timeZone: t.arg({ type: 'TimeZone', required: true, description: "The caller's IANA zone, e.g. Europe/Berlin." }),
      duration: t.arg.int({ description: "Slot length in minutes, for event types with several lengths. Default: the event type's length." }),
    },
    resolve: (_root, args, { loaders, services }) => computeAvailability(args, loaders, services),
  }),
);

/**
 * Slots rendered per zone, kept as long as the cached slot they render (the slot cache shares its
 * decoded day buckets between requests), so a warm answer renders nothing. Rendered slots are
 * shared too: read-only. One WeakMap per canonical zone name (a bounded set).
 */
const rendered = new Map<string, WeakMap<CachedSlot, LocalSlot>>();
function renderSlot(slot: CachedSlot, zone: string): LocalSlot {
  let inZone = rendered.get(zone);
  if (!inZone) rendered.set(zone, (inZone = new WeakMap()));
  let local = inZone.get(slot);
  if (!local) inZone.set(slot, (local = toLocalSlotMs(slot.start, slot.end, zone)));
  return local;
}

/** The arguments of `availability` (and of the `availabilityLive` subscription). */
export interface AvailabilityArgs {
  eventTypeId: number;
  start: string;
  end: string;
  timeZone: string;
  duration?: number | null | undefined;
}

/**
 * Checks the arguments (each failure a BAD_USER_INPUT naming the argument, before any call) and
 * reads the window through `loaders`: every local day from `start` to `end` in the caller's zone.
 * @throws GraphQLError (BAD_USER_INPUT, NOT_FOUND, QUOTA_EXHAUSTED, UPSTREAM_UNAVAILABLE, …)
 */
export async function computeAvailability(args: AvailabilityArgs, loaders: RequestLoaders, services: GatewayServices): Promise<AvailabilityShape> {
  const { timeZone, range, gridZone, now } = checkAvailabilityArgs(args, services.now());
  checkEventTypeAccess(services, args.eventTypeId);
  await checkDurationOffered(loaders, args.eventTypeId, args.duration);
  const result = await loaders.slots
    .load({ eventTypeId: args.eventTypeId, range, gridZone, ...(args.duration != null ? { duration: args.duration } : {}) })
    .catch((err: unknown) => {
      throw toGraphQLError(err, { message: `Event type ${args.eventTypeId} was not found at Cal.com.`, argument: 'eventTypeId' });
    });
  const byDate = new Map<string, LocalSlot[]>(listLocalDates(args.start, args.end).map((d) => [d, []]));
  for (const slot of result.slots) {
    const local = renderSlot(slot, timeZone);
    byDate.get(local.localDate)?.push(local);
  }
  const today = todayIn(now, timeZone);
  return {
    eventTypeId: args.eventTypeId,
    timeZone,
    days: [...byDate].map(([date, slots]) => ({ date, slots, past: date < today })),
    fetchedAt: new Date(result.fetchedAt),
    stale: result.stale,
  };
}

/** The argument checks of {@link computeAvailability}, and the window they describe. */
export function checkAvailabilityArgs(args: AvailabilityArgs, now: number) {
  checkEventTypeId(args.eventTypeId);
  checkDuration(args.duration);
  const timeZone = canonicalZone(args.timeZone);
  const days = countLocalDays(args.start, args.end);
  if (days === 0) throw badUserInput('end', `${args.end} is before start ${args.start}`);
  if (days > MAX_AVAILABILITY_DAYS) {
    throw badUserInput('end', `the range ${args.start}..${args.end} spans ${days} days; at most ${MAX_AVAILABILITY_DAYS} are allowed`);
  }
  const horizon = horizonDate(now, timeZone);
  checkWithinHorizon(args.start, horizon, 'start');
  checkWithinHorizon(args.end, horizon, 'end');
  return { timeZone, range: localDaysToRange(args.start, args.end, timeZone), gridZone: gridZoneOf(timeZone, now), now };
}
