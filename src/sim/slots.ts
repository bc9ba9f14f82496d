/**
 * Slot generation for the simulator, the way Cal.com's `GET /v2/slots` computes them
 * (reference.md §1): from the schedule in its own zone (DST-correct through luxon), minus existing
 * bookings widened by the event type's buffers, minus the minimum booking notice, limited to the
 * requested UTC window.
 */
import { DateTime } from 'luxon';
import { WEEKDAYS, type SimBooking, type SimEventType } from './model.js';

/** One generated slot; instants in ms since the epoch. Seat fields only for seated event types. */
export interface GeneratedSlot {
  startMs: number;
  endMs: number;
  seatsBooked?: number;
  seatsRemaining?: number;
  seatsTotal?: number;
  bookingUid?: string;
}

export interface GenerateSlotsInput {
  eventType: SimEventType;
  /** Accepted bookings of this event type (others are ignored). */
  bookings: readonly SimBooking[];
  /** Inclusive UTC window for slot starts, ms since the epoch. */
  windowStartMs: number;
  windowEndMs: number;
  /** The simulator's "now", ms since the epoch. */
  nowMs: number;
  /** Slot length in minutes; defaults to the event type's `lengthInMinutes`. */
  duration?: number;
}

/** The opening hours of one local date as UTC ms intervals (override wins over weekly hours). */
function openingHours(eventType: SimEventType, date: DateTime): Array<[number, number]> {
  const { schedule } = eventType;
  const iso = date.toISODate()!;
  const overrides = schedule.overrides.filter((o) => o.date === iso);
  const weekday = WEEKDAYS[date.weekday - 1]!;
  const entries = overrides.length > 0 ? overrides : schedule.availability.filter((a) => a.days.includes(weekday));
  const at = (hhmm: string) => {
    if (hhmm === '24:00') return date.plus({ days: 1 }).startOf('day');
    const [hour, minute] = hhmm.split(':').map(Number) as [number, number];
    // luxon moves a wall time inside a spring-forward gap to the next existing instant.
    return date.set({ hour, minute, second: 0, millisecond: 0 });
  };
  return entries
    .map(({ startTime, endTime }) => [at(startTime).toMillis(), at(endTime).toMillis()] as [number, number])
    .filter(([s, e]) => e > s);
}

/** Slots whose start lies inside the window, ascending by start. */
export function generateSlots(input: GenerateSlotsInput): GeneratedSlot[] {
  const { eventType, windowStartMs, windowEndMs, nowMs } = input;
  if (windowEndMs < windowStartMs) return [];
  const zone = eventType.schedule.timeZone;
  const lengthMs = (input.duration ?? eventType.lengthInMinutes) * 60_000;
  const stepMs = (eventType.slotInterval ?? input.duration ?? eventType.lengthInMinutes) * 60_000;
  const earliestMs = nowMs + eventType.minimumBookingNotice * 60_000;
  const beforeMs = eventType.beforeEventBuffer * 60_000;
  const afterMs = eventType.afterEventBuffer * 60_000;
  const bookings = input.bookings.filter((b) => b.status === 'accepted' && b.eventTypeId === eventType.id);

  const slots: GeneratedSlot[] = [];
  // A local day can reach into the UTC window from either side: look one day beyond each end.
  const firstDay = DateTime.fromMillis(windowStartMs, { zone }).startOf('day').minus({ days: 1 });
  const lastDay = DateTime.fromMillis(windowEndMs, { zone }).startOf('day').plus({ days: 1 });
  for (let day = firstDay; day <= lastDay; day = day.plus({ days: 1 }).startOf('day')) {
    for (const [openMs, closeMs] of openingHours(eventType, day)) {
      for (let startMs = openMs; startMs + lengthMs <= closeMs; startMs += stepMs) {
        if (startMs < windowStartMs || startMs > windowEndMs || startMs < earliestMs) continue;
        const endMs = startMs + lengthMs;
        if (eventType.seatsPerTimeSlot) {
          const same = bookings.filter((b) => b.startMs === startMs);
          const clash = bookings.some((b) => b.startMs !== startMs && overlaps(b, startMs, endMs, beforeMs, afterMs));
          const seatsTotal = eventType.seatsPerTimeSlot;
          if (clash || same.length >= seatsTotal) continue;
          slots.push({
            startMs,
            endMs,
            seatsBooked: same.length,
            seatsRemaining: seatsTotal - same.length,
            seatsTotal,
            ...(same[0] ? { bookingUid: same[0].uid } : {}),
          });
        } else if (!bookings.some((b) => overlaps(b, startMs, endMs, beforeMs, afterMs))) {
          slots.push({ startMs, endMs });
        }
      }
    }
  }
  // Overlapping schedule entries can produce one start twice; Cal.com lists each start once.
  const unique = new Map(slots.map((slot) => [slot.startMs, slot]));
  return [...unique.values()].sort((a, b) => a.startMs - b.startMs);
}

/** A slot `[s, e)` clashes with a booking widened by the event type's before/after buffers. */
function overlaps(b: SimBooking, s: number, e: number, beforeMs: number, afterMs: number): boolean {
  return s < b.endMs + afterMs && e > b.startMs - beforeMs;
}
