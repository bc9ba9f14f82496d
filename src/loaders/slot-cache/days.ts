/** UTC days of instant ranges (the bucket unit). */
import type { InstantRange } from '../../time.js';
import { daysOf, utcDayOf } from '../planner.js';

/** The days of recently asked ranges (a warm request asks the same window again). */
const memo = new Map<string, readonly string[]>();
const MEMO_MAX = 1024;

/** The UTC days `YYYY-MM-DD` an instant range `[start, end)` touches, in order. Shared: read-only. */
export function utcDaysOf(range: InstantRange): readonly string[] {
  const key = `${range.start}|${range.end}`;
  let days = memo.get(key);
  if (!days) {
    days = Object.freeze(daysOf({ first: utcDayOf(range.start), last: utcDayOf(Math.max(range.start, range.end - 1)) }));
    if (memo.size >= MEMO_MAX) memo.clear();
    memo.set(key, days);
  }
  return days;
}
