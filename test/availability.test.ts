/**
 * `availability` and `eventType` end to end: graphql-request → gateway → simulator over loopback.
 * Upstream call counts come from the simulator's counters.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import { print } from 'graphql';
import WebSocket from 'ws';
import { graphql } from './gql/index.js';
import { startStack, type Stack } from './support/stack.js';
import { DEMO } from '../src/sim/demo.js';
import { WEEKDAYS } from '../src/sim/model.js';

const AvailabilityQuery = graphql(`
  query Availability($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!, $duration: Int) {
    availability(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone, duration: $duration) {
      eventTypeId
      timeZone
      fetchedAt
      stale
      days {
        date
        slots {
          start
          end
          localDate
          localTime
          utcOffset
        }
      }
    }
  }
`);

const EventTypeQuery = graphql(`
  query EventType($id: Int!) {
    eventType(id: $id) {
      id
      slug
      title
      lengthInMinutes
      schedulingType
    }
  }
`);

const everyDay = [...WEEKDAYS];
/** An event type open `startTime`-`endTime` every day in `zone`. */
const eventType = (id: number, zone: string, startTime = '00:00', endTime = '24:00', lengthInMinutes = 60) => ({
  id,
  slug: `et-${id}`,
  title: `Event type ${id}`,
  lengthInMinutes,
  schedule: { timeZone: zone, availability: [{ days: everyDay, startTime, endTime }], overrides: [] },
});

let stack: Stack;

/** The gateway's clock: fixed, so the slot cache's widening (anchored at "today") is the same every run. */
const GATEWAY_NOW = Date.parse('2025-01-01T00:00:00Z');

// A fresh simulator and gateway per test: the slot cache must not carry one test's data into the next.
beforeEach(async () => {
  stack = await startStack({ now: () => GATEWAY_NOW });
  await stack.admin.configure({ latencyMs: { min: 0, max: 0 }, errorRate: 0, rateLimit: { limit: 120, windowMs: 60_000, blockMs: 60_000 } });
  await stack.admin.setClock('2025-01-01T00:00:00Z');
  await stack.admin.reset(true);
  await stack.admin.clearStats();
});

const slotCalls = async () => (await stack.admin.stats()).requests['GET /v2/slots'] ?? 0;

describe('availability across DST switches', () => {
  it('Europe/Berlin autumn switch: 25 local hours on 2025-10-26, offsets change at 03:00 CEST, every slot on its own local day', async () => {
    await stack.admin.putEventType(eventType(1, 'Europe/Berlin'));
    const { availability } = await stack.client.request(AvailabilityQuery, {
      eventTypeId: 1,
      start: '2025-10-25',
      end: '2025-10-27',
      timeZone: 'Europe/Berlin',
    });
    expect(await slotCalls()).toBe(1);
    expect(availability!.days.map((d) => [d.date, d.slots.length])).toEqual([
      ['2025-10-25', 24],
      ['2025-10-26', 25],
      ['2025-10-27', 24],
    ]);
    const switchDay = availability!.days[1]!.slots;
    expect(switchDay.every((s) => s.localDate === '2025-10-26')).toBe(true);
    expect(switchDay.slice(0, 5).map((s) => [s.localTime, s.utcOffset, s.start])).toEqual([
      ['00:00', '+02:00', '2025-10-25T22:00:00.000Z'],
      ['01:00', '+02:00', '2025-10-25T23:00:00.000Z'],
      ['02:00', '+02:00', '2025-10-26T00:00:00.000Z'],
      ['02:00', '+01:00', '2025-10-26T01:00:00.000Z'],
      ['03:00', '+01:00', '2025-10-26T02:00:00.000Z'],
    ]);
    // The old system's mistake: 06:00Z on that day is 07:00 local, not 06:00.
    expect(switchDay.find((s) => s.start === '2025-10-26T06:00:00.000Z')).toMatchObject({ localTime: '07:00', utcOffset: '+01:00' });
    expect(availability!.days[0]!.slots.at(-1)).toMatchObject({ localDate: '2025-10-25', localTime: '23:00', start: '2025-10-25T21:00:00.000Z' });
    expect(availability!.days[2]!.slots[0]).toMatchObject({ localTime: '00:00', utcOffset: '+01:00', start: '2025-10-26T23:00:00.000Z' });
  });

  it('America/New_York spring switch: 23 local hours on 2025-03-09, no 02:00, offset -05:00 then -04:00', async () => {
    await stack.admin.putEventType(eventType(2, 'America/New_York'));
    const { availability } = await stack.client.request(AvailabilityQuery, {
      eventTypeId: 2,
      start: '2025-03-08',
      end: '2025-03-10',
      timeZone: 'America/New_York',
    });
    expect(await slotCalls()).toBe(1);
    expect(availability!.days.map((d) => [d.date, d.slots.length])).toEqual([
      ['2025-03-08', 24],
      ['2025-03-09', 23],
      ['2025-03-10', 24],
    ]);
    const switchDay = availability!.days[1]!.slots;
    expect(switchDay.map((s) => s.localTime)).not.toContain('02:00');
    expect(switchDay.slice(1, 4).map((s) => [s.localTime, s.utcOffset, s.start])).toEqual([
      ['01:00', '-05:00', '2025-03-09T06:00:00.000Z'],
      ['03:00', '-04:00', '2025-03-09T07:00:00.000Z'],
      ['04:00', '-04:00', '2025-03-09T08:00:00.000Z'],
    ]);
    expect(switchDay.every((s) => s.localDate === '2025-03-09')).toBe(true);
  });

  it('Europe/Berlin business hours stay 09:00 local on both sides of the switch', async () => {
    await stack.admin.putEventType(eventType(3, 'Europe/Berlin', '09:00', '11:00'));
    const { availability } = await stack.client.request(AvailabilityQuery, {
      eventTypeId: 3,
      start: '2025-10-25',
      end: '2025-10-26',
      timeZone: 'Europe/Berlin',
    });
    expect(availability!.days.map((d) => d.slots.map((s) => `${s.localTime}${s.utcOffset}=${s.start}`))).toEqual([
      ['09:00+02:00=2025-10-25T07:00:00.000Z', '10:00+02:00=2025-10-25T08:00:00.000Z'],
      ['09:00+01:00=2025-10-26T08:00:00.000Z', '10:00+01:00=2025-10-26T09:00:00.000Z'],
    ]);
  });
});

describe('availability in a zone other than the event type’s', () => {
  it('renders Berlin hours in New York and Tokyo, putting each slot on the caller’s local day', async () => {
    await stack.admin.putEventType(eventType(4, 'Europe/Berlin', '09:00', '17:00'));
    const ny = await stack.client.request(AvailabilityQuery, { eventTypeId: 4, start: '2025-10-27', end: '2025-10-27', timeZone: 'America/New_York' });
    // Berlin 09:00 CET = 08:00Z = 04:00 EDT (New York switches a week later).
    expect(ny.availability!.days).toHaveLength(1);
    expect(ny.availability!.days[0]!.slots.map((s) => s.localTime)).toEqual(['04:00', '05:00', '06:00', '07:00', '08:00', '09:00', '10:00', '11:00']);
    expect(new Set(ny.availability!.days[0]!.slots.map((s) => s.utcOffset))).toEqual(new Set(['-04:00']));

    const tokyo = await stack.client.request(AvailabilityQuery, { eventTypeId: 4, start: '2025-10-27', end: '2025-10-28', timeZone: 'Asia/Tokyo' });
    // Berlin 16:00 CET on the 26th is 00:00 JST on the 27th; 09:00-15:00 CET on the 27th are 17:00-23:00 JST.
    expect(tokyo.availability!.days.map((d) => [d.date, d.slots.map((s) => s.localTime)])).toEqual([
      ['2025-10-27', ['00:00', '17:00', '18:00', '19:00', '20:00', '21:00', '22:00', '23:00']],
      ['2025-10-28', ['00:00', '17:00', '18:00', '19:00', '20:00', '21:00', '22:00', '23:00']],
    ]);
    expect(tokyo.availability!.days[0]!.slots[0]).toMatchObject({ start: '2025-10-26T15:00:00.000Z', localDate: '2025-10-27', utcOffset: '+09:00' });
    // One widened call (the 7-day block around the 27th, in UTC days) serves both zones.
    expect(await slotCalls()).toBe(1);
  });

  it('lists every requested day, empty ones included, in order', async () => {
    await stack.admin.putEventType({ ...eventType(5, 'Europe/Berlin', '09:00', '10:00'), schedule: { timeZone: 'Europe/Berlin', availability: [{ days: ['Monday'], startTime: '09:00', endTime: '10:00' }], overrides: [] } });
    const { availability } = await stack.client.request(AvailabilityQuery, { eventTypeId: 5, start: '2025-10-25', end: '2025-10-28', timeZone: 'Europe/Berlin' });
    expect(availability!.days.map((d) => [d.date, d.slots.length])).toEqual([
      ['2025-10-25', 0],
      ['2025-10-26', 0],
      ['2025-10-27', 1],
      ['2025-10-28', 0],
    ]);
    expect(availability).toMatchObject({ eventTypeId: 5, timeZone: 'Europe/Berlin', stale: false });
    expect(availability!.fetchedAt).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('the upstream window', () => {
  it('never sends an end at 00:00:00Z, so Cal.com’s end quirk never adds the next day', async () => {
    await stack.admin.putEventType(eventType(6, 'UTC'));
    for (const timeZone of ['UTC', 'Europe/London', 'Europe/Berlin', 'America/New_York']) {
      const { availability } = await stack.client.request(AvailabilityQuery, { eventTypeId: 6, start: '2025-01-15', end: '2025-01-15', timeZone });
      expect(availability!.days).toHaveLength(1);
      expect(availability!.days[0]!.slots).toHaveLength(24);
      expect(availability!.days[0]!.slots.every((s) => s.localDate === '2025-01-15')).toBe(true);
    }
    const sent = (await stack.admin.requests()).filter((r) => r.path === '/v2/slots');
    // UTC and London read the UTC day 15th (widened to its 7-day block); Berlin also needs the 14th
    // (the block before); New York is then cached. Each window reaches a day past its last bucket:
    // Cal.com only offers slots that END inside the window (docs/calcom-contract.md#slot-window).
    expect(sent.map((r) => [r.query.start, r.query.end])).toEqual([
      ['2025-01-15T00:00:00Z', '2025-01-22T23:59:59Z'],
      ['2025-01-08T00:00:00Z', '2025-01-15T23:59:59Z'],
    ]);
    for (const request of sent) {
      expect(request.apiVersion).toBe('2024-09-04');
      expect(request.query.end).not.toMatch(/T00:00:00(\.0+)?(Z|\+00:00)$/);
      expect(request.query).toMatchObject({ eventTypeId: '6', format: 'range', timeZone: 'UTC' });
    }
  });

  it('passes duration through to Cal.com', async () => {
    await stack.admin.putEventType({ ...eventType(7, 'UTC', '09:00', '11:00', 30), lengthInMinutesOptions: [30, 60] });
    const { availability } = await stack.client.request(AvailabilityQuery, { eventTypeId: 7, start: '2025-01-15', end: '2025-01-15', timeZone: 'UTC', duration: 60 });
    expect(availability!.days[0]!.slots.map((s) => [s.localTime, s.end])).toEqual([
      ['09:00', '2025-01-15T10:00:00.000Z'],
      ['10:00', '2025-01-15T11:00:00.000Z'],
    ]);
    expect((await stack.admin.requests()).at(-1)!.query.duration).toBe('60');
  });
});

describe('bad input is answered without an upstream call', () => {
  const cases: Array<[string, string, Record<string, unknown>, string]> = [
    ['an unknown zone (variable)', 'timeZone', { timeZone: 'Mars/Olympus_Mons' }, 'IANA'],
    ['end before start', 'end', { start: '2025-01-10', end: '2025-01-09' }, 'before start'],
    ['a span over 31 days', 'end', { start: '2025-01-01', end: '2025-02-01' }, '32 days'],
    ['a zero event type id', 'eventTypeId', { eventTypeId: 0 }, 'positive'],
    ['a negative event type id', 'eventTypeId', { eventTypeId: -7 }, 'positive'],
    ['a non-positive duration', 'duration', { duration: 0 }, 'minutes'],
    ['an impossible date', 'start', { start: '2025-02-30' }, 'LocalDate'],
  ];

  it.each(cases)('%s → BAD_USER_INPUT naming %s', async (_label, argument, override, hint) => {
    await stack.admin.putEventType(eventType(8, 'UTC'));
    const variables = { eventTypeId: 8, start: '2025-01-10', end: '2025-01-12', timeZone: 'Europe/Berlin', ...override };
    const body = await stack.post(print(AvailabilityQuery), variables);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument });
    expect(body.errors![0].message).toContain(hint);
    expect(body.data?.availability ?? null).toBeNull();
    expect((await stack.admin.stats()).total).toBe(0);
  });

  it('names the argument of a bad literal too', async () => {
    const body = await stack.post('{ availability(eventTypeId: 8, start: "2025-01-10", end: "2025-01-11", timeZone: "Mars/Base") { timeZone } }');
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT', argument: 'timeZone' } });
    expect(body.errors![0].message).toContain('Invalid argument "timeZone"');
    expect((await stack.admin.stats()).total).toBe(0);
  });

  it('gives other validation errors GRAPHQL_VALIDATION_FAILED', async () => {
    const body = await stack.post('{ availability(eventTypeId: 8, start: "2025-01-10", end: "2025-01-11", timeZone: "UTC") { nope } }');
    expect(body.errors![0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect((await stack.admin.stats()).total).toBe(0);
  });
});

describe('upstream failures become typed errors', () => {
  const vars = { eventTypeId: 9, start: '2025-01-10', end: '2025-01-10', timeZone: 'UTC' };

  it('an unknown event type → NOT_FOUND', async () => {
    const body = await stack.post(print(AvailabilityQuery), { ...vars, eventTypeId: 9999 });
    expect(body.errors![0]).toMatchObject({ extensions: { code: 'NOT_FOUND', argument: 'eventTypeId' } });
    expect(body.errors![0].message).toContain('9999');
  });

  it('one failing alias keeps the others’ data (the query fields are nullable)', async () => {
    await stack.admin.putEventType(eventType(9, 'UTC', '09:00', '10:00'));
    const fields = 'days { date slots { localTime } }';
    const body = await stack.post(`{
      good: availability(eventTypeId: 9, start: "2025-01-10", end: "2025-01-10", timeZone: "UTC") { ${fields} }
      unknown: availability(eventTypeId: 9999, start: "2025-01-10", end: "2025-01-10", timeZone: "UTC") { ${fields} }
      bad: alternatives(eventTypeId: 9, wishedLocal: "2025-01-10T09:00", timeZone: "UTC", limit: 0) { wishedSlotAvailable }
    }`);
    expect(body.data).toEqual({ good: { days: [{ date: '2025-01-10', slots: [{ localTime: '09:00' }] }] }, unknown: null, bad: null });
    expect(body.errors!.map((e) => [e.path[0], e.extensions.code]).sort()).toEqual([
      ['bad', 'BAD_USER_INPUT'],
      ['unknown', 'NOT_FOUND'],
    ]);
  });

  it('a 429 → QUOTA_EXHAUSTED with retryAfterSeconds from X-RateLimit-Reset-Default', async () => {
    await stack.admin.putEventType(eventType(9, 'UTC'));
    await stack.admin.configure({ rateLimit: { limit: 2, windowMs: 60_000, blockMs: 30_000 } });
    // Someone else spends the key's budget at Cal.com; the gateway cannot know before it asks.
    for (let i = 0; i < 3; i++) {
      await fetch(`${stack.sim.apiUrl}/event-types/9`, { headers: { authorization: 'Bearer cal_test_key', 'cal-api-version': '2024-06-14' } });
    }
    const body = await stack.post(print(AvailabilityQuery), vars);
    expect(body.errors![0].extensions).toMatchObject({ code: 'QUOTA_EXHAUSTED', reason: 'rate-limited', upstream: { status: 429, code: 'ThrottlerException' } });
    expect(body.errors![0].extensions.retryAfterSeconds).toBeGreaterThanOrEqual(29);
    expect(body.errors![0].extensions.retryAfterSeconds).toBeLessThanOrEqual(30);
    expect(await stack.admin.stats()).toMatchObject({ total: 4, rateLimited: 2 }); // 2 allowed + 1 blocked by the other client, then ours
  });

  it('Remaining 0 → the gateway stops before Cal.com says 429, and says when to come back', async () => {
    await stack.admin.putEventType(eventType(9, 'UTC'));
    await stack.admin.configure({ rateLimit: { limit: 1, windowMs: 60_000, blockMs: 30_000 } });
    expect((await stack.post(print(AvailabilityQuery), vars)).errors).toBeUndefined();
    // A month later: not in the cache. The last answer said Remaining 0, so the call is never sent.
    const body = await stack.post(print(AvailabilityQuery), { ...vars, start: '2025-02-10', end: '2025-02-10' });
    expect(body.errors![0].extensions).toMatchObject({ code: 'QUOTA_EXHAUSTED', reason: 'deadline' });
    expect(body.errors![0].extensions.retryAfterSeconds).toBeGreaterThanOrEqual(55);
    expect(body.errors![0].extensions.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(await stack.admin.stats()).toMatchObject({ total: 1, rateLimited: 0 });
  });

  it('a 500 → UPSTREAM_UNAVAILABLE, with no stack trace or upstream body leaked', async () => {
    await stack.admin.putEventType(eventType(9, 'UTC'));
    await stack.admin.configure({ errorRate: 1 });
    const body = await stack.post(print(AvailabilityQuery), vars);
    expect(body.errors).toHaveLength(1);
    expect(body.errors![0].extensions).toEqual({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 500, code: 'InternalServerErrorException' } });
    expect(JSON.stringify(body)).not.toMatch(/stack|at .*\.ts/);
  });

  it('a timeout → UPSTREAM_UNAVAILABLE', async () => {
    const slow = await startStack({ timeoutMs: 200, now: () => GATEWAY_NOW });
    await slow.admin.putEventType(eventType(9, 'UTC'));
    await slow.admin.configure({ latencyMs: { min: 1000, max: 1000 } });
    const body = await slow.post(print(AvailabilityQuery), vars);
    expect(body.errors![0].extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { status: 0, code: 'ETIMEDOUT' } });
  });
});

describe('eventType', () => {
  it('returns the event type, cached per credential (one upstream call for repeated asks)', async () => {
    await stack.admin.reset(false);
    const first = await stack.client.request(EventTypeQuery, { id: DEMO.teamConsultation });
    expect(first.eventType).toEqual({ id: DEMO.teamConsultation, slug: 'consultation', title: 'Consultation', lengthInMinutes: 30, schedulingType: 'collective' });
    await stack.client.request(EventTypeQuery, { id: DEMO.teamConsultation });
    expect((await stack.admin.stats()).requests).toEqual({ 'GET /v2/event-types/{id}': 1 });
    expect((await stack.admin.requests())[0]!.apiVersion).toBe('2024-06-14');
  });

  it('answers an unknown id with NOT_FOUND and a bad one with BAD_USER_INPUT', async () => {
    const missing = await stack.post(print(EventTypeQuery), { id: 31337 });
    expect(missing).toMatchObject({ data: { eventType: null }, errors: [{ extensions: { code: 'NOT_FOUND', argument: 'id' } }] });
    const bad = await stack.post(print(EventTypeQuery), { id: -1 });
    expect(bad.errors![0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
    expect((await stack.admin.stats()).requests['GET /v2/event-types/{id}']).toBe(1);
  });
});

describe('transports', () => {
  it('answers queries over graphql-ws on the same path', async () => {
    await stack.admin.putEventType(eventType(10, 'Europe/Berlin', '09:00', '10:00'));
    const client = createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0 });
    try {
      const result = await new Promise<any>((resolve, reject) => {
        let value: unknown;
        client.subscribe(
          { query: print(AvailabilityQuery), variables: { eventTypeId: 10, start: '2025-10-27', end: '2025-10-27', timeZone: 'Europe/Berlin' } },
          { next: (v) => (value = v), error: reject, complete: () => resolve(value) },
        );
      });
      expect(result.data.availability.days[0].slots[0]).toMatchObject({ localTime: '09:00', utcOffset: '+01:00' });
    } finally {
      await client.dispose();
    }
  });

  it('serves GraphiQL to browsers and /healthz as JSON', async () => {
    const page = await fetch(stack.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('graphiql');
    const health = await fetch(`${stack.gateway.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      upstream: { kind: 'simulator', url: stack.sim.apiUrl },
      store: { kind: 'memory', ok: true },
    });
  });
});
