/**
 * The simulator's slot engine: `GET /v2/slots` as Cal.com computes it, as a pure function of the
 * event type, every event type (for the buffers of booked ones), the bookings, the reservations,
 * the window, "now", the booker's time zone and the requested duration. Cal.com's call chain,
 * followed step by step below (paths in calcom/cal.com):
 *
 * 1. packages/trpc/server/routers/viewer/slots/util.ts (`AvailableSlotsService._getAvailableSlots`):
 *    the window, the bookings, then steps 2-5 and the filters after them;
 * 2. packages/features/schedules/lib/date-ranges.ts (`buildDateRanges`, `subtract`, `intersect`):
 *    working hours and date overrides per host, minus busy time;
 * 3. packages/features/busyTimes/services/getBusyTimes.ts: bookings as busy time, crossed buffers, seats;
 * 4. packages/features/availability/lib/getAggregatedAvailability/getAggregatedAvailability.ts:
 *    one host, collective (intersection) or round robin (fixed hosts ∩ union of the others);
 * 5. packages/features/schedules/lib/slots.ts (`getSlots` / `buildSlotsWithDateRanges`): the grid.
 *
 * Not modelled: offsetStart, showOptimizedSlots, OOO/holidays, travel schedules, booking/duration
 * limits, period limits (bookingWindow), onlyShowFirstAvailableSlot, connected calendars,
 * restriction schedules, routing/rrHostSubsetIds, host groups.
 */
import { DateTime, FixedOffsetZone, Info } from 'luxon';
import { WEEKDAYS, hostUserIdsOf, type SimBooking, type SimEventType, type SimReservation, type SimSchedule } from './model.js';

const MINUTE = 60_000;
const SECOND = 1_000;

/** A half-open availability range `[start, end)`, UTC ms. */
export interface Range {
  start: number;
  end: number;
}

/** One slot of the answer. Seat fields only for seated event types. */
export interface EngineSlot {
  startMs: number;
  /** The slot's date in the booker's time zone (UTC without one): the key of `data`. */
  dateKey: string;
  seatsBooked?: number;
  seatsRemaining?: number;
  seatsTotal?: number;
  bookingUid?: string;
}

export interface SlotEngineInput {
  eventType: SimEventType;
  /** Every event type by id: the buffers of a booked event type widen its bookings (getBusyTimes.ts). */
  eventTypes: ReadonlyMap<number, SimEventType>;
  bookings: readonly SimBooking[];
  /** Unexpired slot reservations (util.ts `_getReservedSlotsAndCleanupExpired`). Default none. */
  reservations?: readonly SimReservation[];
  /** The request's `start` and `end` as Cal.com's v2 input service hands them on (see v2-input.ts), ms. */
  startMs: number;
  endMs: number;
  nowMs: number;
  /** The request's `timeZone` (the booker's); absent = UTC. */
  timeZone?: string;
  /** The request's `duration` in minutes (absent or 0 = the event type's length). */
  duration?: number;
  /** `bookingUidToReschedule`: that booking does not block (getBusyTimes.ts `rescheduleUid`). */
  rescheduleUid?: string;
}

/**
 * Cal.com throws when a slot lies before "now" (packages/lib/isOutOfBounds.tsx
 * `guardAgainstBookingInThePast`); util.ts turns it into a TRPC BAD_REQUEST.
 */
export class BookingDateInPastError extends Error {
  constructor() {
    super('Attempting to book a meeting in the past.');
  }
}

/** `Math.max(1, n)` as slots.ts's `minimumOfOne`. */
const minimumOfOne = (n: number) => (n < 1 ? 1 : n);

/**
 * The slots of the answer, in order, grouped by `dateKey`. Pure: the same input gives the same
 * output. Throws {@link BookingDateInPastError} where Cal.com would.
 */
export function computeSlots(input: SlotEngineInput): EngineSlot[] {
  const { eventType: et, nowMs } = input;
  const bookerZone = input.timeZone ?? 'UTC';
  const notice = et.minimumBookingNotice;
  // util.ts passes `input.duration || eventType.length` and `eventType.slotInterval || input.duration || eventType.length`.
  const eventLength = input.duration || et.lengthInMinutes;
  const frequency = et.slotInterval || input.duration || et.lengthInMinutes;

  // util.ts getStartTime: max(start, now + (minimumBookingNotice || 1) min); getUsersAvailability gets
  // `startTime.format()` / `endTime.format()`, which drop the milliseconds.
  const startTimeMs = Math.max(input.startMs, nowMs + (notice || 1) * MINUTE);
  const dateFrom = truncToSecond(startTimeMs);
  const dateTo = truncToSecond(input.endMs);

  const dateRanges = buildDateRanges(et.schedule, dateFrom, dateTo, bookerZone);

  // getAggregatedAvailability.ts: a collective host is fixed (Cal.com stores collective hosts with
  // isFixed), a round-robin host is fixed when mandatory; the owner of an individual type is not.
  const hosts =
    et.teamId === null
      ? [{ userId: et.ownerId, isFixed: false }]
      : et.hosts.map((h) => ({ userId: h.userId, isFixed: et.schedulingType === 'collective' || et.schedulingType === null || h.mandatory }));
  const perHost = hosts.map((host) => ({
    isFixed: host.isFixed,
    // getUserAvailability.ts: no working hours, no busy-time lookup.
    ranges: dateRanges.length === 0 ? [] : subtract(dateRanges, busyTimes(input, host.userId, startTimeMs)),
  }));
  const aggregated = aggregate(perHost, et.schedulingType);

  let slots = getSlots({ ranges: aggregated, eventLength, frequency, notice, nowMs, zone: bookerZone });

  // util.ts: seats of this event type (getUserAvailability.ts `_getCurrentSeats`: accepted bookings
  // of the event type in the window), keyed by start instant.
  const seats = new Map<number, { attendees: number; uid: string }>();
  if (et.seatsPerTimeSlot) {
    for (const b of input.bookings) {
      if (b.eventTypeId !== et.id || b.status !== 'accepted' || b.startMs < dateFrom || b.startMs > dateTo) continue;
      // Each simulator booking row of a seated event type is one seat; the first row's uid is the booking's.
      const seat = seats.get(b.startMs);
      if (seat) seat.attendees += 1;
      else seats.set(b.startMs, { attendees: 1, uid: b.uid });
    }
  }

  // util.ts: unexpired reservations of any host; seat reservations of this event type add seats,
  // the others remove slots that strictly overlap them (checkForConflicts.ts), without buffers.
  const hostIds = new Set(hostUserIdsOf(et));
  const reserved = (input.reservations ?? []).filter(
    (r) => (r.releaseAtMs === undefined || r.releaseAtMs > nowMs) && r.hostUserIds.some((id) => hostIds.has(id)),
  );
  if (reserved.length > 0) {
    for (const r of reserved) {
      if (!r.isSeat || r.eventTypeId !== et.id) continue;
      const seat = seats.get(r.startMs);
      if (seat) seat.attendees += 1;
      else seats.set(r.startMs, { attendees: 1, uid: '' });
    }
    const busy = reserved.filter((r) => !r.isSeat).sort((a, b) => a.startMs - b.startMs);
    const lengthMs = eventLength * MINUTE;
    slots = slots.filter((t) => {
      if (et.seatsPerTimeSlot && seats.has(t)) return true;
      return !busy.some((r) => r.startMs < t + lengthMs && r.endMs > t);
    });
  }

  // util.ts mapSlotsToDate: date keys are fr-CA dates (YYYY-MM-DD) in the booker's zone.
  const keyOf = dateKeyFormatter(bookerZone);
  const out: EngineSlot[] = [];
  for (const t of slots) {
    // util.ts mapWithinBoundsSlotsToDate → isTimeOutOfBounds (packages/lib/isOutOfBounds.tsx).
    if (t < nowMs) throw new BookingDateInPastError();
    if (notice && t < nowMs + notice * MINUTE) continue;
    const slot: EngineSlot = { startMs: t, dateKey: keyOf(t) };
    if (et.seatsPerTimeSlot) {
      // apps/api/v2/.../slots-2024-09-04/services/slots-output.service.ts getAvailableTimeSlotSeated.
      const seat = seats.get(t);
      const booked = seat?.attendees ?? 0;
      slot.seatsBooked = booked;
      slot.seatsRemaining = et.seatsPerTimeSlot - booked;
      slot.seatsTotal = et.seatsPerTimeSlot;
      if (seat?.uid) slot.bookingUid = seat.uid;
    }
    out.push(slot);
  }

  // util.ts _filterSlotsByRequestedDateRange (PR #25822 "filters slots to the requested range"): with
  // a timeZone, only the DATES from the request's start to its end, in that zone, stay; without one
  // nothing is filtered. It compares dates, not instants, so slots of a date override (which
  // date-ranges.ts does not clip to the window) can lie outside [start, end] on an allowed date.
  if (input.timeZone === undefined) return out;
  const allowed = allowedDates(input.startMs, input.endMs, input.timeZone);
  return out.filter((s) => allowed.has(s.dateKey));
}

const truncToSecond = (ms: number) => Math.floor(ms / SECOND) * SECOND;

const formatters = new Map<string, Intl.DateTimeFormat>();
/** `YYYY-MM-DD` of an instant in `zone`, as util.ts's `Intl.DateTimeFormat("fr-CA", …)`. */
export function dateKeyFormatter(zone: string): (ms: number) => string {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('fr-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: zone });
    formatters.set(zone, f);
  }
  const formatter = f;
  // Slots come in runs on one local day: format once per day.
  let dayStart = 0;
  let dayEnd = -1;
  let key = '';
  return (ms) => {
    if (ms < dayStart || ms >= dayEnd) {
      key = formatter.format(ms);
      const day = DateTime.fromMillis(ms, { zone }).startOf('day');
      dayStart = day.toMillis();
      dayEnd = day.plus({ days: 1 }).startOf('day').toMillis();
    }
    return key;
  };
}

/** util.ts _filterSlotsByRequestedDateRange: every booker-zone date from start's to end's. */
function allowedDates(startMs: number, endMs: number, zone: string): Set<string> {
  const keyOf = dateKeyFormatter(zone);
  const allowed = new Set<string>();
  // Calendar dates, stepped as UTC dates from the first key to the last.
  const last = keyOf(endMs);
  for (let d = Date.parse(`${keyOf(startMs)}T00:00:00Z`); ; d += 86_400_000) {
    const key = new Date(d).toISOString().slice(0, 10);
    if (key > last) break;
    allowed.add(key);
  }
  return allowed;
}

// ------------------------------------------------------------------ date ranges (date-ranges.ts)

/** The instant of a local wall time `HH:mm` on `day` (a local midnight); "24:00" is the next midnight. */
function wallTime(day: DateTime, hhmm: string): DateTime {
  if (hhmm === '24:00') return day.plus({ days: 1 }).startOf('day');
  const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
  // A wall time in a spring-forward gap moves forward, as luxon does.
  return day.set({ hour, minute, second: 0, millisecond: 0 });
}

/**
 * date-ranges.ts buildDateRanges for one schedule: working hours (processWorkingHours) clipped to
 * [dateFrom, dateTo], date overrides (processDateOverride) NOT clipped, overrides replacing the
 * working hours of their local date (groupByDate + object spread), zero-length ranges dropped.
 */
export function buildDateRanges(schedule: SimSchedule, dateFrom: number, dateTo: number, bookerZone: string): Range[] {
  const zone = schedule.timeZone;
  // processWorkingHours: results keyed by range end, in insertion order (the keys are never array indices).
  const results = new Map<number, Range>();
  // The local days from dateFrom's while their midnight is before dateTo.
  const localDays: DateTime[] = [];
  if (schedule.availability.length > 0) {
    for (let day = DateTime.fromMillis(dateFrom, { zone }).startOf('day'); dateTo > day.toMillis(); day = day.plus({ days: 1 }).startOf('day')) {
      localDays.push(day);
    }
  }
  for (const item of schedule.availability) {
    const days = new Set(item.days);
    for (const day of localDays) {
      if (!days.has(WEEKDAYS[day.weekday - 1]!)) continue;
      const start = wallTime(day, item.startTime).toMillis();
      const end = wallTime(day, item.endTime).toMillis();
      const startResult = Math.max(start, dateFrom);
      let endResult = Math.min(end, dateTo);
      // "We only allow users to set availability up to 11:59PM": a local end at 23:59 gains a minute
      // (this also fires when dateTo itself falls in 23:59 local).
      const endLocal = DateTime.fromMillis(endResult, { zone });
      if (endLocal.hour === 23 && endLocal.minute === 59) endResult += MINUTE;
      if (endResult < startResult) continue;
      const sameEnd = results.get(endResult);
      if (sameEnd) {
        // An overlapping range with the same end: keep the earliest start.
        sameEnd.start = Math.min(sameEnd.start, startResult);
        continue;
      }
      const endingHere = results.get(startResult);
      if (endingHere) {
        // A range ending where this one starts: join them (e.g. consecutive all-day entries).
        results.delete(startResult);
        results.set(endResult, { start: endingHere.start, end: Math.max(endingHere.end, endResult) });
        continue;
      }
      results.set(endResult, { start: startResult, end: endResult });
    }
  }

  // Overrides: NOT clipped to [dateFrom, dateTo] (only working hours are); included when the
  // override date (as UTC midnight) lies within
  // [startOf(dateFrom − 1 day), endOf(dateTo + 1 day)], days taken at the booker's UTC offset
  // (util.ts hands dateFrom/dateTo over as strings with that offset).
  const fixed = (ms: number) => {
    const dt = DateTime.fromMillis(ms, { zone: bookerZone });
    return dt.setZone(FixedOffsetZone.instance(dt.offset));
  };
  const lower = fixed(dateFrom).minus({ days: 1 }).startOf('day').toMillis();
  const upper = fixed(dateTo).plus({ days: 1 }).endOf('day').toMillis();
  const overrides = new Map<number, Range>();
  for (const o of schedule.overrides) {
    const asUtc = Date.parse(`${o.date}T00:00:00Z`);
    if (asUtc < lower || asUtc > upper) continue;
    const day = DateTime.fromISO(o.date, { zone });
    const start = wallTime(day, o.startTime).toMillis();
    const end = (o.endTime === '23:59' ? day.plus({ days: 1 }).startOf('day') : wallTime(day, o.endTime)).toMillis();
    const previous = overrides.get(start);
    if (previous) {
      // processDateOverride: a previous override keyed at this start gets the later end.
      previous.end = Math.max(previous.end, end);
      continue;
    }
    overrides.set(end, { start, end });
  }

  const dateOf = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate()!;
  const byDate = new Map<string, Range[]>();
  for (const r of results.values()) {
    const key = dateOf(r.start);
    byDate.set(key, [...(byDate.get(key) ?? []), r]);
  }
  const overridesByDate = new Map<string, Range[]>();
  for (const r of overrides.values()) {
    const key = dateOf(r.start);
    overridesByDate.set(key, [...(overridesByDate.get(key) ?? []), r]);
  }
  for (const [key, ranges] of overridesByDate) byDate.set(key, ranges);
  return [...byDate.values()].flatMap((ranges) => ranges.filter((r) => r.start !== r.end).map((r) => ({ ...r })));
}

/** date-ranges.ts subtract: a busy block that only touches a range does not cut it. */
export function subtract(source: readonly Range[], excluded: readonly Range[]): Range[] {
  const sorted = [...excluded].sort((a, b) => a.start - b.start);
  const result: Range[] = [];
  for (const { start, end } of source) {
    let current = start;
    for (const ex of sorted) {
      if (ex.start >= end) break;
      if (ex.end <= current) continue;
      if (ex.start > current) result.push({ start: current, end: ex.start });
      if (ex.end > current) current = ex.end;
    }
    if (end > current) result.push({ start: current, end });
  }
  return result;
}

/** date-ranges.ts intersect: a two-pointer walk over each list sorted by start. */
export function intersect(lists: readonly (readonly Range[])[]): Range[] {
  if (lists.length === 0) return [];
  const sorted = lists.map((l) => [...l].sort((a, b) => a.start - b.start));
  let common = sorted[0]!;
  for (let i = 1; i < sorted.length; i++) {
    if (common.length === 0) return [];
    const user = sorted[i]!;
    const next: Range[] = [];
    let ci = 0;
    let ui = 0;
    while (ci < common.length && ui < user.length) {
      const c = common[ci]!;
      const u = user[ui]!;
      const start = Math.max(c.start, u.start);
      const end = Math.min(c.end, u.end);
      if (start < end) next.push({ start, end });
      if (c.end <= u.end) ci++;
      else ui++;
    }
    common = next;
  }
  return common.map((r) => ({ ...r }));
}

// ------------------------------------------------------------------ busy time (getBusyTimes.ts)

/** What {@link busyTimes} reads: the event type asked for, all event types, the bookings, the window end. */
type BusyTimeInput = Pick<SlotEngineInput, 'eventType' | 'eventTypes' | 'bookings' | 'endMs' | 'rescheduleUid'>;

/**
 * The busy time of one host for this event type: every accepted booking the host organises or
 * attends, of ANY event type, overlapping [startTime, endTime] (util.ts fetches bookings over the
 * window without widening it; BookingRepository.ts `_findAllExistingBookingsForEventTypeBetween`),
 * widened by crossed buffers: [start − (booked.before + this.after), end + (booked.after + this.before)].
 * Seats of this seated event type block only their buffers until the slot is full.
 */
function busyTimes(input: BusyTimeInput, userId: number, startTimeMs: number): Range[] {
  const et = input.eventType;
  const seatCount = new Map<string, number>();
  const busy: Range[] = [];
  for (const b of input.bookings) {
    if (b.status !== 'accepted') continue;
    if (b.userId !== userId && !b.hostUserIds.includes(userId)) continue;
    if (!(b.startMs <= input.endMs && b.endMs >= startTimeMs)) continue;
    const booked = input.eventTypes.get(b.eventTypeId);
    const blockBefore = ((booked?.beforeEventBuffer ?? 0) + et.afterEventBuffer) * MINUTE;
    const blockAfter = ((booked?.afterEventBuffer ?? 0) + et.beforeEventBuffer) * MINUTE;
    // `_count.seatsReferences` is only selected when this event type is seated.
    if (et.seatsPerTimeSlot && booked?.seatsPerTimeSlot) {
      const key = `${b.startMs}<>${b.endMs}`;
      const count = (seatCount.get(key) ?? 0) + 1;
      seatCount.set(key, count);
      // "Seat references on the current event are non-blocking until the event is fully booked."
      if (count < booked.seatsPerTimeSlot && b.eventTypeId === et.id) {
        if (blockBefore) busy.push({ start: b.startMs - blockBefore, end: b.startMs });
        if (blockAfter) busy.push({ start: b.endMs, end: b.endMs + blockAfter });
        continue;
      }
      seatCount.delete(key);
    }
    if (input.rescheduleUid !== undefined && b.uid === input.rescheduleUid) continue;
    busy.push({ start: b.startMs - blockBefore, end: b.endMs + blockAfter });
  }
  return busy;
}

// ------------------------------------------------------------------ the booking check (ensureAvailableUsers.ts)

export interface BookingCheckInput {
  eventType: SimEventType;
  eventTypes: ReadonlyMap<number, SimEventType>;
  bookings: readonly SimBooking[];
  /** The booking asked for, `[start, end)`, UTC ms. */
  startMs: number;
  endMs: number;
  /** The attendee's zone (`reqBody.timeZone`): only the override window's offset depends on it. */
  timeZone: string;
  /** The booking being rescheduled: its own time is free (`originalRescheduledBooking.uid`). */
  rescheduleUid?: string;
}

/**
 * packages/features/bookings/lib/handleNewBooking/ensureAvailableUsers.ts @833e21e7, per host: the
 * host is available when ONE working-hours range of [start, end] (date-ranges.ts buildDateRanges
 * over the booking's own start and end, `hasDateRangeForBooking`) contains the whole booking, and no
 * busy block (getBusyTimes.ts with crossed buffers, bookings fetched over [start, end] only) strictly
 * overlaps it (checkForConflicts.ts). The start need not be on the slot grid; reservations are not
 * consulted (getUserAvailability has none). Returns the available hosts among `userIds`, in order.
 */
export function availableHostIds(input: BookingCheckInput, userIds: readonly number[]): number[] {
  const dateFrom = truncToSecond(input.startMs);
  const dateTo = truncToSecond(input.endMs);
  const ranges = buildDateRanges(input.eventType.schedule, dateFrom, dateTo, input.timeZone);
  if (!ranges.some((r) => r.start <= input.startMs && r.end >= input.endMs)) return [];
  const busyInput: BusyTimeInput = {
    eventType: input.eventType,
    eventTypes: input.eventTypes,
    bookings: input.bookings,
    endMs: dateTo,
    ...(input.rescheduleUid !== undefined ? { rescheduleUid: input.rescheduleUid } : {}),
  };
  return userIds.filter((userId) => !busyTimes(busyInput, userId, dateFrom).some((b) => b.start < input.endMs && b.end > input.startMs));
}

// ------------------------------------------------------------------ aggregation (getAggregatedAvailability.ts)

/**
 * getAggregatedAvailability: the fixed hosts' intersection (overlaps merged), intersected with the
 * union of the other hosts' ranges; then de-duplicated, sorted, and ranges inside others dropped.
 * Adjacent ranges stay separate.
 */
export function aggregate(
  hosts: ReadonlyArray<{ ranges: Range[]; isFixed: boolean }>,
  schedulingType: 'collective' | 'roundRobin' | 'managed' | null,
): Range[] {
  const fixed = hosts.filter((h) => schedulingType === null || schedulingType === 'collective' || h.isFixed);
  const fixedRanges = mergeOverlapping(intersect(fixed.map((h) => h.ranges)));
  const toIntersect: Range[][] = fixedRanges.length ? [fixedRanges] : [];
  const others = hosts.filter((h) => h.isFixed !== true);
  if (others.length) toIntersect.push(others.flatMap((h) => h.ranges));
  return filterRedundant(uniqueAndSorted(intersect(toIntersect)));
}

/** mergeOverlappingDateRanges.ts: merges only strictly overlapping ranges. */
function mergeOverlapping(ranges: Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const merged: Range[] = [];
  let current = sorted[0];
  if (!current) return [];
  for (const next of sorted.slice(1)) {
    if (current.start <= next.start && current.end > next.start) current = { start: current.start, end: Math.max(current.end, next.end) };
    else {
      merged.push(current);
      current = next;
    }
  }
  merged.push(current);
  return merged;
}

function uniqueAndSorted(ranges: Range[]): Range[] {
  const seen = new Set<string>();
  return [...ranges]
    .sort((a, b) => a.start - b.start || a.end - b.end)
    .filter((r) => {
      const key = `${r.start}-${r.end}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}

/**
 * filterRedundantDateRanges.ts: drops ranges contained in another. The input is de-duplicated and
 * sorted by (start, end), so a range is contained in another exactly when an earlier one reaches
 * as far or the next one starts with it (and, being different, ends later).
 */
function filterRedundant(ranges: Range[]): Range[] {
  if (ranges.length <= 1) return ranges;
  let reach = -Infinity;
  return ranges.filter((r, i) => {
    const contained = reach >= r.end || ranges[i + 1]?.start === r.start;
    reach = Math.max(reach, r.end);
    return !contained;
  });
}

// ------------------------------------------------------------------ the grid (slots.ts)

export interface GridInput {
  ranges: readonly Range[];
  /** Minutes. */
  eventLength: number;
  /** Minutes between starts. */
  frequency: number;
  /** minimumBookingNotice, minutes. */
  notice: number;
  nowMs: number;
  /** The booker's zone: the first slot of each range is rounded on its clock. */
  zone: string;
}

/** The rounding interval: the first of 60, 30, 20, 15, 10, 5 dividing `frequency`, else 1 (slots.ts). */
export function roundingInterval(frequency: number): number {
  return [60, 30, 20, 15, 10, 5].find((i) => frequency % i === 0) ?? 1;
}

/**
 * slots.ts buildSlotsWithDateRanges (showOptimizedSlots off, offsetStart 0): per range in start
 * order, start at max(range.start, now + notice) with seconds dropped, round up to the interval on
 * the booker's clock, continue an earlier range's grid where its last slot still runs (prevBoundary),
 * then step by `frequency` while `start + eventLength − 1 s <= range.end`. Unique starts, ascending
 * by emission.
 */
export function getSlots(input: GridInput): number[] {
  const frequency = minimumOfOne(input.frequency);
  const eventLength = minimumOfOne(input.eventLength);
  const interval = roundingInterval(frequency);
  const zone = Info.normalizeZone(input.zone);
  const startWithNotice = input.nowMs + input.notice * MINUTE;
  const ordered = [...input.ranges].sort((a, b) => a.start - b.start);
  const slots = new Set<number>();
  const boundaries: number[] = [];
  const out: number[] = [];
  for (const range of ordered) {
    let t = range.start > startWithNotice ? range.start : startWithNotice;
    t = Math.floor(t / MINUTE) * MINUTE;
    // The minute on the booker's clock; rounding up goes from the start of that local hour.
    const localMinute = (((Math.floor((t + zone.offset(t) * MINUTE) / MINUTE) % 60) + 60) % 60);
    if (localMinute % interval !== 0) {
      t = t - localMinute * MINUTE + Math.ceil(localMinute / interval) * interval * MINUTE;
    }
    // The nearest earlier slot start (from any earlier range) whose slot still runs at t.
    let prevBoundary: number | null = null;
    for (let i = boundaries.length - 1; i >= 0; i--) {
      if (boundaries[i]! < t) {
        prevBoundary = boundaries[i]!;
        break;
      }
    }
    if (prevBoundary && prevBoundary + frequency * MINUTE > t) {
      t = prevBoundary >= range.start ? prevBoundary : prevBoundary + frequency * MINUTE;
    }
    while (t + eventLength * MINUTE - SECOND <= range.end) {
      if (!slots.has(t)) {
        slots.add(t);
        insertSorted(boundaries, t);
        out.push(t);
      }
      t += frequency * MINUTE;
    }
  }
  return out;
}

function insertSorted(list: number[], value: number): void {
  let i = list.length;
  while (i > 0 && list[i - 1]! > value) i--;
  list.splice(i, 0, value);
}
