/**
 * Time-zone arithmetic for slotgraph. Every conversion between a caller's local wall time and a UTC
 * instant goes through luxon here; nothing else in the code base does offset math.
 *
 * Terms:
 * - **instant**: a point on the UTC time line (`DateTime` in zone UTC, or an ISO string with `Z`).
 * - **local date**: a calendar day `YYYY-MM-DD` in some IANA zone, with no instant attached.
 * - **local day window**: the instants from local midnight of one date to just before local midnight
 *   of the day after another; 23 h or 25 h per day across a DST switch, never "date + 24 h".
 */
import { DateTime, IANAZone } from 'luxon';

/** True when `zone` is an IANA zone name luxon (and so Intl) knows, e.g. `Europe/Berlin`. */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Parses a `YYYY-MM-DD` local date (as a UTC midnight, for day arithmetic); null when not a real calendar date. */
export function parseLocalDate(date: string): DateTime | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return null;
  const parsed = DateTime.fromISO(date, { zone: 'UTC' });
  return parsed.isValid ? parsed.startOf('day') : null;
}

/**
 * Every local date from `start` to `end` inclusive, in order (`YYYY-MM-DD`). Empty when end < start.
 */
export function listLocalDates(start: string, end: string): string[] {
  const first = parseLocalDate(start);
  const last = parseLocalDate(end);
  if (!first || !last) return [];
  const dates: string[] = [];
  for (let d = first; d <= last; d = d.plus({ days: 1 })) dates.push(d.toISODate()!);
  return dates;
}

/** Number of local days from `start` to `end` inclusive (1 for the same day, 0 when end < start). */
export function countLocalDays(start: string, end: string): number {
  const first = parseLocalDate(start);
  const last = parseLocalDate(end);
  if (!first || !last || last < first) return 0;
  return Math.round(last.diff(first, 'days').days) + 1;
}

/** A half-open interval of instants `[start, end)`, both in zone UTC. */
export interface InstantRange {
  start: DateTime;
  end: DateTime;
}

/**
 * The instants covered by the local days `startDate`..`endDate` (inclusive) in `zone`:
 * `[local midnight of startDate, local midnight of the day after endDate)`, converted to UTC.
 * DST-correct: a day clocks go back on is 25 h long, one they go forward on 23 h.
 */
export function localDaysToRange(startDate: string, endDate: string, zone: string): InstantRange {
  const start = DateTime.fromISO(startDate, { zone }).startOf('day');
  const end = DateTime.fromISO(endDate, { zone }).plus({ days: 1 }).startOf('day');
  return { start: start.toUTC(), end: end.toUTC() };
}

/**
 * The `start`/`end` query values to send to `GET /v2/slots` for a half-open instant range.
 *
 * Cal.com reads both as UTC and widens an `end` that falls exactly on 00:00:00 UTC to 23:59:59 of
 * that day, almost 24 h more than asked (reference.md §1.1 and §1.4, `adjustEndTime`). The end sent
 * here is therefore the last whole second before `range.end`, which can never be 00:00:00Z when the
 * range ends on a whole second; and when the range end is not on a whole second the result is
 * floored, which again cannot land on a midnight that the range did not cover.
 *
 * @returns ISO instants with `Z` and no milliseconds, e.g. `{ start: "2025-10-25T22:00:00Z", end: "2025-10-26T22:59:59Z" }`.
 */
export function toCalcomWindow(range: InstantRange): { start: string; end: string } {
  const start = range.start.toUTC().startOf('second');
  let end = range.end.toUTC().minus({ milliseconds: 1 }).startOf('second');
  if (end.hour === 0 && end.minute === 0 && end.second === 0) end = end.minus({ seconds: 1 });
  const fmt = (d: DateTime) => d.toISO({ suppressMilliseconds: true, includeOffset: true })!;
  return { start: fmt(start), end: fmt(end) };
}

/** A slot as the caller sees it in `zone`. */
export interface LocalSlot {
  /** UTC instant the slot starts. */
  start: Date;
  /** UTC instant the slot ends. */
  end: Date;
  /** Local calendar day of `start` in the caller's zone, `YYYY-MM-DD`. */
  localDate: string;
  /** Local wall time of `start` in the caller's zone, `HH:mm` (24 h). */
  localTime: string;
  /** UTC offset of the caller's zone at `start`, `+01:00` style. */
  utcOffset: string;
}

/** Renders a slot `[start, end)` (UTC instants) in `zone`. */
export function toLocalSlot(start: DateTime, end: DateTime, zone: string): LocalSlot {
  const local = start.setZone(zone);
  return {
    start: start.toJSDate(),
    end: end.toJSDate(),
    localDate: local.toISODate()!,
    localTime: local.toFormat('HH:mm'),
    utcOffset: local.toFormat('ZZ'),
  };
}

/** Parses an ISO-8601 instant with `Z` or an offset into a UTC `DateTime`; null when invalid. */
export function parseInstant(iso: string): DateTime | null {
  const parsed = DateTime.fromISO(iso, { setZone: true });
  return parsed.isValid ? parsed.toUTC() : null;
}
