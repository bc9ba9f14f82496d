/**
 * The simulator's rules one by one, each test naming the Cal.com source file (calcom/cal.com) it
 * follows: the pure slot engine (src/sim/slots.ts), the v2 input (src/sim/v2-input.ts), the
 * throttler with an injected clock (src/sim/throttler.ts), and over HTTP the parts that live in
 * the server (credentials, rate-limit headers, event type output, admin bookings).
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { eventTypeInputSchema, WEEKDAYS, type SimBooking, type SimEventType, type SimEventTypeInput, type SimReservation } from '../src/sim/model.js';
import { BookingDateInPastError, computeSlots, getSlots, roundingInterval, type SlotEngineInput } from '../src/sim/slots.js';
import { createThrottler, createThrottleStorage, trackerOf } from '../src/sim/throttler.js';
import { adjustEnd, clampEnd, isIsoDateStrict, validateSlotsQuery } from '../src/sim/v2-input.js';
import { defaultSimConfig } from '../src/sim/model.js';
import { simAdmin, startSimulator } from './support/stack.js';
import type { CalcomSimulator } from '../src/sim/server.js';

const ms = (iso: string) => Date.parse(iso);
const iso = (t: number) => new Date(t).toISOString();
const hhmm = (t: number, zone = 'UTC') => DateTime.fromMillis(t, { zone }).toFormat('HH:mm');

/** An event type as the admin API would store it. */
function eventType(input: Partial<SimEventTypeInput> & { id: number }): SimEventType {
  return eventTypeInputSchema.parse({
    slug: `et-${input.id}`,
    title: `Event ${input.id}`,
    lengthInMinutes: 60,
    schedule: { timeZone: 'UTC', availability: [{ days: [...WEEKDAYS], startTime: '09:00', endTime: '17:00' }], overrides: [] },
    ...input,
  });
}

let nextId = 1;
function booking(et: SimEventType, start: string, minutes = et.lengthInMinutes, hostUserIds = et.teamId === null ? [et.ownerId] : et.hosts.map((h) => h.userId)): SimBooking {
  const startMs = ms(start);
  return { id: nextId, uid: `uid-${nextId++}`, eventTypeId: et.id, userId: hostUserIds[0]!, hostUserIds, startMs, endMs: startMs + minutes * 60_000, status: 'accepted' };
}

/** The engine over a day (2025-10-27, a Monday), "now" a week before unless given. */
function run(et: SimEventType, extra: Partial<SlotEngineInput> & { all?: SimEventType[] } = {}) {
  const { all = [et], ...rest } = extra;
  return computeSlots({
    eventType: et,
    eventTypes: new Map(all.map((e) => [e.id, e])),
    bookings: [],
    startMs: ms('2025-10-27T00:00:00Z'),
    endMs: ms('2025-10-27T23:59:59Z'),
    nowMs: ms('2025-10-20T00:00:00Z'),
    ...rest,
  });
}
const starts = (slots: Array<{ startMs: number }>, zone = 'UTC') => slots.map((s) => hhmm(s.startMs, zone));

describe('slot engine: the window (util.ts, date-ranges.ts, slots.ts)', () => {
  it('starts at now + max(minimumBookingNotice, 1) min (util.ts getStartTime) and drops slots inside the notice (isOutOfBounds.tsx)', () => {
    const et = eventType({ id: 1, lengthInMinutes: 1 });
    // Notice 0 counts as 1 minute: from 09:59:30 the window opens at 10:00:30, its seconds are dropped → 10:00.
    const noNotice = run(et, { nowMs: ms('2025-10-27T09:59:30Z'), startMs: ms('2025-10-27T09:00:00Z'), endMs: ms('2025-10-27T10:03:00Z') });
    expect(starts(noNotice)).toEqual(['10:00', '10:01', '10:02']);
    // Notice 5: the grid starts at 10:04 (10:04:30 floored), isTimeOutOfBounds drops it (before 10:04:30).
    const notice = eventType({ id: 2, lengthInMinutes: 1, minimumBookingNotice: 5 });
    const withNotice = run(notice, { nowMs: ms('2025-10-27T09:59:30Z'), startMs: ms('2025-10-27T09:00:00Z'), endMs: ms('2025-10-27T10:07:00Z') });
    expect(starts(withNotice)).toEqual(['10:05', '10:06']);
  });

  it('keeps a slot only while start + length − 1 s <= the window end (slots.ts)', () => {
    const et = eventType({ id: 1 });
    const window = { startMs: ms('2025-10-27T10:00:00Z') };
    expect(starts(run(et, { ...window, endMs: ms('2025-10-27T11:00:00Z') }))).toEqual(['10:00']);
    expect(starts(run(et, { ...window, endMs: ms('2025-10-27T10:59:59Z') }))).toEqual(['10:00']); // the "+1 s" tolerance
    expect(starts(run(et, { ...window, endMs: ms('2025-10-27T10:59:58Z') }))).toEqual([]);
    // The unit rule itself: a range ending 10:59:59 holds a 60-minute slot from 10:00.
    expect(getSlots({ ranges: [{ start: ms('2025-10-27T10:00:00Z'), end: ms('2025-10-27T10:59:59Z') }], eventLength: 60, frequency: 60, notice: 0, nowMs: 0, zone: 'UTC' })).toEqual([
      ms('2025-10-27T10:00:00Z'),
    ]);
  });

  it('gives nothing for a zero-length window (date-ranges.ts drops ranges with start == end)', () => {
    const et = eventType({ id: 1 });
    expect(run(et, { startMs: ms('2025-10-27T10:00:00Z'), endMs: ms('2025-10-27T10:00:00Z') })).toEqual([]);
  });

  it('clamps an end more than a year ahead to now + 1 year (get-slots.input.ts @07c7ee6d) and widens 00:00:00 ends (slots-input.service.ts)', () => {
    const now = ms('2025-10-20T12:00:00Z');
    expect(clampEnd('2030-01-01', now)).toBe('2026-10-20T12:00:00.000Z');
    expect(clampEnd('2026-10-20T11:59:59Z', now)).toBe('2026-10-20T11:59:59Z');
    expect(iso(adjustEnd('2025-10-27')!)).toBe('2025-10-27T23:59:59.000Z');
    expect(iso(adjustEnd('2025-10-27T00:00:00+02:00')!)).toBe('2025-10-26T22:00:00.000Z'); // 22:00Z is not midnight
  });

  it('treats a local end of 23:59 as the next midnight (date-ranges.ts processWorkingHours)', () => {
    const et = eventType({ id: 1, schedule: { timeZone: 'Europe/Berlin', availability: [{ days: ['Monday'], startTime: '21:00', endTime: '23:59' }], overrides: [] } });
    expect(starts(run(et, { startMs: ms('2025-10-27T00:00:00Z'), endMs: ms('2025-10-28T12:00:00Z') }), 'Europe/Berlin')).toEqual(['21:00', '22:00', '23:00']);
  });

  it('moves a working-hours start inside a spring-forward gap forward, as luxon does (date-ranges.ts: wall time in the zone)', () => {
    const et = eventType({ id: 1, lengthInMinutes: 30, schedule: { timeZone: 'Europe/Berlin', availability: [{ days: ['Sunday'], startTime: '02:30', endTime: '04:00' }], overrides: [] } });
    const slots = run(et, { startMs: ms('2025-03-30T00:00:00Z'), endMs: ms('2025-03-30T23:59:59Z'), nowMs: ms('2025-03-01T00:00:00Z') });
    expect(slots.map((s) => iso(s.startMs))).toEqual(['2025-03-30T01:30:00.000Z']); // 03:30 CEST
  });

  it('does not clip date overrides to the window: with a timeZone only the requested dates are kept (date-ranges.ts, util.ts _filterSlotsByRequestedDateRange, PR #25822)', () => {
    const et = eventType({ id: 1, schedule: { timeZone: 'UTC', availability: [], overrides: [{ date: '2025-10-27', startTime: '09:00', endTime: '12:00' }] } });
    const window = { startMs: ms('2025-10-27T10:00:00Z'), endMs: ms('2025-10-27T10:30:00Z') };
    expect(starts(run(et, { ...window, timeZone: 'UTC' }))).toEqual(['09:00', '10:00', '11:00']);
    // An override on a date outside the requested dates in the booker's zone is filtered out.
    const nextDay = eventType({ id: 2, schedule: { timeZone: 'UTC', availability: [], overrides: [{ date: '2025-10-28', startTime: '09:00', endTime: '12:00' }] } });
    expect(run(nextDay, { ...window, timeZone: 'UTC' })).toEqual([]);
    // Without a timeZone util.ts filters nothing.
    expect(starts(run(nextDay, window))).toEqual(['09:00', '10:00', '11:00']);
  });

  it('throws where Cal.com does: a slot before now (isOutOfBounds.tsx guardAgainstBookingInThePast)', () => {
    // An override is not clipped to the window; with notice 0 the first slot is "now" with its seconds dropped.
    const et = eventType({ id: 1, lengthInMinutes: 15, schedule: { timeZone: 'UTC', availability: [], overrides: [{ date: '2025-10-27', startTime: '09:00', endTime: '17:00' }] } });
    expect(() => run(et, { nowMs: ms('2025-10-27T10:00:30Z') })).toThrow(BookingDateInPastError);
  });
});

describe('slot engine: the grid (slots.ts)', () => {
  it('rounds the first slot of a range on the clock of the request timeZone', () => {
    const berlin = eventType({ id: 1, schedule: { timeZone: 'Europe/Berlin', availability: [{ days: ['Monday'], startTime: '09:00', endTime: '17:00' }], overrides: [] } });
    // 09:00 Berlin = 08:00Z = 13:30 in Kolkata: rounded up to 14:00 IST = 09:30 Berlin.
    expect(starts(run(berlin, { timeZone: 'Asia/Kolkata' }), 'Europe/Berlin')).toEqual(['09:30', '10:30', '11:30', '12:30', '13:30', '14:30', '15:30']);
    expect(starts(run(berlin, { timeZone: 'Europe/Berlin' }), 'Europe/Berlin')).toEqual(['09:00', '10:00', '11:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
  });

  it('rounds to the first of 60, 30, 20, 15, 10, 5 dividing the frequency, else 1', () => {
    expect([45, 25, 90, 40, 7].map(roundingInterval)).toEqual([15, 5, 30, 20, 1]);
    const at = (start: string, frequency: number) =>
      getSlots({ ranges: [{ start: ms(start), end: ms('2025-10-27T12:00:00Z') }], eventLength: frequency, frequency, notice: 0, nowMs: 0, zone: 'UTC' }).map((t) => hhmm(t))[0];
    expect(at('2025-10-27T10:07:00Z', 45)).toBe('10:15');
    expect(at('2025-10-27T10:07:00Z', 25)).toBe('10:10');
    expect(at('2025-10-27T10:07:00Z', 7)).toBe('10:07');
  });

  it('restarts the grid after a busy block', () => {
    const et = eventType({ id: 1, lengthInMinutes: 30, slotInterval: 45, schedule: { timeZone: 'UTC', availability: [{ days: ['Monday'], startTime: '09:00', endTime: '13:00' }], overrides: [] } });
    expect(starts(run(et))).toEqual(['09:00', '09:45', '10:30', '11:15', '12:00']);
    // Busy 09:00-09:30: the free range starts at 09:30 and the grid with it.
    expect(starts(run(et, { bookings: [booking(et, '2025-10-27T09:00:00Z')] }))).toEqual(['09:30', '10:15', '11:00', '11:45', '12:30']);
  });

  it('continues an earlier range\'s grid while its last slot still runs (prevBoundary): 09:00, 10:30, 12:00', () => {
    const ranges = [
      { start: ms('2025-10-27T09:00:00Z'), end: ms('2025-10-27T09:40:00Z') },
      { start: ms('2025-10-27T10:00:00Z'), end: ms('2025-10-27T13:00:00Z') },
    ];
    expect(getSlots({ ranges, eventLength: 30, frequency: 90, notice: 0, nowMs: 0, zone: 'UTC' }).map((t) => hhmm(t))).toEqual(['09:00', '10:30', '12:00']);
  });
});

describe('slot engine: busy time (getBusyTimes.ts, BookingRepository.ts)', () => {
  it('counts a host\'s bookings of every event type, and only accepted ones', () => {
    const haircut = eventType({ id: 1, ownerId: 11, lengthInMinutes: 30 });
    const colour = eventType({ id: 2, ownerId: 11 });
    const other = eventType({ id: 3, ownerId: 12 });
    const all = [haircut, colour, other];
    const free = starts(run(haircut, { all })).length;
    const taken = run(haircut, { all, bookings: [booking(colour, '2025-10-27T10:00:00Z')] });
    expect(starts(taken)).not.toContain('10:00');
    expect(starts(taken)).not.toContain('10:30');
    expect(starts(run(haircut, { all, bookings: [booking(other, '2025-10-27T10:00:00Z')] }))).toHaveLength(free);
    expect(starts(run(haircut, { all, bookings: [{ ...booking(colour, '2025-10-27T10:00:00Z'), status: 'cancelled' }] }))).toHaveLength(free);
  });

  it('crosses the buffers: [start − (booked.before + this.after), end + (booked.after + this.before)]', () => {
    const booked = eventType({ id: 1, ownerId: 11, lengthInMinutes: 30, beforeEventBuffer: 10, afterEventBuffer: 20 });
    const self = eventType({ id: 2, ownerId: 11, lengthInMinutes: 5, beforeEventBuffer: 5, afterEventBuffer: 15 });
    const slots = starts(run(self, { all: [booked, self], bookings: [booking(booked, '2025-10-27T12:00:00Z')] }));
    // Busy [12:00 − 25, 12:30 + 25] = [11:35, 12:55]; a slot may end exactly where it starts.
    expect(slots).toContain('11:30');
    expect(slots.filter((t) => t >= '11:35' && t < '12:55')).toEqual([]);
    expect(slots).toContain('12:55');
  });

  it('lets a busy block that only touches a range leave it whole (date-ranges.ts subtract)', () => {
    const et = eventType({ id: 1, schedule: { timeZone: 'UTC', availability: [{ days: ['Monday'], startTime: '09:00', endTime: '12:00' }], overrides: [] } });
    expect(starts(run(et, { bookings: [booking(et, '2025-10-27T08:00:00Z'), booking(et, '2025-10-27T12:00:00Z')] }))).toEqual(['09:00', '10:00', '11:00']);
  });

  it('makes seats of this event type block only their buffers until full; seated bookings of other types block', () => {
    const seated = eventType({ id: 1, ownerId: 11, seatsPerTimeSlot: 2, afterEventBuffer: 30 });
    const otherSeated = eventType({ id: 2, ownerId: 11, seatsPerTimeSlot: 5 });
    const all = [seated, otherSeated];
    const one = run(seated, { all, bookings: [booking(seated, '2025-10-27T10:00:00Z')] });
    // One seat of two: 10:00 stays (with its seat count); only the crossed buffers block: [09:30, 10:00]
    // (this type's after-buffer) takes 09:00, [11:00, 11:30] takes 11:00, and the grid restarts at 11:30 → 12:00.
    expect(one.find((s) => hhmm(s.startMs) === '10:00')).toMatchObject({ seatsBooked: 1, seatsRemaining: 1, seatsTotal: 2, bookingUid: expect.any(String) });
    expect(starts(one)).toEqual(['10:00', '12:00', '13:00', '14:00', '15:00', '16:00']);
    const full = run(seated, { all, bookings: [booking(seated, '2025-10-27T10:00:00Z'), booking(seated, '2025-10-27T10:00:00Z')] });
    expect(starts(full)).not.toContain('10:00');
    const otherSeat = run(seated, { all, bookings: [booking(otherSeated, '2025-10-27T13:00:00Z')] });
    expect(starts(otherSeat)).not.toContain('13:00');
  });

  it('ignores the booking being rescheduled (getBusyTimes.ts rescheduleUid)', () => {
    const et = eventType({ id: 1 });
    const b = booking(et, '2025-10-27T10:00:00Z');
    expect(starts(run(et, { bookings: [b] }))).not.toContain('10:00');
    expect(starts(run(et, { bookings: [b], rescheduleUid: b.uid }))).toContain('10:00');
  });

  it('removes slots strictly overlapping an unexpired reservation of any host, without buffers (util.ts, checkForConflicts.ts)', () => {
    const et = eventType({ id: 1, ownerId: 11, afterEventBuffer: 30 });
    const reservation = (start: string, extra: Partial<SimReservation> = {}): SimReservation => ({ startMs: ms(start), endMs: ms(start) + 3_600_000, hostUserIds: [11], ...extra });
    const slots = starts(run(et, { reservations: [reservation('2025-10-27T12:00:00Z')] }));
    expect(slots).toContain('11:00'); // touches, and the buffers do not apply
    expect(slots).not.toContain('12:00');
    expect(slots).toContain('13:00');
    expect(starts(run(et, { reservations: [reservation('2025-10-27T12:00:00Z', { releaseAtMs: ms('2025-10-19T00:00:00Z') })] }))).toContain('12:00');
    expect(starts(run(et, { reservations: [reservation('2025-10-27T12:00:00Z', { hostUserIds: [99] })] }))).toContain('12:00');
  });
});

describe('slot engine: teams (getAggregatedAvailability.ts)', () => {
  const schedule = { timeZone: 'UTC', availability: [{ days: ['Monday' as const], startTime: '09:00', endTime: '13:00' }], overrides: [] };
  const collective = eventType({ id: 10, teamId: 5, schedulingType: 'collective', hosts: [{ userId: 21 }, { userId: 22 }], schedule });
  const ownOf21 = eventType({ id: 11, ownerId: 21, schedule });
  const ownOf22 = eventType({ id: 12, ownerId: 22, schedule });
  const all = [collective, ownOf21, ownOf22];

  it('collective: the intersection of the hosts; one host\'s booking blocks the team, a team booking blocks each host', () => {
    expect(starts(run(collective, { all }))).toEqual(['09:00', '10:00', '11:00', '12:00']);
    expect(starts(run(collective, { all, bookings: [booking(ownOf22, '2025-10-27T10:00:00Z')] }))).toEqual(['09:00', '11:00', '12:00']);
    const teamBooking = booking(collective, '2025-10-27T11:00:00Z');
    expect(teamBooking.hostUserIds).toEqual([21, 22]);
    expect(starts(run(ownOf21, { all, bookings: [teamBooking] }))).toEqual(['09:00', '10:00', '12:00']);
  });

  it('round robin: the union of the hosts; mandatory hosts are intersected first', () => {
    const rr = eventType({ id: 20, teamId: 5, schedulingType: 'roundRobin', hosts: [{ userId: 21 }, { userId: 22 }], schedule });
    const all2 = [...all, rr];
    const one = booking(ownOf21, '2025-10-27T10:00:00Z');
    expect(starts(run(rr, { all: all2, bookings: [one] }))).toEqual(['09:00', '10:00', '11:00', '12:00']);
    expect(starts(run(rr, { all: all2, bookings: [one, booking(ownOf22, '2025-10-27T10:00:00Z')] }))).toEqual(['09:00', '11:00', '12:00']);
    const withMandatory = eventType({ id: 21, teamId: 5, schedulingType: 'roundRobin', hosts: [{ userId: 21, mandatory: true }, { userId: 22 }], schedule });
    expect(starts(run(withMandatory, { all: [...all2, withMandatory], bookings: [one] }))).toEqual(['09:00', '11:00', '12:00']);
  });
});

// ------------------------------------------------------------------------------ v2 input

describe('v2 input (get-slots-input.pipe.ts formatErrors, get-slots.input.ts)', () => {
  const now = ms('2025-10-20T00:00:00Z');

  it('joins the failed properties: "<prop> property is wrong,<constraints> " with ", ", unknown keys first', () => {
    expect(validateSlotsQuery({ eventTypeId: 'abc', start: 'x', end: '2050-09-06' }, now)).toEqual({
      ok: false,
      message:
        'eventTypeId property is wrong,eventTypeId must be a number conforming to the specified constraints , start property is wrong,start must be a valid ISO 8601 date string ',
    });
    expect(validateSlotsQuery({ eventTypeId: '1', start: '2025-10-27', end: 'y', timeZone: 'Mars/Base', duration: 'long', format: 'list', slotFormat: 'range' }, now)).toEqual({
      ok: false,
      message: [
        'slotFormat property is wrong,property slotFormat should not exist ',
        'end property is wrong,end must be a valid ISO 8601 date string ',
        'timeZone property is wrong,timeZone must be a valid IANA time-zone ',
        'duration property is wrong,duration must be a number conforming to the specified constraints ',
        "format property is wrong,slotFormat must be either 'range' or 'time' ",
      ].join(', '),
    });
  });

  it('applies Cal.com\'s transforms: parseInt, lower-cased format, an empty timeZone fails', () => {
    const ok = validateSlotsQuery({ eventTypeId: '12abc', start: '2025-10-27', end: '2025-10-27', duration: '30', format: 'RANGE' }, now);
    expect(ok).toEqual({ ok: true, query: { eventTypeId: 12, start: '2025-10-27', end: '2025-10-27', duration: 30, format: 'range' } });
    expect(validateSlotsQuery({ eventTypeId: '1', start: '2025-10-27', end: '2025-10-27', timeZone: '' }, now)).toMatchObject({ ok: false, message: 'timeZone property is wrong,timeZone must be a valid IANA time-zone ' });
  });

  it('checks ISO 8601 dates strictly, as class-validator IsDateString({ strict: true })', () => {
    for (const v of ['2050', '2050-09', '2050-09-05', '20500905', '2050-W36', '2050-248', '2050-09-05T10:00', '2050-09-05 10:00', '2050-09-05T10:00:00.123+05:30', '2048-02-29']) {
      expect(isIsoDateStrict(v), v).toBe(true);
    }
    for (const v of ['tomorrow', '2050-02-30', '2050-13-01', '2050-366', '2049-02-29', '05/09/2050', '2050-09-05T25:00']) {
      expect(isIsoDateStrict(v), v).toBe(false);
    }
  });
});

// ------------------------------------------------------------------------------ throttler

describe('throttler (throttler-guard.ts over throttler-storage-redis.service.ts)', () => {
  it('takes the tracker from the Authorization header (any), then x-cal-client-id, then the IP', () => {
    expect(trackerOf({ authorization: 'Bearer cal_abc' }, '1.2.3.4')).toMatchObject({ kind: 'api_key', apiKey: 'cal_abc' });
    expect(trackerOf({ authorization: 'Bearer some-token', 'x-cal-client-id': 'c' }, '1.2.3.4').kind).toBe('access_token');
    expect(trackerOf({ authorization: 'garbage' }, '1.2.3.4').kind).toBe('access_token');
    expect(trackerOf({ 'x-cal-client-id': 'client' }, '1.2.3.4').kind).toBe('oauth_client');
    expect(trackerOf({}, '1.2.3.4').kind).toBe('ip');
    expect(trackerOf({ 'cf-connecting-ip': '9.9.9.9' }, '1.2.3.4').id).not.toBe(trackerOf({}, '1.2.3.4').id);
  });

  it('counts every hit in a fixed window, blocking ones too, and re-checks the window when a block ends', () => {
    let t = 0;
    const storage = createThrottleStorage(() => t);
    const hit = () => storage.increment('k', 10_000, 2, 1_000, 'default');
    expect(hit()).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
    expect(hit()).toMatchObject({ totalHits: 2, isBlocked: false });
    expect(hit()).toEqual({ totalHits: 3, timeToExpire: 10, isBlocked: true, timeToBlockExpire: 1 }); // the 3rd of 2 starts the block
    t = 400;
    expect(hit()).toEqual({ totalHits: 4, timeToExpire: 10, isBlocked: true, timeToBlockExpire: 1 }); // 600 ms left, rounded up
    t = 1_000;
    // The block is over but the window (opened at 0, not extended) holds 5 hits: blocked again at once.
    expect(hit()).toEqual({ totalHits: 5, timeToExpire: 9, isBlocked: true, timeToBlockExpire: 1 });
    t = 10_000;
    expect(hit()).toEqual({ totalHits: 1, timeToExpire: 10, isBlocked: false, timeToBlockExpire: 0 });
  });

  it('sends X-RateLimit-*-<Name> with Remaining 0 and the block time while blocked, per tracker kind limit', () => {
    let t = 0;
    const rl = { ...defaultSimConfig().rateLimit, limit: 2, accessTokenLimit: 3, name: 'short' };
    const throttler = createThrottler(() => rl, () => t);
    const key = trackerOf({ authorization: 'Bearer cal_x' }, undefined);
    expect(throttler.hit(key)).toEqual({ allowed: true, headers: { 'X-RateLimit-Limit-Short': '2', 'X-RateLimit-Remaining-Short': '1', 'X-RateLimit-Reset-Short': '60' } });
    throttler.hit(key);
    t = 30_500;
    expect(throttler.hit(key)).toEqual({ allowed: false, headers: { 'X-RateLimit-Limit-Short': '2', 'X-RateLimit-Remaining-Short': '0', 'X-RateLimit-Reset-Short': '60' } });
    const token = trackerOf({ authorization: 'Bearer not-an-api-key' }, undefined);
    expect(throttler.hit(token).headers['X-RateLimit-Limit-Short']).toBe('3');
  });
});

// ------------------------------------------------------------------------------ over HTTP

describe('simulator over HTTP', () => {
  let sim: CalcomSimulator;
  let admin: ReturnType<typeof simAdmin>;
  const KEY = 'cal_engine_test_key';
  const allDay = (id: number, extra: Partial<SimEventTypeInput> = {}): SimEventTypeInput => ({
    id,
    slug: `all-day-${id}`,
    title: 'All day',
    lengthInMinutes: 60,
    schedule: { timeZone: 'UTC', availability: [{ days: [...WEEKDAYS], startTime: '00:00', endTime: '24:00' }], overrides: [] },
    ...extra,
  });
  const slots = async (query: Record<string, string | number>, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }) => {
    const qs = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)]));
    const res = await fetch(`${sim.apiUrl}/slots?${qs}`, { headers: { 'cal-api-version': '2024-09-04', ...headers } });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const eventTypeGet = async (id: number, headers: Record<string, string>) => {
    const res = await fetch(`${sim.apiUrl}/event-types/${id}`, { headers: { 'cal-api-version': '2024-06-14', ...headers } });
    return { status: res.status, headers: res.headers, body: (await res.json()) as any };
  };
  const postBooking = async (body: Record<string, unknown>) => {
    const res = await fetch(`${sim.url}/_sim/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any };
  };

  beforeAll(async () => {
    sim = await startSimulator();
    admin = simAdmin(sim);
  });
  beforeEach(async () => {
    await admin.configure({ errorRate: 0, latencyMs: { min: 0, max: 0 }, apiKeys: null, rateLimit: defaultSimConfig().rateLimit });
    await admin.setClock('2025-10-20T00:00:00Z');
    await admin.reset(true);
    await admin.clearStats();
  });

  it('answers an unknown API key with 401 on every route, before any hit and without rate-limit headers (throttler-guard.ts)', async () => {
    await admin.putEventType(allDay(1));
    await admin.configure({ apiKeys: [KEY] });
    const q = { eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' };
    const bad = await slots(q, { authorization: 'Bearer cal_unknown' });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toEqual({
      code: 'UnauthorizedException',
      message: 'CustomThrottlerGuard - Invalid API Key',
      details: { message: 'CustomThrottlerGuard - Invalid API Key', error: 'Unauthorized', statusCode: 401 },
    });
    expect(bad.headers.get('x-ratelimit-remaining-default')).toBeNull();
    expect((await eventTypeGet(1, { authorization: 'Bearer cal_unknown' })).status).toBe(401);
    expect((await slots(q)).status).toBe(200);
    // Public routes take no key at all, and non-cal_ bearers are access tokens, never refused here.
    expect((await slots(q, {})).status).toBe(200);
    expect((await slots(q, { authorization: 'Bearer not-a-key' })).status).toBe(200);
    // The 401s counted no hit: the key's first accepted request still has 119 left.
    await admin.configure({ apiKeys: null });
    expect((await slots(q, { authorization: 'Bearer cal_unknown' })).headers.get('x-ratelimit-remaining-default')).toBe('119');
    // Every /v2 response is counted in the stats, the 401s too (none of them is "rate limited").
    expect(await admin.stats()).toMatchObject({ total: 6, rateLimited: 0, requests: { 'GET /v2/slots': 5, 'GET /v2/event-types/{id}': 1 } });
  });

  it('limits access tokens at 500, API keys at 120 and names the headers after the throttler (throttler-guard.ts)', async () => {
    await admin.putEventType(allDay(1));
    const q = { eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' };
    expect((await slots(q, { authorization: 'Bearer some-access-token' })).headers.get('x-ratelimit-limit-default')).toBe('500');
    expect((await slots(q, { 'x-cal-client-id': 'client-1' })).headers.get('x-ratelimit-limit-default')).toBe('500');
    expect((await slots(q, {})).headers.get('x-ratelimit-limit-default')).toBe('120');
    await admin.configure({ rateLimit: { name: 'burst', limit: 1 } });
    const config = (await (await fetch(`${sim.url}/_sim/config`)).json()) as any;
    expect(config.rateLimit).toMatchObject({ name: 'burst', limit: 1, windowMs: 60_000, blockMs: 60_000, accessTokenLimit: 500 });
    const first = await slots(q);
    expect(first.headers.get('x-ratelimit-limit-burst')).toBe('1');
    expect(first.headers.get('x-ratelimit-limit-default')).toBeNull();
    const second = await slots(q);
    expect(second.status).toBe(429);
    expect(second.headers.get('x-ratelimit-remaining-burst')).toBe('0');
    expect(second.headers.get('retry-after')).toBeNull();
  });

  it('does not throttle a route Cal.com does not have: without cal-api-version there is no GET /v2/slots', async () => {
    const res = await fetch(`${sim.apiUrl}/slots?eventTypeId=1`, { headers: { authorization: `Bearer ${KEY}` } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-ratelimit-limit-default')).toBeNull();
  });

  it('formats validation errors as GetSlotsInputPipe, looks the event type up before luxon parses the dates', async () => {
    const two = await slots({ eventTypeId: 1, start: 'x', end: 'y' });
    expect(two.status).toBe(400);
    expect(two.body.error).toEqual({
      code: 'BadRequestException',
      message: 'start property is wrong,start must be a valid ISO 8601 date string , end property is wrong,end must be a valid ISO 8601 date string ',
      details: {
        message: 'start property is wrong,start must be a valid ISO 8601 date string , end property is wrong,end must be a valid ISO 8601 date string ',
        error: 'Bad Request',
        statusCode: 400,
      },
    });
    // A space separator passes class-validator but not luxon (slots-input.service.ts adjustStartTime).
    expect((await slots({ eventTypeId: 1, start: '2025-10-27 10:00', end: '2025-10-27' })).body.error).toMatchObject({ code: 'NotFoundException', message: 'Event Type not found' });
    await admin.putEventType(allDay(1));
    expect((await slots({ eventTypeId: 1, start: '2025-10-27 10:00', end: '2025-10-27' })).body.error).toMatchObject({ code: 'BadRequestException', message: 'Invalid start date' });
    expect((await slots({ eventTypeId: 1, start: '2025-10-27', end: '2025-10-27 10:00' })).body.error).toMatchObject({ code: 'BadRequestException', message: 'Invalid end date' });
    // Other identity modes are a deliberate simulator limit.
    const byName = await slots({ username: 'jane', eventTypeSlug: 'x', start: '2025-10-27', end: '2025-10-27' });
    expect(byName.status).toBe(400);
    expect(byName.body.error.message).toMatch(/simulator serves GET \/v2\/slots by eventTypeId only/);
  });

  it('clamps an end more than a year ahead instead of refusing it (get-slots.input.ts @07c7ee6d)', async () => {
    await admin.putEventType(allDay(1));
    const res = await slots({ eventTypeId: 1, start: '2026-10-19', end: '2030-01-01' });
    expect(res.status).toBe(200);
    // now + 1 year = 2026-10-20T00:00:00.000Z, a midnight, which slots-input.service.ts widens to 23:59:59.
    expect(Object.keys(res.body.data)).toEqual(['2026-10-19', '2026-10-20']);
    expect(res.body.data['2026-10-20'].at(-1)).toEqual({ start: '2026-10-20T23:00:00.000Z' });
  });

  it('answers a slot in the past as Cal.com\'s TRPCError 400 (isOutOfBounds.tsx, trpc-exception.filter.ts)', async () => {
    await admin.putEventType({ ...allDay(1, { lengthInMinutes: 15 }), schedule: { timeZone: 'UTC', availability: [], overrides: [{ date: '2025-10-27', startTime: '09:00', endTime: '17:00' }] } });
    await admin.setClock('2025-10-27T10:00:30Z');
    const res = await slots({ eventTypeId: 1, start: '2025-10-27', end: '2025-10-27' });
    expect(res.status).toBe(400);
    expect(res.body.error).toEqual({ code: 'TRPCError', message: 'Attempting to book a meeting in the past.' });
  });

  it('books the owner, all collective hosts, or the first free round-robin host (admin API)', async () => {
    const schedule = { timeZone: 'UTC', availability: [{ days: [...WEEKDAYS], startTime: '09:00', endTime: '12:00' }], overrides: [] };
    await admin.putEventType({ ...allDay(1), ownerId: 7, schedule });
    await admin.putEventType({ ...allDay(2), teamId: 5, schedulingType: 'collective', hosts: [{ userId: 21 }, { userId: 22 }], schedule });
    await admin.putEventType({ ...allDay(3), teamId: 5, schedulingType: 'roundRobin', hosts: [{ userId: 31 }, { userId: 32 }], schedule });
    await admin.putEventType({ ...allDay(4), teamId: 6, schedule });
    expect(await admin.addBooking(1, '2025-10-27T09:00:00Z')).toMatchObject({ userId: 7, hostUserIds: [7] });
    expect(await admin.addBooking(2, '2025-10-27T09:00:00Z')).toMatchObject({ userId: 21, hostUserIds: [21, 22] });
    expect(await admin.addBooking(4, '2025-10-27T11:00:00Z')).toMatchObject({ hostUserIds: [1] }); // a team type without hosts: its owner
    const q = { eventTypeId: 3, start: '2025-10-27', end: '2025-10-27' };
    expect((await slots(q)).body.data['2025-10-27'].map((s: any) => s.start)).toContain('2025-10-27T10:00:00.000Z');
    expect(await admin.addBooking(3, '2025-10-27T10:00:00Z')).toMatchObject({ userId: 31, hostUserIds: [31] });
    expect((await slots(q)).body.data['2025-10-27'].map((s: any) => s.start)).toContain('2025-10-27T10:00:00.000Z'); // 32 is free
    expect(await admin.addBooking(3, '2025-10-27T10:00:00Z')).toMatchObject({ userId: 32, hostUserIds: [32] });
    expect((await slots(q)).body.data['2025-10-27'].map((s: any) => s.start)).not.toContain('2025-10-27T10:00:00.000Z');
    expect((await postBooking({ eventTypeId: 3, start: '2025-10-27T11:00:00Z', hostUserIds: [32] })).body).toMatchObject({ hostUserIds: [32] });
    expect((await postBooking({ eventTypeId: 3, start: '2025-10-27T11:00:00Z', hostUserIds: [99] })).status).toBe(400);
    const bad = await fetch(`${sim.url}/_sim/event-types`, { method: 'POST', body: JSON.stringify({ ...allDay(5), teamId: 5, hosts: [] }) });
    expect(bad.status).toBe(400);
  });

  it('outputs seats and round-robin hosts as Cal.com (output-event-types.service.ts, seats.ts, organizations output.service.ts)', async () => {
    await admin.putEventType({ ...allDay(1), ownerId: 7, seatsPerTimeSlot: 4, seatsShowAvailabilityCount: true });
    const user = await eventTypeGet(1, { authorization: `Bearer ${KEY}` });
    expect(user.body.data).toMatchObject({ ownerId: 7, users: [{ id: 7 }], seats: { seatsPerTimeSlot: 4, showAttendeeInfo: false, showAvailabilityCount: true } });
    expect(user.body.data).not.toHaveProperty('seatsPerTimeSlot');
    await admin.putEventType({
      ...allDay(2),
      teamId: 5,
      schedulingType: 'roundRobin',
      hosts: [{ userId: 31, name: 'Sam', mandatory: true, priority: 'high' }, { userId: 32 }],
      team: { name: 'Salon team' },
    });
    const team = await eventTypeGet(2, { authorization: `Bearer ${KEY}` });
    expect(team.body.data).toMatchObject({
      teamId: 5,
      ownerId: null,
      schedulingType: 'roundRobin',
      seats: { disabled: true },
      hosts: [
        { userId: 31, name: 'Sam', username: '', mandatory: true, priority: 'high', avatarUrl: null },
        { userId: 32, name: '', username: '', mandatory: false, priority: 'medium', avatarUrl: null },
      ],
      team: { id: 5, name: 'Salon team', slug: 'team-5', weekStart: 'Sunday' },
    });
    expect(team.body.data).not.toHaveProperty('users');
  });

  it('answers 403 from PermissionsGuard without credentials and for credentials it does not know (permissions.guard.ts)', async () => {
    await admin.putEventType(allDay(1));
    expect((await eventTypeGet(1, {})).body.error).toMatchObject({ code: 'ForbiddenException', message: expect.stringContaining('PermissionsGuard - no authentication provided') });
    expect((await eventTypeGet(1, { authorization: 'Bearer tok' })).body.error).toMatchObject({ code: 'ForbiddenException', message: 'PermissionsGuard - no oAuth client found for access token=tok' });
    expect((await eventTypeGet(1, { 'x-cal-client-id': 'c1' })).body.error).toMatchObject({ code: 'ForbiddenException', message: 'PermissionsGuard - no oAuth client found for client id=c1' });
    expect((await eventTypeGet(1, { authorization: `Bearer ${KEY}` })).status).toBe(200);
  });

  it('shares busy time between the demo salon event types, which have one owner', async () => {
    await admin.setClock('2031-06-02T06:00:00Z'); // a Monday
    await admin.reset(false);
    // Tuesday: cut & colour 11:00-12:00 (+15 min after-buffer) blocks the haircut 11:00-12:15.
    const res = await slots({ eventTypeId: 1001, start: '2031-06-03', end: '2031-06-03', timeZone: 'Europe/Berlin' });
    const times = res.body.data['2031-06-03'].map((s: any) => s.start.slice(11, 16));
    expect(times).toEqual(expect.arrayContaining(['09:00', '09:30', '10:30', '12:30']));
    for (const taken of ['10:00', '11:00', '11:30', '12:00', '14:00']) expect(times).not.toContain(taken);
  });
});
