/**
 * The widening planner: which `GET /v2/slots` ranges fetch a set of missing UTC-day buckets in as
 * few calls as possible. Pure: days in, ranges out.
 *
 * Days are UTC calendar days `YYYY-MM-DD` (the slot cache's bucket unit). A range is inclusive:
 * `{ first: "2025-10-25", last: "2025-10-31" }` covers seven whole UTC days.
 */
import { addDays, type InstantRange } from '../time.js';

export interface PlannerOptions {
  /**
   * Buckets at most this many days apart (missing days between them, which are then fetched too)
   * share one call. 0 merges only adjacent days. @default 3
   */
  maxGapDays: number;
  /** Longest range one call may cover, in days. @default 14 */
  maxSpanDays: number;
  /**
   * A range shorter than this is widened forward to this many days, so the follow-up questions of a
   * live call (alternatives, the next days) are already cached. 1 disables widening. @default 7
   */
  minWindowDays: number;
}

export const DEFAULT_PLANNER_OPTIONS: PlannerOptions = { maxGapDays: 3, maxSpanDays: 14, minWindowDays: 7 };

export interface DayRange {
  /** First UTC day, inclusive. */
  first: string;
  /** Last UTC day, inclusive. */
  last: string;
}

/** Midnight UTC of a UTC day `YYYY-MM-DD`, ms since the epoch. */
const utcDayStartMs = (iso: string) => Date.parse(`${iso}T00:00:00Z`);
/** The UTC day `YYYY-MM-DD` of an instant (ms since the epoch; years 0000-9999). */
export const utcDayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const DAY_MS = 86_400_000;
const diffDays = (a: string, b: string) => Math.round((utcDayStartMs(b) - utcDayStartMs(a)) / DAY_MS);

/** The instants a range covers: `[midnight UTC of first, midnight UTC after last)`. */
export const rangeInstants = (r: DayRange): InstantRange => ({ start: utcDayStartMs(r.first), end: utcDayStartMs(r.last) + DAY_MS });

/** Number of days in a range (inclusive). */
export const rangeDays = (r: DayRange) => diffDays(r.first, r.last) + 1;

/** Every day of a range, in order. */
export function daysOf(range: DayRange): string[] {
  const days: string[] = [];
  const n = diffDays(range.first, range.last);
  for (let i = 0; i <= n; i++) days.push(addDays(range.first, i));
  return days;
}

/**
 * Groups `days` (any order, duplicates allowed) into ranges: sorted, merged while the gap is at
 * most `maxGapDays` and the span at most `maxSpanDays`; then each range is widened:
 *
 * - with an `anchor` day (today, UTC): to whole blocks of `minWindowDays` days counted from the
 *   anchor (block 0 = anchor .. anchor + minWindowDays - 1, "7 days ahead" for today), when that
 *   stays within `maxSpanDays`. Every request and every instance then widens a day to the same
 *   block, so concurrent callers ask for the same range and coalesce on it;
 * - otherwise, when shorter than `minWindowDays`: forward to that length.
 *
 * Widening never reaches into a neighbouring range, nor past `limit` (a last day, e.g. Cal.com's
 * horizon). Every input day is covered by exactly one range.
 */
export function planRanges(days: Iterable<string>, options: PlannerOptions = DEFAULT_PLANNER_OPTIONS, anchor?: string, limit?: string): DayRange[] {
  const sorted = [...new Set(days)].sort();
  const maxSpan = Math.max(1, options.maxSpanDays);
  const ranges: DayRange[] = [];
  for (const day of sorted) {
    const current = ranges.at(-1);
    if (current && diffDays(current.last, day) - 1 <= options.maxGapDays && diffDays(current.first, day) + 1 <= maxSpan) {
      current.last = day;
    } else {
      ranges.push({ first: day, last: day });
    }
  }
  const minWindow = Math.min(Math.max(1, options.minWindowDays), maxSpan);
  ranges.forEach((range, i) => {
    const prev = ranges[i - 1];
    const next = ranges[i + 1];
    const clampFirst = (d: string) => (prev && d <= prev.last ? addDays(prev.last, 1) : d);
    const clampLast = (d: string) => {
      const beforeNext = next && d >= next.first ? addDays(next.first, -1) : d;
      return limit && beforeNext > limit ? (range.last > limit ? range.last : limit) : beforeNext;
    };
    if (anchor && minWindow > 1) {
      const blockOf = (d: string) => Math.floor(diffDays(anchor, d) / minWindow);
      const first = clampFirst(addDays(anchor, blockOf(range.first) * minWindow));
      const last = clampLast(addDays(anchor, (blockOf(range.last) + 1) * minWindow - 1));
      if (diffDays(first, last) + 1 <= maxSpan) {
        range.first = first;
        range.last = last;
        return;
      }
    }
    if (rangeDays(range) >= minWindow) return;
    const last = clampLast(addDays(range.first, minWindow - 1));
    if (last > range.last) range.last = last;
  });
  return ranges;
}
