/**
 * `alternatives` end to end (issue 5): DST days in Berlin and New York, a caller in another zone,
 * labels in en and de, one upstream call cold and none warm.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { graphql } from './gql/index.js';
import type { AlternativesQueryVariables } from './gql/graphql.js';
import { startStack, type Stack } from './support/stack.js';
import { WEEKDAYS, type Weekday } from '../src/sim/model.js';
import { resolveWallTime } from '../src/alternatives/wish.js';
import { supportedLocale } from '../src/alternatives/labels.js';

const AlternativesQuery = graphql(`
  query Alternatives(
    $eventTypeId: Int!
    $wishedStart: DateTime
    $wishedLocal: String
    $timeZone: TimeZone!
    $limit: Int
    $searchDays: Int
    $locale: String
  ) {
    alternatives(
      eventTypeId: $eventTypeId
      wishedStart: $wishedStart
      wishedLocal: $wishedLocal
      timeZone: $timeZone
      limit: $limit
      searchDays: $searchDays
      locale: $locale
    ) {
      wishedSlotAvailable
      wishedSlot {
        start
        localTime
        utcOffset
      }
      alternatives {
        strategy
        dayOffset
        minutesFromWish
        label
        slot {
          start
          localDate
          localTime
          utcOffset
        }
      }
      searchedFrom
      searchedTo
      stale
      fetchedAt
    }
  }
`);

const GATEWAY_NOW = Date.parse('2025-10-20T00:00:00Z');
/** The gateway's clock; a test about an earlier date moves it there, with the simulator's. */
let gatewayNow = GATEWAY_NOW;
let stack: Stack;

/** An event type open `startTime`-`endTime` on `days` in `zone`, 60 min slots. */
const salon = (id: number, zone: string, startTime: string, endTime: string, days: Weekday[] = [...WEEKDAYS]) => ({
  id,
  slug: `salon-${id}`,
  title: `Salon ${id}`,
  lengthInMinutes: 60,
  schedule: { timeZone: zone, availability: [{ days, startTime, endTime }], overrides: [] },
});

beforeEach(async () => {
  gatewayNow = GATEWAY_NOW;
  stack = await startStack({ now: () => gatewayNow });
  await stack.admin.setClock('2025-10-20T00:00:00Z');
  await stack.admin.reset(true);
  await stack.admin.clearStats();
});

const slotCalls = async () => (await stack.admin.stats()).requests['GET /v2/slots'] ?? 0;
const ask = (variables: AlternativesQueryVariables) => stack.client.request(AlternativesQuery, variables);

describe('the day clocks go back in Berlin (2025-10-26)', () => {
  beforeEach(async () => {
    await stack.admin.putEventType(salon(1, 'Europe/Berlin', '07:00', '12:00'));
    await stack.admin.addBooking(1, '2025-10-26T09:00:00Z'); // 10:00 CET is taken
    await stack.admin.clearStats();
  });

  it('offers the wished day’s free slots first, nearest the wish, with local times and offsets right; 1 call cold, 0 warm', async () => {
    const variables = { eventTypeId: 1, wishedLocal: '2025-10-26T10:00', timeZone: 'Europe/Berlin', limit: 5, locale: 'en' };
    const { alternatives: result } = await ask(variables);
    expect(result!.wishedSlotAvailable).toBe(false);
    expect(result!.wishedSlot).toBeNull();
    expect(result!.alternatives.map((a) => [a.slot.localTime, a.strategy, a.dayOffset, a.minutesFromWish, a.label])).toEqual([
      ['09:00', 'SAME_DAY_EARLIER', 0, -60, 'same day, 09:00'],
      ['11:00', 'SAME_DAY_LATER', 0, 60, 'same day, 11:00'],
      ['08:00', 'SAME_DAY_EARLIER', 0, -120, 'same day, 08:00'],
      ['07:00', 'SAME_DAY_EARLIER', 0, -180, 'same day, 07:00'],
      ['10:00', 'NEXT_DAYS_SAME_TIME', 1, 1440, 'Monday 27 October, 10:00'],
    ]);
    // The old system read 06:00Z aloud as "06:00"; it is 07:00 CET, on the wished day.
    expect(result!.alternatives[3]!.slot).toEqual({ start: '2025-10-26T06:00:00.000Z', localDate: '2025-10-26', localTime: '07:00', utcOffset: '+01:00' });
    expect(result).toMatchObject({ searchedFrom: '2025-10-26', searchedTo: '2025-11-02', stale: false });
    expect(await slotCalls()).toBe(1);

    const again = await ask(variables);
    expect(again).toEqual({ alternatives: result });
    expect(await slotCalls()).toBe(1);
  });

  it('labels in German, saying "am selben Tag" only for the wished day', async () => {
    const { alternatives: result } = await ask({ eventTypeId: 1, wishedLocal: '2025-10-26T10:00', timeZone: 'Europe/Berlin', limit: 6, locale: 'de' });
    expect(result!.alternatives.map((a) => a.label)).toEqual([
      'am selben Tag, 09:00 Uhr',
      'am selben Tag, 11:00 Uhr',
      'am selben Tag, 08:00 Uhr',
      'am selben Tag, 07:00 Uhr',
      'Montag, 27. Oktober, 10:00 Uhr',
      'Dienstag, 28. Oktober, 10:00 Uhr',
    ]);
  });

  it('names weekday and date when the wished day is full, and reports a free wished slot as available', async () => {
    for (const hour of ['06', '07', '08', '10']) await stack.admin.addBooking(1, `2025-10-26T${hour}:00:00Z`);
    const full = await ask({ eventTypeId: 1, wishedLocal: '2025-10-26T10:00', timeZone: 'Europe/Berlin', locale: 'de' });
    expect(full.alternatives!.alternatives.map((a) => [a.dayOffset, a.strategy, a.label])).toEqual([
      [1, 'NEXT_DAYS_SAME_TIME', 'Montag, 27. Oktober, 10:00 Uhr'],
      [2, 'NEXT_DAYS_SAME_TIME', 'Dienstag, 28. Oktober, 10:00 Uhr'],
      [3, 'NEXT_DAYS_SAME_TIME', 'Mittwoch, 29. Oktober, 10:00 Uhr'],
    ]);
    expect(full.alternatives!.alternatives.some((a) => a.label.includes('selben'))).toBe(false);

    const free = await ask({ eventTypeId: 1, wishedStart: '2025-10-27T09:00:00Z', timeZone: 'Europe/Berlin' });
    expect(free.alternatives!.wishedSlotAvailable).toBe(true);
    expect(free.alternatives!.wishedSlot).toEqual({ start: '2025-10-27T09:00:00.000Z', localTime: '10:00', utcOffset: '+01:00' });
    expect(free.alternatives!.alternatives.map((a) => a.slot.localTime)).toEqual(['09:00', '11:00', '08:00']);
  });

  it('refuses a wall time that happens twice, naming both instants', async () => {
    const body = await stack.post(print(AlternativesQuery), { eventTypeId: 1, wishedLocal: '2025-10-26T02:30', timeZone: 'Europe/Berlin' });
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'wishedLocal' });
    expect(body.errors![0].message).toContain('2025-10-26T02:30:00+02:00');
    expect(body.errors![0].message).toContain('2025-10-26T02:30:00+01:00');
    expect(await slotCalls()).toBe(0);
  });
});

describe('the day clocks go forward in New York (2025-03-09)', () => {
  beforeEach(async () => {
    gatewayNow = Date.parse('2025-03-01T00:00:00Z');
    await stack.admin.setClock('2025-03-01T00:00:00Z');
  });

  it('refuses a wall time inside the gap, and serves a caller there from a Berlin event type', async () => {
    const gap = await stack.post(print(AlternativesQuery), { eventTypeId: 2, wishedLocal: '2025-03-09T02:30', timeZone: 'America/New_York' });
    expect(gap.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'wishedLocal' });
    expect(gap.errors![0].message).toMatch(/does not exist in America\/New_York/);

    await stack.admin.putEventType(salon(2, 'Europe/Berlin', '09:00', '18:00'));
    await stack.admin.addBooking(2, '2025-03-09T09:00:00Z');
    // 05:00 EDT on the switch day = 09:00Z = 10:00 CET in Berlin (Berlin switches three weeks later).
    const { alternatives: result } = await ask({ eventTypeId: 2, wishedLocal: '2025-03-09T05:00', timeZone: 'America/New_York' });
    expect(result!.wishedSlotAvailable).toBe(false);
    expect(result!.alternatives.map((a) => [a.slot.localTime, a.slot.utcOffset, a.slot.start, a.label])).toEqual([
      ['04:00', '-04:00', '2025-03-09T08:00:00.000Z', 'same day, 04:00'],
      ['06:00', '-04:00', '2025-03-09T10:00:00.000Z', 'same day, 06:00'],
      ['07:00', '-04:00', '2025-03-09T11:00:00.000Z', 'same day, 07:00'], // Berlin opens at 09:00 CET = 04:00 EDT
    ]);
    expect(await slotCalls()).toBe(1);
  });

  it('puts a Tokyo caller’s slots on the Tokyo day, with the right day offsets', async () => {
    await stack.admin.putEventType(salon(3, 'America/New_York', '09:00', '11:00'));
    // New York 09:00 EDT on Monday 2025-03-10 = 13:00Z = 22:00 JST the same Monday.
    const { alternatives: result } = await ask({ eventTypeId: 3, wishedStart: '2025-03-10T12:00:00Z', timeZone: 'Asia/Tokyo', limit: 4, locale: 'en' });
    expect(result!.alternatives.map((a) => [a.slot.localDate, a.slot.localTime, a.dayOffset, a.strategy])).toEqual([
      ['2025-03-10', '22:00', 0, 'SAME_DAY_LATER'],
      ['2025-03-10', '23:00', 0, 'SAME_DAY_LATER'],
      ['2025-03-11', '22:00', 1, 'NEXT_DAYS_SAME_TIME'],
      ['2025-03-12', '22:00', 2, 'NEXT_DAYS_SAME_TIME'],
    ]);
    expect(result!.alternatives[2]!.label).toBe('Tuesday 11 March, 22:00');
  });
});

describe('strategies beyond the next days', () => {
  it('offers the same weekday next week, then the first free slots', async () => {
    await stack.admin.putEventType(salon(4, 'Europe/Berlin', '09:00', '12:00', ['Sunday']));
    for (const hour of ['08', '09', '10']) await stack.admin.addBooking(4, `2025-10-26T${hour}:00:00Z`);
    const { alternatives: result } = await ask({ eventTypeId: 4, wishedLocal: '2025-10-26T10:00', timeZone: 'Europe/Berlin', searchDays: 3, limit: 3 });
    expect(result!.alternatives.map((a) => [a.strategy, a.dayOffset, a.label])).toEqual([
      ['SAME_WEEKDAY_NEXT_WEEK', 7, 'Sunday 2 November, 10:00'],
      ['NEXT_AVAILABLE', 7, 'Sunday 2 November, 09:00'],
      ['NEXT_AVAILABLE', 7, 'Sunday 2 November, 11:00'],
    ]);
    expect(await slotCalls()).toBe(1);
  });
});

describe('bad input costs nothing', () => {
  it.each([
    ['neither wish', { wishedStart: undefined, wishedLocal: undefined }, 'wishedStart', 'exactly one'],
    ['both wishes', { wishedStart: '2025-10-26T09:00:00Z', wishedLocal: '2025-10-26T10:00' }, 'wishedLocal', 'exactly one'],
    ['a malformed wall time', { wishedLocal: '26.10.2025 10:00' }, 'wishedLocal', 'not a local date-time'],
    ['a zero limit', { limit: 0 }, 'limit', 'between 1'],
    ['too many search days', { searchDays: 400 }, 'searchDays', 'between 1'],
    ['an unsupported locale', { locale: 'tlh' }, 'locale', 'not supported'],
    ['a bad event type id', { eventTypeId: 0 }, 'eventTypeId', 'positive'],
  ])('%s → BAD_USER_INPUT naming %s', async (_label, override, argument, hint) => {
    const variables = { eventTypeId: 1, wishedLocal: '2025-10-26T10:00', timeZone: 'Europe/Berlin', ...override };
    const body = await stack.post(print(AlternativesQuery), variables);
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(body.errors![0].message).toContain(hint);
    expect((await stack.admin.stats()).total).toBe(0);
  });
});

describe('wall-time resolution and locales', () => {
  it('resolves ordinary, skipped and repeated wall times', () => {
    const ok = resolveWallTime('2025-10-26T10:00', 'Europe/Berlin');
    expect(ok.ok && ok.instant.toISO()).toBe('2025-10-26T09:00:00.000Z');
    expect(resolveWallTime('2025-03-30T02:15', 'Europe/Berlin').ok).toBe(false);
    const twice = resolveWallTime('2025-11-02T01:30', 'America/New_York');
    expect(twice.ok).toBe(false);
    expect(!twice.ok && twice.problem).toContain('2025-11-02T01:30:00-04:00 or 2025-11-02T01:30:00-05:00');
    // Lord Howe Island moves by 30 minutes.
    expect(resolveWallTime('2025-04-06T01:45', 'Australia/Lord_Howe').ok).toBe(false);
  });

  it('accepts en and de with regions, and nothing else', () => {
    expect(supportedLocale('de-at')).toBe('de-AT');
    expect(supportedLocale('en')).toBe('en');
    expect(supportedLocale('fr')).toBeNull();
    expect(supportedLocale('not a locale!')).toBeNull();
  });
});
