/**
 * The simulator's write endpoints over HTTP against Cal.com's behaviour (docs/calcom-contract.md
 * #reservations, #bookings): reservations, bookings, cancel, reschedule, the list, the admin API's
 * bookings through the same code path, stats templates and injected faults. Each test names the
 * calcom/cal.com file it follows.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CALCOM_MESSAGES, RESERVED_BY_OTHER_PATTERN } from '../src/upstream/contract.js';
import { WEEKDAYS } from '../src/sim/model.js';
import { allDayEventType as allDay, resetSimulator, simAdmin, startSimulator } from './support/stack.js';
import type { CalcomSimulator } from '../src/sim/server.js';

const KEY = 'cal_sim_bookings_test';
const NOW = '2025-10-20T00:00:00Z'; // a Monday

const nineToFive = { timeZone: 'UTC', availability: [{ days: [...WEEKDAYS], startTime: '09:00', endTime: '17:00' }], overrides: [] };

let sim: CalcomSimulator;
let admin: ReturnType<typeof simAdmin>;

beforeAll(async () => {
  sim = await startSimulator();
  admin = simAdmin(sim);
});

beforeEach(() => resetSimulator(admin, NOW));

type Answer = { status: number; headers: Headers; body: any };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const version = path.startsWith('/slots') ? '2024-09-04' : path.startsWith('/bookings') ? '2024-08-13' : '';
  const res = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: {
      ...(version ? { 'cal-api-version': version } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const withKey = { authorization: `Bearer ${KEY}` };

const attendee = { name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London' };
const book = (eventTypeId: number, start: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  call('POST', '/bookings', { start, eventTypeId, attendee, ...extra }, headers);
const reserve = (eventTypeId: number, slotStart: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
  call('POST', '/slots/reservations', { eventTypeId, slotStart, ...extra }, headers);
const slotStarts = async (eventTypeId: number, day = '2025-10-27') => {
  const res = await call('GET', `/slots?eventTypeId=${eventTypeId}&start=${day}&end=${day}`);
  return (res.body.data[day] ?? []).map((s: any) => s.start.slice(11, 16));
};
async function adminPost(path: string, body: unknown): Promise<Answer> {
  const res = await fetch(`${sim.url}/_sim/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: await res.json() };
}
const adminGet = async (path: string) => (await (await fetch(`${sim.url}/_sim/${path}`)).json()) as any;

describe('POST /v2/slots/reservations (slots.controller.ts, slots.service.ts @02321c33, slots-output.service.ts)', () => {
  it('reserves for 5 minutes by default and answers 201 with the reservation', async () => {
    await admin.putEventType(allDay(1));
    const res = await reserve(1, '2025-10-27T10:00:00Z');
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      status: 'success',
      data: {
        eventTypeId: 1,
        slotStart: '2025-10-27T10:00:00.000Z',
        slotEnd: '2025-10-27T10:30:00.000Z',
        slotDuration: 30,
        reservationDuration: 5,
        reservationUid: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
        reservationUntil: '2025-10-20T00:05:00.000Z',
      },
    });
    expect(await adminGet('reservations')).toEqual([
      expect.objectContaining({ uid: res.body.data.reservationUid, eventTypeId: 1, userId: 7, expired: false, isSeat: false }),
    ]);
  });

  it('refuses as Cal.com: 404 unknown event type, 422 booked, 422 reserved, 422 no seats left', async () => {
    expect((await reserve(99, '2025-10-27T10:00:00Z')).body.error).toMatchObject({ code: 'NotFoundException', message: 'Event Type with ID=99 not found' });
    await admin.putEventType(allDay(1));
    await admin.addBooking(1, '2025-10-27T10:00:00Z');
    // slots.repository.ts findActiveOverlappingBooking: a strictly overlapping booking of this event type.
    const booked = await reserve(1, '2025-10-27T10:15:00Z');
    expect(booked.status).toBe(422);
    expect(booked.body.error).toMatchObject({ code: 'UnprocessableEntityException', message: CALCOM_MESSAGES.reservationBooked });
    expect((await reserve(1, '2025-10-27T10:30:00Z')).status).toBe(201); // touching is fine
    const reserved = await reserve(1, '2025-10-27T10:45:00Z');
    expect(reserved.status).toBe(422);
    expect(reserved.body.error.message).toBe(CALCOM_MESSAGES.reservationReserved);
    await admin.putEventType(allDay(2, { seatsPerTimeSlot: 2 }));
    await admin.addBooking(2, '2025-10-27T12:00:00Z');
    expect((await reserve(2, '2025-10-27T12:00:00Z')).status).toBe(201); // a seat is left
    await admin.addBooking(2, '2025-10-27T12:00:00Z');
    const full = await reserve(2, '2025-10-27T12:00:00.000Z');
    expect(full.status).toBe(422);
    expect(full.body.error.message).toBe('Booking with id=2 at 2025-10-27T12:00:00.000Z has no more seats left.');
  });

  it('takes reservationDuration only with credentials (401 without) and drops unknown keys (global ValidationPipe, app.ts)', async () => {
    await admin.putEventType(allDay(1));
    const anonymous = await reserve(1, '2025-10-27T10:00:00Z', { reservationDuration: 10 });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.error).toMatchObject({
      code: 'UnauthorizedException',
      message: 'reservationDuration can only be used for authenticated requests - use access token, api key or OAuth credentials',
    });
    const keyed = await reserve(1, '2025-10-27T10:00:00Z', { reservationDuration: 10, color: 'blue' }, withKey);
    expect(keyed.status).toBe(201);
    expect(keyed.body.data).toMatchObject({ reservationDuration: 10, reservationUntil: '2025-10-20T00:10:00.000Z' });
    const bad = await reserve(1, 'soon', { eventTypeId: '1' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Bad Request Exception');
    expect(bad.body.error.details.errors.map((e: any) => e.constraints)).toEqual([
      { isInt: 'eventTypeId must be an integer number' },
      { isDateString: 'slotStart must be a valid ISO 8601 date string' },
    ]);
  });

  it('answers GET, PATCH and DELETE by uid as Cal.com (GET unknown: data null; DELETE unknown: 200)', async () => {
    await admin.putEventType(allDay(1, { lengthInMinutesOptions: [30, 60] }));
    const uid = (await reserve(1, '2025-10-27T10:00:00Z')).body.data.reservationUid;
    const got = await call('GET', `/slots/reservations/${uid}`);
    expect(got.body).toEqual({
      status: 'success',
      data: { eventTypeId: 1, slotStart: '2025-10-27T10:00:00.000Z', slotEnd: '2025-10-27T10:30:00.000Z', slotDuration: 30, reservationUid: uid, reservationUntil: '2025-10-20T00:05:00.000Z' },
    });
    expect((await call('GET', '/slots/reservations/nope')).body).toEqual({ status: 'success', data: null });
    // updateReservedSlot: the overlap check does not exclude the reservation itself.
    expect((await call('PATCH', `/slots/reservations/${uid}`, { eventTypeId: 1, slotStart: '2025-10-27T10:15:00Z' })).status).toBe(422);
    const moved = await call('PATCH', `/slots/reservations/${uid}`, { eventTypeId: 1, slotStart: '2025-10-27T12:00:00Z', slotDuration: 60 });
    expect(moved.status).toBe(200);
    expect(moved.body.data).toMatchObject({ slotStart: '2025-10-27T12:00:00.000Z', slotEnd: '2025-10-27T13:00:00.000Z', slotDuration: 60, reservationDuration: 5, reservationUid: uid });
    const missing = await call('PATCH', '/slots/reservations/nope', { eventTypeId: 1, slotStart: '2025-10-27T12:00:00Z' });
    expect(missing.body.error).toMatchObject({ code: 'NotFoundException', message: 'Slot with uid=nope not found' });
    expect((await call('DELETE', `/slots/reservations/${uid}`)).body).toEqual({ status: 'success' });
    expect((await call('DELETE', '/slots/reservations/nope'))).toMatchObject({ status: 200, body: { status: 'success' } });
    expect((await call('GET', `/slots/reservations/${uid}`)).body.data).toBeNull();
  });

  it('hides the slot on every event type of the host, for everyone, until it expires on the simulator clock (util.ts)', async () => {
    await admin.putEventType(allDay(1));
    await admin.putEventType(allDay(2, { lengthInMinutes: 60 }));
    await admin.putEventType(allDay(3, { ownerId: 8 }));
    await reserve(1, '2025-10-27T10:00:00Z');
    expect(await slotStarts(1)).not.toContain('10:00');
    expect(await slotStarts(2)).not.toContain('10:00'); // same host, other event type
    expect(await slotStarts(3)).toContain('10:00'); // another host
    await admin.setClock('2025-10-20T00:05:00Z'); // releaseAt reached: expired
    expect((await adminGet('reservations'))[0]).toMatchObject({ expired: true });
    expect(await slotStarts(1)).toContain('10:00');
    // The slots call deleted the expired reservation of its event type (deleteManyExpiredSlots).
    expect(await adminGet('reservations')).toEqual([]);
  });

  it('stores a team event type’s reservation against hosts[0] (slots.service.ts)', async () => {
    await admin.putEventType(allDay(5, { teamId: 9, schedulingType: 'collective', hosts: [{ userId: 31 }, { userId: 32 }] }));
    await reserve(5, '2025-10-27T10:00:00Z');
    expect((await adminGet('reservations'))[0]).toMatchObject({ userId: 31 });
  });

  it('does not exist without cal-api-version 2024-09-04 (the 2024-04-15 controller has no such route)', async () => {
    await admin.putEventType(allDay(1));
    const res = await fetch(`${sim.apiUrl}/slots/reservations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventTypeId: 1, slotStart: '2025-10-27T10:00:00Z' }) });
    expect(res.status).toBe(404);
  });
});

describe('POST /v2/bookings (bookings.service.ts, input.service.ts, ensureAvailableUsers.ts, errors.service.ts)', () => {
  it('answers 201 with BookingOutput_2024_08_13 (booking.output.ts, output.service.ts)', async () => {
    await admin.putEventType({ ...allDay(1), title: 'Haircut', slug: 'haircut' });
    const res = await book(1, '2025-10-27T10:00:00Z', { guests: ['bob@example.com'], metadata: { crmLeadId: 'L-1' }, bookingFieldsResponses: { company: 'Acme' } });
    expect(res.status).toBe(201);
    const b = res.body.data;
    expect(b).toEqual({
      id: 1,
      uid: expect.stringMatching(/^[1-9a-km-zA-HJ-NP-Z]{22}$/),
      title: 'Haircut between Nameless and Ada Lovelace',
      description: '',
      hosts: [{ id: 7, name: 'Nameless', email: 'user7@example.com', displayEmail: 'user7@example.com', username: 'unknown', timeZone: 'UTC' }],
      status: 'accepted',
      start: '2025-10-27T10:00:00.000Z',
      end: '2025-10-27T10:30:00.000Z',
      duration: 30,
      eventTypeId: 1,
      eventType: { id: 1, slug: 'haircut' },
      meetingUrl: `https://app.cal.com/video/${b.uid}`,
      location: `https://app.cal.com/video/${b.uid}`,
      absentHost: false,
      createdAt: '2025-10-20T00:00:00.000Z',
      updatedAt: null,
      metadata: { crmLeadId: 'L-1' },
      icsUid: `${b.uid}@Cal.com`,
      attendees: [{ name: 'Ada Lovelace', email: 'ada@example.com', displayEmail: 'ada@example.com', timeZone: 'Europe/London', language: 'en', absent: false }],
      guests: ['bob@example.com'],
      bookingFieldsResponses: { company: 'Acme', name: 'Ada Lovelace', email: 'ada@example.com', guests: ['bob@example.com'] },
    });
    expect(Object.keys(b).slice(0, 6)).toEqual(['id', 'uid', 'title', 'description', 'hosts', 'status']);
    // The booking is busy time now.
    expect(await slotStarts(1)).not.toContain('10:00');
  });

  it('validates the body as CreateBookingInputPipe: unknown keys, contact method, metadata, lengthInMinutes', async () => {
    await admin.putEventType(allDay(1, { lengthInMinutesOptions: [30, 60] }));
    await admin.putEventType(allDay(2));
    const unknown = await book(1, '2025-10-27T10:00:00Z', { notes: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'BadRequestException', message: 'notes property is wrong,property notes should not exist ' });
    const noContact = await call('POST', '/bookings', { start: '2025-10-27T10:00:00Z', eventTypeId: 1, attendee: { name: 'Ada', timeZone: 'UTC' } });
    expect(noContact.body.error.message).toBe(
      `attendee property is wrong, attendee email or phone property is wrong,${CALCOM_MESSAGES.attendeeContact} `,
    );
    expect((await call('POST', '/bookings', { start: '2025-10-27T10:00:00Z', eventTypeId: 1, attendee: { name: 'Ada', timeZone: 'UTC', phoneNumber: '+14155550123' } })).status).toBe(201);
    const metadata = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    expect((await book(1, '2025-10-27T11:00:00Z', { metadata })).body.error.message).toBe(
      'metadata property is wrong,Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters. ',
    );
    expect((await book(2, '2025-10-27T11:00:00Z', { lengthInMinutes: 30 })).body.error.message).toBe(
      "Can't specify 'lengthInMinutes' because event type does not have multiple possible lengths. Please, remove the 'lengthInMinutes' field from the request.",
    );
    expect((await book(1, '2025-10-27T11:00:00Z', { lengthInMinutes: 45 })).body.error.message).toBe(
      "Provided 'lengthInMinutes' is not one of the possible lengths for the event type. The possible lengths are: 30, 60",
    );
    const long = await book(1, '2025-10-27T11:00:00Z', { lengthInMinutes: 60 });
    expect(long.body.data).toMatchObject({ duration: 60, end: '2025-10-27T12:00:00.000Z' });
    expect((await book(99, '2025-10-27T11:00:00Z')).body.error).toMatchObject({ code: 'NotFoundException', message: 'Event type with id 99 not found.' });
  });

  it('books a start inside free time even off the slot grid, and refuses a busy host with the individual or team text', async () => {
    await admin.putEventType(allDay(1, { lengthInMinutes: 60 }));
    // ensureAvailableUsers.ts: the interval must fit a date range and miss every busy block; no grid.
    expect((await book(1, '2025-10-27T10:10:00Z')).status).toBe(201);
    const busy = await book(1, '2025-10-27T10:40:00Z');
    expect(busy.status).toBe(400);
    expect(busy.body.error).toMatchObject({ code: 'BadRequestException', message: CALCOM_MESSAGES.slotTakenIndividual });
    expect((await book(1, '2025-10-27T11:10:00Z')).status).toBe(201); // touching
    // Outside the working hours is "not available" too.
    await admin.putEventType({ ...allDay(2), ownerId: 8, schedule: nineToFive });
    expect((await book(2, '2025-10-27T16:45:00Z')).body.error.message).toBe(CALCOM_MESSAGES.slotTakenIndividual);
    // Collective team: one host busy (through another event type of theirs) blocks the team.
    await admin.putEventType(allDay(3, { teamId: 9, schedulingType: 'collective', hosts: [{ userId: 7 }, { userId: 21 }] }));
    const team = await book(3, '2025-10-27T10:30:00Z');
    expect(team.status).toBe(400);
    expect(team.body.error.message).toBe(CALCOM_MESSAGES.slotTakenTeam);
  });

  it('honours buffers as busy time (getBusyTimes.ts, crossed buffers)', async () => {
    await admin.putEventType(allDay(1, { afterEventBuffer: 15 }));
    await admin.addBooking(1, '2025-10-27T10:00:00Z');
    expect((await book(1, '2025-10-27T10:30:00Z')).body.error.message).toBe(CALCOM_MESSAGES.slotTakenIndividual);
    expect((await book(1, '2025-10-27T10:45:00Z')).status).toBe(201);
  });

  it('refuses the past and the minimum notice (isOutOfBounds.tsx via validateBookingTimeIsNotOutOfBounds.ts)', async () => {
    await admin.putEventType(allDay(1, { minimumBookingNotice: 120 }));
    await admin.setClock('2025-10-27T09:00:00Z');
    const past = await book(1, '2025-10-27T08:00:00Z');
    expect(past.status).toBe(400);
    expect(past.body.error).toMatchObject({ code: 'BadRequestException', message: CALCOM_MESSAGES.inThePast });
    expect((await book(1, '2025-10-27T10:30:00Z')).body.error.message).toBe(CALCOM_MESSAGES.outOfBounds);
    expect((await book(1, '2025-10-27T11:00:00Z')).status).toBe(201);
  });

  it('books a reservation only for its holder: 409 for another reservedSlotUid, 201 for the own one, which is deleted (createBookingWithReservedSlot.ts, reserved-slot-bookings.e2e-spec.ts)', async () => {
    await admin.putEventType(allDay(1));
    const theirs = (await reserve(1, '2025-10-27T10:00:00Z')).body.data.reservationUid;
    await admin.setClock('2025-10-20T00:01:00Z');
    const conflict = await book(1, '2025-10-27T10:00:00Z', { reservedSlotUid: 'a-uid-that-is-not-first' });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error).toMatchObject({ code: 'ConflictException' });
    expect(conflict.body.error.message).toMatch(RESERVED_BY_OTHER_PATTERN);
    expect(RESERVED_BY_OTHER_PATTERN.exec(conflict.body.error.message)![1]).toBe('240');
    const own = await book(1, '2025-10-27T10:00:00Z', { reservedSlotUid: theirs });
    expect(own.status).toBe(201);
    expect((await call('GET', `/slots/reservations/${theirs}`)).body.data).toBeNull();
  });

  it('ignores reservations without a reservedSlotUid, as the source does (the check lives in createBookingWithReservedSlot only)', async () => {
    await admin.putEventType(allDay(1));
    await reserve(1, '2025-10-27T10:00:00Z');
    expect((await book(1, '2025-10-27T10:00:00Z')).status).toBe(201);
  });

  it('lets an expired own reservation through but not a later active one of someone else (findEarliestActiveSlot)', async () => {
    await admin.putEventType(allDay(1));
    const mine = (await reserve(1, '2025-10-27T10:00:00Z')).body.data.reservationUid;
    await admin.setClock('2025-10-20T00:06:00Z');
    expect((await reserve(1, '2025-10-27T10:00:00Z')).status).toBe(201); // mine expired: someone else reserves
    expect((await book(1, '2025-10-27T10:00:00Z', { reservedSlotUid: mine })).status).toBe(409);
  });

  it('books seats until the slot is full: one row per seat, then 409 (handleSeats, bookings.service.ts createSeatedBooking)', async () => {
    await admin.putEventType(allDay(1, { seatsPerTimeSlot: 2 }));
    const first = await book(1, '2025-10-27T10:00:00Z');
    expect(first.status).toBe(201);
    expect(first.body.data.seatUid).toMatch(/^[0-9a-f-]{36}$/);
    expect(first.body.data.attendees[0]).toMatchObject({ name: 'Ada Lovelace', seatUid: first.body.data.seatUid });
    expect((await book(1, '2025-10-27T10:00:00Z', { attendee: { ...attendee, email: 'bob@example.com' } })).status).toBe(201);
    const res = await call('GET', '/slots?eventTypeId=1&start=2025-10-27T10:00:00Z&end=2025-10-27T11:30:00Z');
    expect(res.body.data['2025-10-27'][0].start).not.toBe('2025-10-27T10:00:00.000Z'); // full: hidden
    const full = await book(1, '2025-10-27T10:00:00Z');
    expect(full.status).toBe(409);
    expect(full.body.error).toMatchObject({ code: 'ConflictException', message: CALCOM_MESSAGES.seatsFull });
  });

  it('needs cal-api-version 2024-08-13: without it Cal.com has its 2024-04-15 controller, which the simulator answers with a 400 naming the limit', async () => {
    await admin.putEventType(allDay(1));
    const res = await fetch(`${sim.apiUrl}/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ start: '2025-10-27T10:00:00Z', eventTypeId: 1, attendee }) });
    expect(res.status).toBe(400);
    expect(((await res.json()) as any).error.message).toMatch(/cal-api-version 2024-08-13 is required/);
    expect(await adminGet('bookings')).toEqual([]);
  });
});

describe('GET /v2/bookings/{uid} and GET /v2/bookings (bookings.service.ts getBooking/getBookings, get-bookings.input.ts, pagination.ts)', () => {
  it('answers a booking by uid, 404 for an unknown one', async () => {
    await admin.putEventType(allDay(1));
    const uid = (await book(1, '2025-10-27T10:00:00Z')).body.data.uid;
    expect((await call('GET', `/bookings/${uid}`)).body.data).toMatchObject({ uid, status: 'accepted' });
    const missing = await call('GET', '/bookings/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatchObject({ code: 'NotFoundException', message: 'Booking with uid=nope was not found in the database' });
  });

  it('lists with an API key only, filtered and paginated', async () => {
    await admin.putEventType(allDay(1));
    await admin.putEventType(allDay(2, { ownerId: 8 }));
    await book(1, '2025-10-27T10:00:00Z', { metadata: { ref: 'a' } });
    await book(1, '2025-10-28T10:00:00Z', { attendee: { ...attendee, email: 'bob@example.com' } });
    await book(2, '2025-10-27T10:00:00Z');
    const cancelled = (await book(2, '2025-10-29T10:00:00Z')).body.data.uid;
    await call('POST', `/bookings/${cancelled}/cancel`, {});
    expect((await call('GET', '/bookings')).status).toBe(403); // PermissionsGuard: no credentials
    const list = async (qs: string) => (await call('GET', `/bookings?${qs}`, undefined, withKey)).body;
    const all = await list('');
    expect(all.data.map((b: any) => b.start.slice(0, 10))).toEqual(['2025-10-27', '2025-10-27', '2025-10-28', '2025-10-29']);
    expect(all.pagination).toEqual({ itemsReturned: 4, totalItems: 4, itemsPerPage: 100, remainingItems: 0, currentPage: 1, totalPages: 1, hasNextPage: false, hasPreviousPage: false });
    expect((await list('eventTypeId=1')).data).toHaveLength(2);
    expect((await list('eventTypeIds=1,2&status=upcoming')).data).toHaveLength(3);
    expect((await list('status=cancelled')).data.map((b: any) => b.uid)).toEqual([cancelled]);
    expect((await list('attendeeEmail=BOB@example.com')).data).toHaveLength(1);
    expect((await list('afterStart=2025-10-28T00:00:00Z&beforeEnd=2025-10-28T23:59:59Z')).data).toHaveLength(1);
    const page = await list('take=1&skip=1');
    expect(page.data).toHaveLength(1);
    expect(page.pagination).toMatchObject({ itemsReturned: 1, totalItems: 4, itemsPerPage: 1, remainingItems: 2, currentPage: 2, totalPages: 4, hasNextPage: true, hasPreviousPage: true });
    // The gateway finds a booking after a timeout by its metadata.
    expect(all.data.filter((b: any) => b.metadata.ref === 'a')).toHaveLength(1);
    const bad = await call('GET', '/bookings?take=0&status=soon', undefined, withKey);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Bad Request Exception');
  });
});

describe('POST /v2/bookings/{uid}/cancel (input.service.ts createCancelBookingRequest)', () => {
  it('cancels once (200), refuses twice (400) and an unknown uid (404); the time is free again', async () => {
    await admin.putEventType(allDay(1));
    const uid = (await book(1, '2025-10-27T10:00:00Z')).body.data.uid;
    const res = await call('POST', `/bookings/${uid}/cancel`, { cancellationReason: 'Travel' });
    expect(res.status).toBe(200);
    expect(res.body.data).toMatchObject({ uid, status: 'cancelled', cancellationReason: 'Travel', updatedAt: '2025-10-20T00:00:00.000Z' });
    const again = await call('POST', `/bookings/${uid}/cancel`, {});
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe(
      `Can't cancel booking with uid=${uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.`,
    );
    const missing = await call('POST', '/bookings/nope/cancel');
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toBe('Booking with uid=nope not found');
    expect(await slotStarts(1)).toContain('10:00');
    expect((await call('POST', `/bookings/${uid}/cancel`, { reason: 'x' })).body.error.message).toBe('reason property is wrong,property reason should not exist ');
  });
});

describe('POST /v2/bookings/{uid}/reschedule (bookings.service.ts rescheduleBooking, input.service.ts transformInputRescheduleBooking)', () => {
  it('creates a new booking (201), cancels the old one, resets the length and frees the old time for itself', async () => {
    await admin.putEventType(allDay(1, { lengthInMinutesOptions: [30, 60] }));
    const old = (await book(1, '2025-10-27T10:00:00Z', { lengthInMinutes: 60, metadata: { ref: 'r' } })).body.data;
    const res = await call('POST', `/bookings/${old.uid}/reschedule`, { start: '2025-10-27T10:15:00Z', reschedulingReason: 'Later', rescheduledBy: 'ada@example.com' });
    expect(res.status).toBe(201);
    const next = res.body.data;
    expect(next.uid).not.toBe(old.uid);
    expect(next.id).not.toBe(old.id);
    expect(next).toMatchObject({
      status: 'accepted',
      rescheduledFromUid: old.uid,
      reschedulingReason: 'Later',
      rescheduledByEmail: 'ada@example.com',
      start: '2025-10-27T10:15:00.000Z',
      end: '2025-10-27T10:45:00.000Z', // the event type's default length, not the 60 booked
      duration: 30,
      attendees: [{ name: 'Ada Lovelace', email: 'ada@example.com', timeZone: 'Europe/London' }],
      metadata: { ref: 'r' },
      icsUid: old.icsUid,
    });
    expect((await call('GET', `/bookings/${old.uid}`)).body.data).toMatchObject({ status: 'cancelled', rescheduledToUid: next.uid });
    const again = await call('POST', `/bookings/${old.uid}/reschedule`, { start: '2025-10-27T12:00:00Z' });
    expect(again.status).toBe(400);
    expect(again.body.error.message).toBe(
      `Can't reschedule booking with uid=${old.uid} because it has been cancelled and rescheduled already to booking with uid=${next.uid}. You probably want to reschedule ${next.uid} instead by passing it within the request URL.`,
    );
    expect((await call('POST', '/bookings/nope/reschedule', { start: '2025-10-27T12:00:00Z' })).body.error.message).toBe('Booking with uid=nope was not found in the database');
  });

  it('refuses as create does, with the individual text even for a team event type (handleBookingError(error, false))', async () => {
    await admin.putEventType(allDay(3, { teamId: 9, schedulingType: 'collective', hosts: [{ userId: 21 }, { userId: 22 }] }));
    await admin.putEventType(allDay(4, { ownerId: 22 }));
    const uid = (await book(3, '2025-10-27T10:00:00Z')).body.data.uid;
    await book(4, '2025-10-27T12:00:00Z');
    const res = await call('POST', `/bookings/${uid}/reschedule`, { start: '2025-10-27T12:00:00Z' });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(CALCOM_MESSAGES.slotTakenIndividual);
    expect((await call('POST', `/bookings/${uid}/reschedule`, { start: '2025-10-19T10:00:00Z' })).body.error.message).toBe(CALCOM_MESSAGES.inThePast);
  });
});

describe('admin API for bookings', () => {
  it('sends POST /_sim/bookings through the POST /v2/bookings checks, with "force" for set-ups', async () => {
    await admin.putEventType(allDay(1));
    const first = await adminPost('bookings', { eventTypeId: 1, start: '2025-10-27T10:00:00Z' });
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ eventTypeId: 1, userId: 7, hostUserIds: [7], status: 'accepted', source: 'admin', attendee: { name: 'Someone Else' } });
    const refused = await adminPost('bookings', { eventTypeId: 1, start: '2025-10-27T10:15:00Z' });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ status: 'error', error: { code: 'BadRequestException', message: CALCOM_MESSAGES.slotTakenIndividual } });
    expect((await adminPost('bookings', { eventTypeId: 1, start: '2025-10-01T10:00:00Z' })).body.error.message).toBe(CALCOM_MESSAGES.inThePast);
    expect((await adminPost('bookings', { eventTypeId: 1, start: '2025-10-27T10:15:00Z', force: true })).status).toBe(201);
    expect((await adminPost('bookings', { eventTypeId: 1, start: '2025-10-27T11:00:00Z', color: 'red' })).body.error.message).toBe('color property is wrong,property color should not exist ');
    const all = await adminGet('bookings');
    expect(all.map((b: any) => b.start)).toEqual(['2025-10-27T10:00:00.000Z', '2025-10-27T10:15:00.000Z']);
    expect(sim.bookings()).toHaveLength(2);
  });

  it('counts every route by template in /_sim/stats', async () => {
    await admin.putEventType(allDay(1));
    const uid = (await book(1, '2025-10-27T10:00:00Z')).body.data.uid;
    const next = (await call('POST', `/bookings/${uid}/reschedule`, { start: '2025-10-27T11:00:00Z' })).body.data.uid;
    await call('GET', `/bookings/${next}`);
    await call('GET', '/bookings', undefined, withKey);
    await call('POST', `/bookings/${next}/cancel`, {});
    const r = (await reserve(1, '2025-10-27T12:00:00Z')).body.data.reservationUid;
    await call('GET', `/slots/reservations/${r}`);
    await call('PATCH', `/slots/reservations/${r}`, { eventTypeId: 1, slotStart: '2025-10-27T13:00:00Z' });
    await call('DELETE', `/slots/reservations/${r}`);
    expect((await admin.stats()).requests).toEqual({
      'POST /v2/bookings': 1,
      'POST /v2/bookings/{uid}/reschedule': 1,
      'GET /v2/bookings/{uid}': 1,
      'GET /v2/bookings': 1,
      'POST /v2/bookings/{uid}/cancel': 1,
      'POST /v2/slots/reservations': 1,
      'GET /v2/slots/reservations/{uid}': 1,
      'PATCH /v2/slots/reservations/{uid}': 1,
      'DELETE /v2/slots/reservations/{uid}': 1,
    });
  });
});

describe('fault injection for the next booking write (PUT /_sim/config nextBookingCall)', () => {
  it('delays the answer of a committed booking: the client times out although Cal.com booked', async () => {
    await admin.putEventType(allDay(1));
    await admin.configure({ nextBookingCall: { delayMs: 1500 } });
    const started = Date.now();
    await expect(
      fetch(`${sim.apiUrl}/bookings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'cal-api-version': '2024-08-13' },
        body: JSON.stringify({ start: '2025-10-27T10:00:00Z', eventTypeId: 1, attendee, metadata: { ref: 'late' } }),
        signal: AbortSignal.timeout(200),
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    // Committed at once: visible before the answer would have come.
    expect(await adminGet('bookings')).toEqual([expect.objectContaining({ start: '2025-10-27T10:00:00.000Z', metadata: { ref: 'late' } })]);
    expect((await adminGet('config')).nextBookingCall).toBeNull(); // one-shot
    const t = Date.now();
    expect((await book(1, '2025-10-27T11:00:00Z')).status).toBe(201);
    expect(Date.now() - t).toBeLessThan(1000);
  });

  it('answers 500 after committing, or fails without committing', async () => {
    await admin.putEventType(allDay(1));
    await admin.configure({ nextBookingCall: { status: 500 } });
    const after = await book(1, '2025-10-27T10:00:00Z');
    expect(after.status).toBe(500);
    expect(after.body).toMatchObject({ status: 'error', error: { code: 'InternalServerErrorException', message: 'Internal server error' } });
    expect(await adminGet('bookings')).toHaveLength(1);
    await admin.configure({ nextBookingCall: { status: 503, commit: false } });
    const before = await book(1, '2025-10-27T11:00:00Z');
    expect(before.status).toBe(503);
    expect(before.body.error.code).toBe('ServiceUnavailableException');
    expect(await adminGet('bookings')).toHaveLength(1);
    expect((await book(1, '2025-10-27T11:00:00Z')).status).toBe(201);
  });

  it('applies to cancel and reschedule too, and is not taken by other routes', async () => {
    await admin.putEventType(allDay(1));
    const uid = (await book(1, '2025-10-27T10:00:00Z')).body.data.uid;
    await admin.configure({ nextBookingCall: { status: 502 } });
    await call('GET', `/bookings/${uid}`);
    await reserve(1, '2025-10-27T12:00:00Z');
    const res = await call('POST', `/bookings/${uid}/cancel`, {});
    expect(res.status).toBe(502);
    expect((await adminGet('bookings'))[0].status).toBe('cancelled');
  });
});
