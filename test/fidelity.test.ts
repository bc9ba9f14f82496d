/**
 * The gateway against Cal.com's real slot semantics (docs/calcom-contract.md): slots that cross the
 * end of a fetched window, busy time per host, the grid Cal.com rounds in the caller's zone, zone
 * names echoed as named, dates at the edges, durations the event type does not offer, and event
 * types Cal.com does not know. Upstream call counts come from the simulator.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { DateTime } from 'luxon';
import { graphql } from './gql/index.js';
import { startStack, type Stack } from './support/stack.js';
import { WEEKDAYS } from '../src/sim/model.js';

const DaysQuery = graphql(`
  query FidelityDays($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {
    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {
      timeZone
      days {
        date
        past
        slots {
          start
          end
          localTime
        }
      }
    }
  }
`);

const WishQuery = graphql(`
  query FidelityWish($eventTypeId: Int!, $wishedStart: DateTime, $wishedLocal: String, $timeZone: TimeZone!) {
    alternatives(eventTypeId: $eventTypeId, wishedStart: $wishedStart, wishedLocal: $wishedLocal, timeZone: $timeZone) {
      wishInPast
      wishedSlotAvailable
      searchedFrom
      searchedTo
      alternatives {
        slot {
          localDate
          localTime
        }
      }
    }
  }
`);

const EventTypeSeatsQuery = graphql(`
  query FidelityEventType($id: Int!) {
    eventType(id: $id) {
      id
      seatsPerTimeSlot
      teamId
      hostUserIds
    }
  }
`);

/** The gateway's and the simulator's clock: Monday 2025-10-20, 00:00 UTC. */
const NOW = '2025-10-20T00:00:00Z';
let stack: Stack;

beforeEach(async () => {
  stack = await startStack({ now: () => Date.parse(NOW) });
  await stack.admin.setClock(NOW);
  await stack.admin.reset(true);
  await stack.admin.clearStats();
});

const calls = async (route = 'GET /v2/slots') => (await stack.admin.stats()).requests[route] ?? 0;
const sentSlotQueries = async () => (await stack.admin.requests()).filter((r) => r.path === '/v2/slots').map((r) => r.query);

/** An event type open `startTime`-`endTime` every day in `zone`. */
const openDaily = (id: number, zone: string, startTime: string, endTime: string, extra: Record<string, unknown> = {}) => ({
  id,
  slug: `et-${id}`,
  title: `Event type ${id}`,
  lengthInMinutes: 60,
  schedule: { timeZone: zone, availability: [{ days: [...WEEKDAYS], startTime, endTime }], overrides: [] },
  ...extra,
});

describe('slots that cross the end of a fetched window (Cal.com keeps a slot only if it ENDS in the window)', () => {
  // Sydney is UTC+11 from 2025-10-05: 10:00-12:00 local is 23:00Z-01:00Z, so the 10:30 slot runs
  // 23:30Z-00:30Z across a UTC day boundary, and the boundaries of slotgraph's fetch blocks fall there.
  const sydneyHost = openDaily(41, 'Australia/Sydney', '10:00', '12:00', { slotInterval: 30 });
  const expected = ['10:00', '10:30', '11:00'];
  const dates = Array.from({ length: 21 }, (_, i) => DateTime.fromISO('2025-10-21').plus({ days: i }).toISODate()!);

  it('shows every Sydney day complete over three weeks, asked day by day', async () => {
    await stack.admin.putEventType(sydneyHost);
    for (const date of dates) {
      const { availability } = await stack.client.request(DaysQuery, { eventTypeId: 41, start: date, end: date, timeZone: 'Australia/Sydney' });
      expect([date, availability!.days[0]!.slots.map((s) => s.localTime)]).toEqual([date, expected]);
    }
    expect(await calls()).toBeLessThanOrEqual(4); // 21 days, 7-day blocks from today: at most 4 windows
    const sent = await sentSlotQueries();
    expect(sent.length).toBeGreaterThan(0); // the days above came from Cal.com: the loop below checks something
    expect(sent).toHaveLength(await calls());
    for (const query of sent) {
      // Each window reaches past its last UTC day by the margin, and never ends at 00:00:00Z.
      expect(Date.parse(query.end!) - Date.parse(query.start!)).toBeGreaterThan(7 * 86_400_000);
      expect(query.end).not.toMatch(/T00:00:00/);
    }
  });

  it('shows every Sydney day complete over three weeks, asked at once and from other zones', async () => {
    await stack.admin.putEventType(sydneyHost);
    const whole = await stack.client.request(DaysQuery, { eventTypeId: 41, start: dates[0]!, end: dates.at(-1)!, timeZone: 'Australia/Sydney' });
    expect(whole.availability!.days.map((d) => d.slots.map((s) => s.localTime))).toEqual(dates.map(() => expected));
    // The 10:30 slot from UTC: it starts on the UTC day before its Sydney day and is listed there.
    const utc = await stack.client.request(DaysQuery, { eventTypeId: 41, start: '2025-10-27', end: '2025-10-27', timeZone: 'UTC' });
    expect(utc.availability!.days[0]!.slots.map((s) => [s.start, s.end])).toEqual([
      ['2025-10-27T00:00:00.000Z', '2025-10-27T01:00:00.000Z'],
      ['2025-10-27T23:00:00.000Z', '2025-10-28T00:00:00.000Z'],
      ['2025-10-27T23:30:00.000Z', '2025-10-28T00:30:00.000Z'],
    ]);
    expect(await calls()).toBeLessThanOrEqual(3);
  });
});

describe('busy time belongs to the host, not the event type', () => {
  it('a booking on one event type of a host removes the slot from its sibling, once invalidated', async () => {
    // Two event types of user 7, and a team event type user 7 hosts with user 8.
    await stack.admin.putEventType(openDaily(51, 'UTC', '09:00', '12:00', { ownerId: 7 }));
    await stack.admin.putEventType(openDaily(52, 'UTC', '09:00', '12:00', { ownerId: 7, lengthInMinutes: 30 }));
    await stack.admin.putEventType(
      openDaily(53, 'UTC', '09:00', '12:00', { ownerId: 8, teamId: 900, schedulingType: 'collective', hosts: [{ userId: 7 }, { userId: 8 }] }),
    );
    const day = { start: '2025-10-22', end: '2025-10-22', timeZone: 'UTC' };
    const times = async (eventTypeId: number) =>
      (await stack.client.request(DaysQuery, { eventTypeId, ...day })).availability!.days[0]!.slots.map((s) => s.localTime);
    expect(await times(51)).toEqual(['09:00', '10:00', '11:00']);
    expect(await times(52)).toEqual(['09:00', '09:30', '10:00', '10:30', '11:00', '11:30']);
    expect(await times(53)).toEqual(['09:00', '10:00', '11:00']);
    // The slot cache learned each event type's hosts in the background, one lookup each.
    await stack.gateway.services.eventTypes.settled();
    expect(await calls('GET /v2/event-types/{id}')).toBe(3);
    expect(await stack.gateway.services.eventTypes.related(51)).toEqual([51, 52, 53]);

    // Someone books 51 at 10:00; Cal.com now blocks 10:00-11:00 on all three (same host, user 7).
    await stack.admin.addBooking(51, '2025-10-22T10:00:00Z');
    const range = { start: Date.parse('2025-10-22T10:00:00Z'), end: Date.parse('2025-10-22T11:00:00Z') };
    const touched = await stack.gateway.services.slotCache.invalidate(51, range);
    expect(touched).toEqual({ eventTypeIds: [51, 52, 53], days: ['2025-10-22'] });
    await stack.admin.clearStats();
    expect(await times(52)).toEqual(['09:00', '09:30', '11:00', '11:30']);
    expect(await times(53)).toEqual(['09:00', '11:00']);
    expect(await calls()).toBe(2); // one refetch per sibling, nothing else
    expect(await calls('GET /v2/event-types/{id}')).toBe(0);
  });

  it('invalidates by host for a booking the gateway only knows the organizer of (a webhook)', async () => {
    await stack.admin.putEventType(openDaily(61, 'UTC', '09:00', '12:00', { ownerId: 9 }));
    await stack.admin.putEventType(openDaily(62, 'UTC', '09:00', '12:00', { ownerId: 10 }));
    await stack.client.request(DaysQuery, { eventTypeId: 61, start: '2025-10-22', end: '2025-10-22', timeZone: 'UTC' });
    await stack.client.request(DaysQuery, { eventTypeId: 62, start: '2025-10-22', end: '2025-10-22', timeZone: 'UTC' });
    await stack.gateway.services.eventTypes.settled();
    const range = { start: Date.parse('2025-10-22T10:00:00Z'), end: Date.parse('2025-10-22T11:00:00Z') };
    expect(await stack.gateway.services.slotCache.invalidateHosts([9], range)).toEqual({ eventTypeIds: [61], days: ['2025-10-22'] });
  });
});

describe('the grid Cal.com rounds in the caller’s zone', () => {
  // A Berlin host open 09:00-17:00 with hourly slots. Cal.com rounds each free range's first slot
  // to the hour on the clock of the request's zone: in Kolkata (+05:30) 09:00 CET is 13:30 IST,
  // rounded to 14:00 IST = 09:30 CET.
  beforeEach(() => stack.admin.putEventType(openDaily(71, 'Europe/Berlin', '09:00', '17:00')));
  const vars = { eventTypeId: 71, start: '2025-10-28', end: '2025-10-28' };

  it('offers a Kolkata caller the half-hour grid Cal.com offers a Kolkata booker, in a call of its own', async () => {
    const kolkata = await stack.client.request(DaysQuery, { ...vars, timeZone: 'Asia/Kolkata' });
    expect(kolkata.availability!.timeZone).toBe('Asia/Kolkata');
    expect(kolkata.availability!.days[0]!.slots.map((s) => s.localTime)).toEqual(['14:00', '15:00', '16:00', '17:00', '18:00', '19:00', '20:00']);
    expect(kolkata.availability!.days[0]!.slots[0]!.start).toBe('2025-10-28T08:30:00.000Z');
    const [sent] = await sentSlotQueries();
    expect(sent).toMatchObject({ timeZone: 'Asia/Kolkata' });
  });

  it('lets every whole-hour zone share one cached window, apart from the Kolkata one', async () => {
    const berlin = await stack.client.request(DaysQuery, { ...vars, timeZone: 'Europe/Berlin' });
    expect(berlin.availability!.days[0]!.slots.map((s) => s.localTime)).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    await stack.client.request(DaysQuery, { ...vars, timeZone: 'America/New_York' });
    await stack.client.request(DaysQuery, { ...vars, timeZone: 'Asia/Tokyo' });
    expect(await calls()).toBe(1);
    expect((await sentSlotQueries())[0]).toMatchObject({ timeZone: 'UTC' });
    await stack.client.request(DaysQuery, { ...vars, timeZone: 'Asia/Kolkata' });
    await stack.client.request(DaysQuery, { ...vars, timeZone: 'Asia/Kolkata' });
    expect(await calls()).toBe(2);
  });
});

describe('the zone a caller names is the zone echoed back', () => {
  it.each([
    ['Asia/Kolkata', 'Asia/Kolkata'],
    ['Europe/Kyiv', 'Europe/Kyiv'],
    ['Asia/Calcutta', 'Asia/Calcutta'],
    ['europe/berlin', 'Europe/Berlin'],
    ['America/New_York', 'America/New_York'],
  ])('%s → %s', async (asked, echoed) => {
    await stack.admin.putEventType(openDaily(81, 'UTC', '09:00', '10:00'));
    const { availability } = await stack.client.request(DaysQuery, { eventTypeId: 81, start: '2025-10-28', end: '2025-10-28', timeZone: asked });
    expect(availability!.timeZone).toBe(echoed);
  });
});

describe('dates at the edges', () => {
  const day = (start: string, end = start) => ({ eventTypeId: 91, start, end, timeZone: 'Europe/Berlin' });
  beforeEach(() => stack.admin.putEventType(openDaily(91, 'Europe/Berlin', '09:00', '12:00')));

  // Each of these once hung or failed: they must come back at once (a hang fails the test's timeout).
  it.each([
    ['9999-12-31 as start', day('9999-12-31'), 'start'],
    ['a range ending 9999-12-31', day('9999-12-01', '9999-12-31'), 'start'],
    ['the first day past the horizon (today + 364)', day('2026-10-20'), 'start'],
    ['an end past the horizon', day('2026-10-10', '2026-10-25'), 'end'],
  ])('%s → BAD_USER_INPUT naming the argument, no upstream call', { timeout: 5_000 }, async (_, vars, argument) => {
    const body = await stack.post(print(DaysQuery), vars);
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(body.errors![0].message).toMatch(/horizon/);
    expect((await stack.admin.stats()).total).toBe(0);
  });

  it('answers the last day within the horizon', async () => {
    const body = await stack.post(print(DaysQuery), day('2026-10-19'));
    expect(body.errors).toBeUndefined();
    expect(body.data.availability.days[0].slots.length).toBeGreaterThan(0);
  });

  it('answers days wholly in the past empty, says so, and asks Cal.com nothing', { timeout: 5_000 }, async () => {
    const ancient = await stack.client.request(DaysQuery, day('0001-01-01', '0001-01-07'));
    expect(ancient.availability!.days.map((d) => [d.date, d.past, d.slots.length])).toEqual(
      ['0001-01-01', '0001-01-02', '0001-01-03', '0001-01-04', '0001-01-05', '0001-01-06', '0001-01-07'].map((d) => [d, true, 0]),
    );
    const lastWeek = await stack.client.request(DaysQuery, day('2025-10-13', '2025-10-19'));
    expect(lastWeek.availability!.days.map((d) => [d.date, d.past, d.slots.length])).toEqual(
      ['2025-10-13', '2025-10-14', '2025-10-15', '2025-10-16', '2025-10-17', '2025-10-18', '2025-10-19'].map((d) => [d, true, 0]),
    );
    expect((await stack.admin.stats()).total).toBe(0);
  });

  it('never fetches past days: a Berlin question about today asks from today’s UTC day on', async () => {
    const today = await stack.client.request(DaysQuery, day('2025-10-20'));
    expect(today.availability!.days[0]).toMatchObject({ date: '2025-10-20', past: false });
    const sent = await sentSlotQueries();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.start).toBe('2025-10-20T00:00:00Z');
  });

  it.each([
    ['wishedLocal', { wishedLocal: '9999-12-31T10:00' }],
    ['wishedStart', { wishedStart: '9999-12-31T23:59:59Z' }],
    ['wishedStart', { wishedStart: '2027-01-01T10:00:00Z' }],
  ])('alternatives: a wish past the horizon → BAD_USER_INPUT naming %s', { timeout: 5_000 }, async (argument, wish) => {
    const body = await stack.post(print(WishQuery), { eventTypeId: 91, timeZone: 'Europe/Berlin', ...wish });
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect((await stack.admin.stats()).total).toBe(0);
  });

  it('alternatives: a wish in the past is answered, says so, and searches only days not yet over', { timeout: 5_000 }, async () => {
    const ancient = await stack.client.request(WishQuery, { eventTypeId: 91, timeZone: 'Europe/Berlin', wishedLocal: '0001-01-01T10:00' });
    expect(ancient.alternatives).toMatchObject({ wishInPast: true, wishedSlotAvailable: false, alternatives: [], searchedFrom: '0001-01-01' });
    expect((await stack.admin.stats()).total).toBe(0);
    const yesterday = await stack.client.request(WishQuery, { eventTypeId: 91, timeZone: 'Europe/Berlin', wishedLocal: '2025-10-19T10:00' });
    expect(yesterday.alternatives!.wishInPast).toBe(true);
    expect(yesterday.alternatives!.alternatives[0]!.slot).toMatchObject({ localDate: '2025-10-20', localTime: '10:00' });
    expect((await sentSlotQueries()).map((q) => q.start)).toEqual(['2025-10-20T00:00:00Z']);
  });

  it('alternatives: the search window stops at the horizon', async () => {
    const late = await stack.client.request(WishQuery, { eventTypeId: 91, timeZone: 'Europe/Berlin', wishedLocal: '2026-10-18T10:00' });
    expect(late.alternatives).toMatchObject({ searchedFrom: '2026-10-18', searchedTo: '2026-10-19' });
  });
});

describe('durations and unknown event types', () => {
  it('refuses a duration the event type does not offer, before any slots call', async () => {
    await stack.admin.putEventType(openDaily(95, 'UTC', '09:00', '12:00', { lengthInMinutes: 30, lengthInMinutesOptions: [30, 60] }));
    const body = await stack.post(print(DaysQuery), { eventTypeId: 95, start: '2025-10-22', end: '2025-10-22', timeZone: 'UTC', duration: 45 });
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'duration' });
    expect(body.errors![0].message).toContain('30, 60');
    expect(await calls()).toBe(0);
    const ok = await stack.client.request(DaysQuery, { eventTypeId: 95, start: '2025-10-22', end: '2025-10-22', timeZone: 'UTC', duration: 60 });
    expect(ok.availability!.days[0]!.slots.map((s) => s.localTime)).toEqual(['09:00', '10:00', '11:00']);
    expect(await calls()).toBe(1);
    expect(await calls('GET /v2/event-types/{id}')).toBe(1); // looked up once, for both questions
  });

  it('remembers an event type Cal.com does not know, so asking again costs no call', async () => {
    const vars = { eventTypeId: 4242, start: '2025-10-22', end: '2025-10-22', timeZone: 'UTC' };
    for (let i = 0; i < 3; i++) {
      const body = await stack.post(print(DaysQuery), vars);
      expect(body.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'eventTypeId' });
    }
    const wish = await stack.post(print(WishQuery), { eventTypeId: 4242, timeZone: 'UTC', wishedLocal: '2025-10-22T10:00' });
    expect(wish.errors![0].extensions).toMatchObject({ code: 'NOT_FOUND' });
    expect((await stack.admin.stats()).total).toBe(1);
  });

  it('reads seats from Cal.com’s nested seats object, and team and hosts from the event type', async () => {
    await stack.admin.putEventType(openDaily(96, 'UTC', '09:00', '12:00', { seatsPerTimeSlot: 4, ownerId: 5 }));
    await stack.admin.putEventType(openDaily(97, 'UTC', '09:00', '12:00', { teamId: 901, schedulingType: 'roundRobin', hosts: [{ userId: 6 }, { userId: 5 }] }));
    expect((await stack.client.request(EventTypeSeatsQuery, { id: 96 })).eventType).toEqual({ id: 96, seatsPerTimeSlot: 4, teamId: null, hostUserIds: [5] });
    expect((await stack.client.request(EventTypeSeatsQuery, { id: 97 })).eventType).toEqual({ id: 97, seatsPerTimeSlot: null, teamId: 901, hostUserIds: [5, 6] });
  });
});
