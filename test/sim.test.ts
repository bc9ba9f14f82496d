/**
 * The simulator over HTTP against Cal.com's behaviour (docs/calcom-contract.md: paths, headers,
 * status codes, bodies, each with the Cal.com source file it follows) and, where it covers the
 * endpoint, Cal.com's OpenAPI document. Rule-by-rule tests of the slot engine, the throttler and
 * the v2 input are in test/sim-engine.test.ts.
 */
import { readFileSync } from 'node:fs';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { DEMO } from '../src/sim/demo.js';
import { WEEKDAYS } from '../src/sim/model.js';
import { resetSimulator, simAdmin, startSimulator } from './support/stack.js';
import type { CalcomSimulator } from '../src/sim/server.js';

/** OpenAPI 3.0's `nullable: true` as JSON Schema: `anyOf: [schema, null]` (ajv wants `type` beside `nullable`). */
function nullableToAnyOf(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(nullableToAnyOf);
  if (!node || typeof node !== 'object') return node;
  const { nullable, ...rest } = node as Record<string, unknown>;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, nullableToAnyOf(v)]));
  return nullable === true ? { anyOf: [converted, { type: 'null' }] } : converted;
}

/** Cal.com's OpenAPI document (test/fixtures/README.md says where it comes from). */
const openapi = nullableToAnyOf(JSON.parse(readFileSync(new URL('./fixtures/calcom-openapi-v2.json', import.meta.url), 'utf8'))) as any;
/**
 * Where the generated document mistypes what Cal.com's source returns, the schemas are corrected,
 * each correction with the source it follows:
 * - `users` and `hosts` are typed as arrays of strings; output-event-types.service.ts returns user
 *   objects and organizations/event-types/services/output.service.ts host objects;
 * - `seats` is `Seats_2024_06_14`; transformers/internal-to-api/seats.ts returns `{disabled: true}`
 *   for an event type without seats;
 * - `EventTypeTeam`'s strings are required; packages/prisma/schema.prisma's Team columns slug,
 *   logoUrl, bannerUrl, brandColor, darkBrandColor and theme are nullable (null unless set).
 */
function correctEventTypeSchemas(schemas: any): void {
  const disabledSeats = { type: 'object', properties: { disabled: { const: true } }, required: ['disabled'] };
  for (const name of ['EventTypeOutput_2024_06_14', 'TeamEventTypeOutput_2024_06_14']) {
    const props = schemas[name].properties;
    if (props.users) props.users.items = { type: 'object', required: ['id'] };
    if (props.hosts) props.hosts.items = { type: 'object', required: ['userId'] };
    props.seats = { anyOf: [{ $ref: '#/components/schemas/Seats_2024_06_14' }, disabledSeats] };
  }
  for (const field of ['slug', 'logoUrl', 'bannerUrl', 'brandColor', 'darkBrandColor', 'theme']) {
    schemas.EventTypeTeam.properties[field] = { anyOf: [{ type: 'string' }, { type: 'null' }] };
  }
}
correctEventTypeSchemas(openapi.components.schemas);
const ajv = new Ajv({ strict: false, allErrors: true });
ajv.addSchema(openapi.components ? { $id: 'openapi', components: openapi.components } : {}, 'openapi');
const validateEventTypeBody = ajv.compile({ $ref: 'openapi#/components/schemas/GetEventTypeOutput_2024_06_14' });
const validateTeamEventTypeBody = ajv.compile({ $ref: 'openapi#/components/schemas/GetTeamEventTypeOutput' });
/** The `format=range` branch of the documented 200 response: a map of dates to `{start, end}` objects. */
const rangeBranch = openapi.paths['/v2/slots'].get.responses['200'].content['application/json'].schema.oneOf[1];
const validateRangeData = ajv.compile({ ...rangeBranch, additionalProperties: { ...rangeBranch.additionalProperties, items: { ...rangeBranch.additionalProperties.items, required: ['start', 'end'] } } });

/** 24 h a day, every day, in `zone`: makes day boundaries and DST visible in the slots. */
const allDay = (id: number, zone: string, lengthInMinutes = 60) => ({
  id,
  slug: `all-day-${id}`,
  title: 'All day',
  lengthInMinutes,
  schedule: {
    timeZone: zone,
    availability: [{ days: [...WEEKDAYS], startTime: '00:00', endTime: '24:00' }],
    overrides: [],
  },
});

let sim: CalcomSimulator;
let admin: ReturnType<typeof simAdmin>;

beforeAll(async () => {
  sim = await startSimulator();
  admin = simAdmin(sim);
});

beforeEach(() => resetSimulator(admin, '2025-10-20T00:00:00Z'));

const API_KEY = 'cal_test_sim_contract';

async function slots(query: Record<string, string | number>, headers: Record<string, string> = { 'cal-api-version': '2024-09-04' }) {
  const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
  const res = await fetch(`${sim.apiUrl}/slots?${qs}`, { headers: { authorization: `Bearer ${API_KEY}`, ...headers } });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
}

describe('GET /v2/slots', () => {
  it('needs cal-api-version 2024-09-04: without it Cal.com has no such route (404)', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    const res = await slots({ eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' }, {});
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ status: 'error', error: { code: 'NotFoundException' } });
    expect(res.body.error.message).toMatch(/^Cannot GET \/v2\/slots/);
  });

  it('rejects unknown query parameters with a 400 naming them', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    const res = await slots({ eventTypeId: 1, start: '2025-10-27', end: '2025-10-27', username: 'jane' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      status: 'error',
      path: expect.stringContaining('/v2/slots?'),
      error: {
        code: 'BadRequestException',
        message: 'username property is wrong,property username should not exist ',
        details: { statusCode: 400, error: 'Bad Request' },
      },
    });
    expect(typeof res.body.timestamp).toBe('string');
  });

  it('reads start/end as UTC and widens an end at exactly 00:00:00Z to 23:59:59 of that day', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    const starts = (body: any) => Object.values(body.data).flat().map((s: any) => s.start);
    const widened = await slots({ eventTypeId: 1, start: '2025-10-27T00:00:00Z', end: '2025-10-28T00:00:00Z' });
    expect(starts(widened.body).at(-1)).toBe('2025-10-28T23:00:00.000Z');
    expect(starts(widened.body)).toHaveLength(48);
    const exact = await slots({ eventTypeId: 1, start: '2025-10-27T00:00:00Z', end: '2025-10-27T23:59:59Z' });
    expect(starts(exact.body)).toHaveLength(24);
    expect(starts(exact.body).at(-1)).toBe('2025-10-27T23:00:00.000Z');
    const dateOnly = await slots({ eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' });
    expect(starts(dateOnly.body)).toHaveLength(24);
  });

  it('uses timeZone only to format instants and key days, never to move the window', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    const window = { eventTypeId: 1, start: '2025-10-27T00:00:00Z', end: '2025-10-27T05:59:59Z', format: 'range' };
    const inUtc = await slots(window);
    const inNy = await slots({ ...window, timeZone: 'America/New_York' });
    expect(Object.keys(inUtc.body.data)).toEqual(['2025-10-27']);
    expect(Object.keys(inNy.body.data)).toEqual(['2025-10-26', '2025-10-27']);
    expect(inNy.body.data['2025-10-26'][0]).toEqual({ start: '2025-10-26T20:00:00.000-04:00', end: '2025-10-26T21:00:00.000-04:00' });
    const instants = (body: any) => Object.values(body.data).flat().map((s: any) => Date.parse(s.start));
    expect(instants(inNy.body)).toEqual(instants(inUtc.body));
    expect(validateRangeData(inNy.body.data), JSON.stringify(validateRangeData.errors)).toBe(true);
  });

  it('returns only starts with format=time (the default) and {} when nothing is free', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    const time = await slots({ eventTypeId: 1, start: '2025-10-27T10:00:00Z', end: '2025-10-27T11:00:00Z' });
    expect(time.body).toEqual({ status: 'success', data: { '2025-10-27': [{ start: '2025-10-27T10:00:00.000Z' }] } });
    // A zero-length window has no working hours left (date-ranges.ts drops ranges with start == end).
    const zero = await slots({ eventTypeId: 1, start: '2025-10-27T10:00:00Z', end: '2025-10-27T10:00:00Z' });
    expect(zero.body).toEqual({ status: 'success', data: {} });
    const none = await slots({ eventTypeId: 1, start: '2025-10-27T10:30:00Z', end: '2025-10-27T10:45:00Z' });
    expect(none.body).toEqual({ status: 'success', data: {} });
  });

  it('leaves out days without slots', async () => {
    const res = await slots({ eventTypeId: DEMO.haircut, start: '2025-10-25', end: '2025-10-27', timeZone: 'Europe/Berlin' });
    expect(res.status).toBe(404); // the store is empty after reset(true)
    await admin.reset(false);
    const demo = await slots({ eventTypeId: DEMO.haircut, start: '2025-10-25', end: '2025-10-27', timeZone: 'Europe/Berlin' });
    // Saturday and Monday have hours, Sunday 2025-10-26 does not.
    expect(Object.keys(demo.body.data)).toEqual(['2025-10-25', '2025-10-27']);
  });

  it('generates slots from the schedule in its own zone across the Berlin autumn switch', async () => {
    await admin.putEventType({
      ...allDay(1, 'Europe/Berlin'),
      schedule: { timeZone: 'Europe/Berlin', availability: [{ days: ['Saturday', 'Sunday'], startTime: '09:00', endTime: '11:00' }], overrides: [] },
    });
    const res = await slots({ eventTypeId: 1, start: '2025-10-25', end: '2025-10-26T23:59:59Z', timeZone: 'Europe/Berlin' });
    expect(res.body.data).toEqual({
      '2025-10-25': [{ start: '2025-10-25T09:00:00.000+02:00' }, { start: '2025-10-25T10:00:00.000+02:00' }],
      '2025-10-26': [{ start: '2025-10-26T09:00:00.000+01:00' }, { start: '2025-10-26T10:00:00.000+01:00' }],
    });
  });

  it('takes away booked slots with the buffers around them, and honours the minimum notice', async () => {
    await admin.putEventType({ ...allDay(1, 'UTC', 30), afterEventBuffer: 30, beforeEventBuffer: 0, minimumBookingNotice: 60 });
    await admin.setClock('2025-10-27T09:10:00Z');
    await admin.addBooking(1, '2025-10-27T12:00:00Z');
    const res = await slots({ eventTypeId: 1, start: '2025-10-27T09:00:00Z', end: '2025-10-27T13:30:00Z' });
    expect(res.body.data['2025-10-27'].map((s: any) => s.start.slice(11, 16))).toEqual([
      // The window starts at 09:10 + 60 min notice = 10:10, rounded up to 10:30 (slots.ts). The booking
      // 12:00-12:30 blocks [12:00 − 30 (this type's after-buffer), 12:30 + 30 (its after-buffer)] =
      // [11:30, 13:00] (getBusyTimes.ts crosses the buffers), so 11:30 is taken; 13:30 would end
      // after the window's end 13:30 (slots.ts: start + length − 1 s <= range end).
      '10:30', '11:00', '13:00',
    ]);
  });

  it('uses the duration parameter and the slot interval; a slot ends by the window end (slots.ts)', async () => {
    await admin.putEventType({ ...allDay(1, 'UTC', 30), slotInterval: 15, lengthInMinutesOptions: [30, 60] });
    // packages/features/schedules/lib/slots.ts keeps a slot while start + length − 1 s <= range end,
    // and the range ends at the window end: 10:30-11:30 is the last 60 min slot before 11:30.
    const short = await slots({ eventTypeId: 1, start: '2025-10-27T10:00:00Z', end: '2025-10-27T10:30:00Z', duration: 60 });
    expect(short.body.data).toEqual({});
    const res = await slots({ eventTypeId: 1, start: '2025-10-27T10:00:00Z', end: '2025-10-27T11:30:00Z', duration: 60, format: 'range' });
    expect(res.body.data['2025-10-27']).toEqual([
      { start: '2025-10-27T10:00:00.000Z', end: '2025-10-27T11:00:00.000Z' },
      { start: '2025-10-27T10:15:00.000Z', end: '2025-10-27T11:15:00.000Z' },
      { start: '2025-10-27T10:30:00.000Z', end: '2025-10-27T11:30:00.000Z' },
    ]);
  });

  it('reports seats on seated event types and hides a full slot (slots-output.service.ts, getBusyTimes.ts)', async () => {
    await admin.putEventType({ ...allDay(1, 'UTC', 60), seatsPerTimeSlot: 3 });
    const bookings = [await admin.addBooking(1, '2025-10-27T10:00:00Z'), await admin.addBooking(1, '2025-10-27T10:00:00Z')];
    // The 11:00 slot must end by the window end (slots.ts), so the window runs to 12:00.
    const q = { eventTypeId: 1, start: '2025-10-27T10:00:00Z', end: '2025-10-27T12:00:00Z' };
    const res = await slots(q);
    expect(res.body.data['2025-10-27']).toEqual([
      { start: '2025-10-27T10:00:00.000Z', seatsBooked: 2, seatsRemaining: 1, seatsTotal: 3, bookingUid: bookings[0].uid },
      { start: '2025-10-27T11:00:00.000Z', seatsBooked: 0, seatsRemaining: 3, seatsTotal: 3 },
    ]);
    await admin.addBooking(1, '2025-10-27T10:00:00Z');
    expect((await slots(q)).body.data['2025-10-27'].map((s: any) => s.start)).toEqual(['2025-10-27T11:00:00.000Z']);
  });

  it('answers an unknown event type with 404 "Event Type not found" and bad values with 400', async () => {
    const missing = await slots({ eventTypeId: 4242, start: '2025-10-27', end: '2025-10-27' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'NotFoundException', message: 'Event Type not found' });
    await admin.putEventType(allDay(1, 'UTC'));
    const bad = await slots({ eventTypeId: 1, start: 'tomorrow', end: '2025-10-27', format: 'list' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain('start must be a valid ISO 8601 date string');
    expect(bad.body.error.message).toContain("slotFormat must be either 'range' or 'time'");
  });
});

describe('GET /v2/event-types/{id}', () => {
  const get = (id: string | number, headers: Record<string, string>) =>
    fetch(`${sim.apiUrl}/event-types/${id}`, { headers }).then(async (r) => ({ status: r.status, body: (await r.json()) as any }));

  it('needs credentials (403 from PermissionsGuard without) and returns the user and team shapes of the OpenAPI document', async () => {
    await admin.reset(false);
    // event-types.controller.ts runs PermissionsGuard before ApiAuthGuard: no credentials is a 403 (permissions.guard.ts).
    const anonymous = await get(DEMO.haircut, { 'cal-api-version': '2024-06-14' });
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.error).toMatchObject({
      code: 'ForbiddenException',
      message:
        "PermissionsGuard - no authentication provided. Provide either authorization bearer token containing managed user access token or oAuth client id in 'x-cal-client-id' header.",
      details: { statusCode: 403, error: 'Forbidden' },
    });
    const ok = await get(DEMO.haircut, { 'cal-api-version': '2024-06-14', authorization: `Bearer ${API_KEY}` });
    expect(ok.status).toBe(200);
    expect(ok.body.data).toMatchObject({ id: DEMO.haircut, slug: 'haircut', lengthInMinutes: 30, ownerId: 11, users: [{ id: 11 }], seats: { disabled: true } });
    expect(ok.body.data).not.toHaveProperty('seatsPerTimeSlot');
    expect(validateEventTypeBody(ok.body), JSON.stringify(validateEventTypeBody.errors)).toBe(true);
    // Team event types: organizations/event-types/services/output.service.ts (TeamEventTypeOutput_2024_06_14).
    const team = await get(DEMO.teamConsultation, { 'cal-api-version': '2024-06-14', authorization: `Bearer ${API_KEY}` });
    expect(team.body.data).toMatchObject({
      schedulingType: 'collective',
      teamId: 501,
      ownerId: null,
      hosts: [
        { userId: 21, name: 'Avery Lee', username: 'avery', avatarUrl: null },
        { userId: 22, name: 'Jordan Kim', username: 'jordan', avatarUrl: null },
      ],
      team: { id: 501, name: 'Consulting team', slug: 'consulting' },
    });
    expect(team.body.data).not.toHaveProperty('users');
    expect(validateTeamEventTypeBody(team.body), JSON.stringify(validateTeamEventTypeBody.errors)).toBe(true);
    const missing = await get(999, { 'cal-api-version': '2024-06-14', authorization: `Bearer ${API_KEY}` });
    expect(missing).toMatchObject({ status: 404, body: { error: { code: 'NotFoundException', message: 'Event type with id 999 not found' } } });
  });
});

describe('rate limiting (apps/api/v2/src/lib/throttler-guard.ts)', () => {
  it('sends X-RateLimit-*-Default on every response, blocks past the limit with ThrottlerException, and never Retry-After', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    await admin.configure({ rateLimit: { limit: 3, windowMs: 60_000, blockMs: 60_000 } });
    const q = { eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' };
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await slots(q);
      expect(res.status).toBe(200);
      expect(res.headers.get('x-ratelimit-limit-default')).toBe('3');
      remaining.push(res.headers.get('x-ratelimit-remaining-default')!);
    }
    expect(remaining).toEqual(['2', '1', '0']);
    const over = await slots(q);
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBeNull();
    expect(over.headers.get('x-ratelimit-remaining-default')).toBe('0');
    expect(Number(over.headers.get('x-ratelimit-reset-default'))).toBeGreaterThanOrEqual(59);
    expect(over.body).toMatchObject({
      status: 'error',
      error: {
        code: 'ThrottlerException',
        message: 'CustomThrottlerGuard - Too many requests. Please try again later.',
        details: 'CustomThrottlerGuard - Too many requests. Please try again later.',
      },
    });
    // Still blocked; another API key has its own budget.
    expect((await slots(q)).status).toBe(429);
    const other = await fetch(`${sim.apiUrl}/slots?eventTypeId=1&start=2025-10-27&end=2025-10-27`, {
      headers: { authorization: 'Bearer cal_another_key', 'cal-api-version': '2024-09-04' },
    });
    expect(other.status).toBe(200);
    expect(await admin.stats()).toEqual({ total: 6, rateLimited: 2, requests: { 'GET /v2/slots': 6 } });
  });
});

describe('admin API', () => {
  it('counts only /v2 calls per endpoint and zeroes them on DELETE', async () => {
    await admin.reset(false);
    await slots({ eventTypeId: DEMO.haircut, start: '2025-10-27', end: '2025-10-27' });
    await fetch(`${sim.apiUrl}/event-types/${DEMO.haircut}`, { headers: { authorization: `Bearer ${API_KEY}`, 'cal-api-version': '2024-06-14' } });
    expect(await admin.stats()).toEqual({
      total: 2,
      rateLimited: 0,
      requests: { 'GET /v2/slots': 1, 'GET /v2/event-types/{id}': 1 },
    });
    const log = await admin.requests();
    expect(log[0]).toMatchObject({ method: 'GET', path: '/v2/slots', apiVersion: '2024-09-04', query: { eventTypeId: String(DEMO.haircut) } });
    await admin.clearStats();
    expect(await admin.stats()).toEqual({ total: 0, rateLimited: 0, requests: {} });
  });

  it('injects 500s in Cal.com’s envelope at the configured error rate', async () => {
    await admin.putEventType(allDay(1, 'UTC'));
    await admin.configure({ errorRate: 1 });
    const res = await slots({ eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' });
    expect(res.status).toBe(500);
    expect(res.body).toMatchObject({ status: 'error', error: { code: 'InternalServerErrorException' } });
    expect(res.headers.get('x-ratelimit-remaining-default')).not.toBeNull();
  });

  it('places demo bookings relative to its clock, so the demo always has taken slots', async () => {
    await admin.setClock('2031-06-02T06:00:00Z'); // a Monday
    await admin.reset(false);
    const res = await slots({ eventTypeId: DEMO.haircut, start: '2031-06-03', end: '2031-06-03', timeZone: 'Europe/Berlin' });
    const times = res.body.data['2031-06-03'].map((s: any) => s.start.slice(11, 16));
    expect(times).toContain('09:30');
    expect(times).not.toContain('10:00');
    expect(times).not.toContain('14:00');
  });

  it('rejects invalid admin bodies with a 400 that says what is wrong', async () => {
    const res = await fetch(`${sim.url}/_sim/event-types`, { method: 'POST', body: JSON.stringify({ id: -1 }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error).toContain('id');
  });
});
