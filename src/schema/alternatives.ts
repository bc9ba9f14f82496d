/** `alternatives`: is the wished time free, and if not, the nearest free slots, labelled for a voice agent. */
import { DateTime } from 'luxon';
import { findAlternatives } from '../alternatives/find.js';
import { ALTERNATIVE_STRATEGIES, type Alternative } from '../alternatives/search.js';
import { SUPPORTED_LANGUAGES, supportedLocale } from '../alternatives/labels.js';
import { resolveWallTime } from '../alternatives/wish.js';
import { badUserInput, toGraphQLError } from '../errors.js';
import { horizonDate, type LocalSlot } from '../time.js';
import { SlotRef } from './availability.js';
import { builder } from './builder.js';
import { canonicalZone, checkDuration, checkDurationOffered, checkEventTypeAccess, checkEventTypeId, checkWithinHorizon } from './inputs.js';

/** Largest `limit` accepted. */
export const MAX_ALTERNATIVES = 20;
/** Largest `searchDays` accepted (up to 12 keeps a cold search at one Cal.com call). */
export const MAX_SEARCH_DAYS = 28;

const STRATEGY_DESCRIPTIONS: Record<(typeof ALTERNATIVE_STRATEGIES)[number], string> = {
  SAME_DAY_EARLIER: 'On the wished day, before the wished time.',
  SAME_DAY_LATER: 'On the wished day, after the wished time.',
  NEXT_DAYS_SAME_TIME: 'On one of the next `searchDays` days, at about the wished time of day (within 2 h).',
  SAME_WEEKDAY_NEXT_WEEK: 'Seven days after the wished day, nearest the wished time of day.',
  NEXT_AVAILABLE: 'The first free slots after the wish, whatever the time of day.',
};

const AlternativeStrategyRef = builder.enumType('AlternativeStrategy', {
  description: 'Why an alternative was offered, in ranking order.',
  values: Object.fromEntries(ALTERNATIVE_STRATEGIES.map((s) => [s, { value: s, description: STRATEGY_DESCRIPTIONS[s] }])) as Record<
    (typeof ALTERNATIVE_STRATEGIES)[number],
    { value: (typeof ALTERNATIVE_STRATEGIES)[number]; description: string }
  >,
});

export const AlternativeRef = builder.objectRef<Alternative>('Alternative').implement({
  description: 'A free slot offered instead of the wished one.',
  fields: (t) => ({
    slot: t.expose('slot', { type: SlotRef }),
    strategy: t.expose('strategy', { type: AlternativeStrategyRef }),
    dayOffset: t.exposeInt('dayOffset', { description: 'Local calendar days from the wished day in the caller’s zone (0 = the same day).' }),
    minutesFromWish: t.exposeInt('minutesFromWish', { description: 'Minutes from the wished instant to the slot start; negative = earlier.' }),
    label: t.exposeString('label', {
      description:
        'Words to read aloud in `locale`: "same day, 09:30" / "am selben Tag, 09:30 Uhr" on the wished day only; otherwise weekday and date, e.g. "Montag, 27. Oktober, 07:00 Uhr".',
    }),
  }),
});

interface AlternativesShape {
  wishedSlotAvailable: boolean;
  wishInPast: boolean;
  wishedSlot: LocalSlot | null;
  alternatives: Alternative[];
  searchedFrom: string;
  searchedTo: string;
  stale: boolean;
  fetchedAt: Date;
}

const AlternativesResultRef = builder.objectRef<AlternativesShape>('AlternativesResult').implement({
  description: 'Whether the wished slot is free, and what to offer instead.',
  fields: (t) => ({
    wishedSlotAvailable: t.exposeBoolean('wishedSlotAvailable', { description: 'True when a free slot starts exactly at the wish.' }),
    wishedSlot: t.expose('wishedSlot', { type: SlotRef, nullable: true, description: 'That slot, when free.' }),
    wishInPast: t.exposeBoolean('wishInPast', {
      description: 'True when the wished time has already passed: it cannot be booked, and days wholly in the past were not searched (they have no slots).',
    }),
    alternatives: t.expose('alternatives', {
      type: [AlternativeRef],
      description: 'At most `limit` other free slots, best first: the wished day nearest the wish, then the next days at about the same time, then the same weekday next week, then the first free ones.',
    }),
    searchedFrom: t.expose('searchedFrom', { type: 'LocalDate', description: 'The wished local day.' }),
    searchedTo: t.expose('searchedTo', {
      type: 'LocalDate',
      description: 'The last local day searched: the wished day plus max(searchDays, 7), but never beyond one year ahead (Cal.com computes no further).',
    }),
    stale: t.exposeBoolean('stale', { description: 'As `Availability.stale`.' }),
    fetchedAt: t.expose('fetchedAt', { type: 'DateTime', description: 'As `Availability.fetchedAt`.' }),
  }),
});

builder.queryField('alternatives', (t) =>
  t.field({
    type: AlternativesResultRef,
    nullable: true,
    description:
      'Is the wished time free, and if not, what is? Give the wish as an instant (`wishedStart`) or as local wall time in `timeZone` (`wishedLocal`), exactly one. Reads the whole search window at once: one Cal.com call cold (for searchDays ≤ 12), none warm.',
    args: {
      eventTypeId: t.arg.int({ required: true, description: 'Cal.com event type id (positive).' }),
      wishedStart: t.arg({ type: 'DateTime', description: 'The wished start as an instant, RFC 3339 with offset or Z.' }),
      wishedLocal: t.arg.string({ description: 'The wished start as local wall time in `timeZone`, e.g. "2025-10-26T10:00".' }),
      timeZone: t.arg({ type: 'TimeZone', required: true, description: "The caller's IANA zone: every local date, time and word is in it." }),
      limit: t.arg.int({ defaultValue: 3, description: `How many alternatives at most (1-${MAX_ALTERNATIVES}).` }),
      searchDays: t.arg.int({ defaultValue: 7, description: `How many days after the wished day to search (1-${MAX_SEARCH_DAYS}).` }),
      locale: t.arg.string({ defaultValue: 'en', description: `Language of the labels: ${SUPPORTED_LANGUAGES.join(', ')} (with a region, e.g. de-AT, if wanted).` }),
      duration: t.arg.int({ description: "Slot length in minutes, for event types with several lengths. Default: the event type's length." }),
    },
    resolve: async (_root, args, { loaders, services, witness }) => {
      checkEventTypeId(args.eventTypeId);
      checkEventTypeAccess(services, args.eventTypeId);
      checkDuration(args.duration);
      const zone = canonicalZone(args.timeZone);
      const limit = args.limit ?? 3;
      const searchDays = args.searchDays ?? 7;
      if (limit < 1 || limit > MAX_ALTERNATIVES) throw badUserInput('limit', `must be between 1 and ${MAX_ALTERNATIVES}, got ${limit}`);
      if (searchDays < 1 || searchDays > MAX_SEARCH_DAYS) throw badUserInput('searchDays', `must be between 1 and ${MAX_SEARCH_DAYS}, got ${searchDays}`);
      const locale = supportedLocale(args.locale ?? 'en');
      if (!locale) throw badUserInput('locale', `"${args.locale}" is not supported; use one of ${SUPPORTED_LANGUAGES.join(', ')}`);
      if ((args.wishedStart == null) === (args.wishedLocal == null)) {
        throw badUserInput(args.wishedStart == null ? 'wishedStart' : 'wishedLocal', 'give exactly one of wishedStart and wishedLocal');
      }
      const now = services.now();
      const horizon = horizonDate(now, zone);
      let wished: DateTime;
      if (args.wishedStart != null) {
        wished = DateTime.fromJSDate(args.wishedStart, { zone: 'utc' });
        checkWithinHorizon(wished.setZone(zone).toISODate() ?? '', horizon, 'wishedStart');
      } else {
        // A well-formed wall time beyond the horizon is refused before any zone arithmetic.
        if (/^\d{4}-\d{2}-\d{2}T/.test(args.wishedLocal!)) checkWithinHorizon(args.wishedLocal!.slice(0, 10), horizon, 'wishedLocal');
        const resolved = resolveWallTime(args.wishedLocal!, zone);
        if (!resolved.ok) throw badUserInput('wishedLocal', resolved.problem);
        wished = resolved.instant;
      }
      await checkDurationOffered(loaders, args.eventTypeId, args.duration);
      // `wishInPast` turns true when the wished start passes: a kept answer lasts until then at most.
      if (wished.toMillis() >= now) witness?.until(wished.toMillis());
      const answer = await findAlternatives((request) => loaders.slots.load(request), {
        eventTypeId: args.eventTypeId,
        wished,
        zone,
        limit,
        searchDays,
        locale,
        now,
        ...(args.duration != null ? { duration: args.duration } : {}),
      }).catch((err: unknown) => {
        throw toGraphQLError(err, { message: `Event type ${args.eventTypeId} was not found at Cal.com.`, argument: 'eventTypeId' });
      });
      return { ...answer, wishedSlotAvailable: answer.wishedSlot !== null, fetchedAt: new Date(answer.fetchedAt) };
    },
  }),
);
