/**
 * The alternatives search: given the free slots of the whole search window, rank the ones to offer
 * a caller whose wish is `wished`, all in the caller's zone. Pure and deterministic.
 *
 * Ranking (reference: the old system's five strategies, now over one window read once):
 * 1. the wished day: every free slot, nearest to the wished time first (earlier and later alike;
 *    on a tie the earlier one) — `SAME_DAY_EARLIER` / `SAME_DAY_LATER`;
 * 2. each following day up to `searchDays`, in order: its slot nearest to the wished wall-clock time,
 *    if within `sameTimeToleranceMinutes` — `NEXT_DAYS_SAME_TIME`;
 * 3. the same weekday a week later: its slot nearest to the wished wall-clock time —
 *    `SAME_WEEKDAY_NEXT_WEEK`;
 * 4. every other slot after the wish, earliest first — `NEXT_AVAILABLE`.
 * No slot is offered twice, and never the wished slot itself.
 */
import { DateTime } from 'luxon';
import type { CachedSlot } from '../loaders/slot-cache/index.js';
import { countLocalDays, localParts, toLocalSlotMs, type LocalSlot } from '../time.js';
import { slotLabel } from './labels.js';

export const ALTERNATIVE_STRATEGIES = [
  'SAME_DAY_EARLIER',
  'SAME_DAY_LATER',
  'NEXT_DAYS_SAME_TIME',
  'SAME_WEEKDAY_NEXT_WEEK',
  'NEXT_AVAILABLE',
] as const;
export type AlternativeStrategy = (typeof ALTERNATIVE_STRATEGIES)[number];

export interface Alternative {
  slot: LocalSlot;
  strategy: AlternativeStrategy;
  /** Local calendar days from the wished day (0 = the same day). */
  dayOffset: number;
  /** Minutes from the wished instant to the slot start; negative = earlier. */
  minutesFromWish: number;
  /** Words to read aloud, in the requested locale. */
  label: string;
}

export interface SearchInput {
  /** Free slots of the search window (any order); UTC ms. */
  slots: readonly CachedSlot[];
  /** The wished start, any zone. */
  wished: DateTime;
  /** The caller's IANA zone. */
  zone: string;
  /** How many alternatives at most. */
  limit: number;
  /** How many days after the wished day count as "next days". */
  searchDays: number;
  /** Locale for labels (see labels.ts). */
  locale: string;
  /** "About the same time" on the next days, in wall-clock minutes. @default 120 */
  sameTimeToleranceMinutes?: number;
}

export interface SearchResult {
  /** The slot starting exactly at the wish, when free. */
  wishedSlot: LocalSlot | null;
  alternatives: Alternative[];
}

interface Candidate {
  slot: CachedSlot;
  dayOffset: number;
  minutesFromWish: number;
  /** Wall-clock distance to the wished time of day, in minutes (DST-proof). */
  clockDistance: number;
}

export function searchAlternatives(input: SearchInput): SearchResult {
  const tolerance = input.sameTimeToleranceMinutes ?? 120;
  const wishedMs = input.wished.toMillis();
  // Local dates and wall times from one cached offset per UTC day (src/time.ts), no DateTime per slot.
  const wish = localParts(wishedMs, input.zone);
  const minuteOfDay = (time: string) => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
  const wishMinute = minuteOfDay(wish.time);
  /** Local days from the wished day to `date` (the window starts on the wished day: never negative). */
  const daysFromWish = (date: string) => (date < wish.date ? -countLocalDays(date, wish.date) + 1 : countLocalDays(wish.date, date) - 1);

  const candidates: Candidate[] = [...input.slots]
    .sort((a, b) => a.start - b.start)
    .map((slot) => {
      const local = localParts(slot.start, input.zone);
      return {
        slot,
        dayOffset: daysFromWish(local.date),
        minutesFromWish: Math.round((slot.start - wishedMs) / 60_000),
        clockDistance: Math.abs(minuteOfDay(local.time) - wishMinute),
      };
    });

  const render = (c: Candidate) => toLocalSlotMs(c.slot.start, c.slot.end, input.zone);
  const wished = candidates.find((c) => c.slot.start === wishedMs) ?? null;
  const ranked: Array<[Candidate, AlternativeStrategy]> = [];
  const nearestInDay = (day: number, maxDistance = Infinity) =>
    candidates
      .filter((c) => c.dayOffset === day && c.clockDistance <= maxDistance)
      .sort((a, b) => a.clockDistance - b.clockDistance || a.slot.start - b.slot.start)[0];

  // 1. The wished day, nearest first.
  candidates
    .filter((c) => c.dayOffset === 0 && c !== wished)
    .sort((a, b) => Math.abs(a.minutesFromWish) - Math.abs(b.minutesFromWish) || a.slot.start - b.slot.start)
    .forEach((c) => ranked.push([c, c.slot.start < wishedMs ? 'SAME_DAY_EARLIER' : 'SAME_DAY_LATER']));
  // 2. The next days at about the same time.
  for (let day = 1; day <= input.searchDays; day++) {
    const c = nearestInDay(day, tolerance);
    if (c) ranked.push([c, 'NEXT_DAYS_SAME_TIME']);
  }
  // 3. The same weekday next week.
  const nextWeek = nearestInDay(7);
  if (nextWeek) ranked.push([nextWeek, 'SAME_WEEKDAY_NEXT_WEEK']);
  // 4. Whatever is free first after the wish.
  for (const c of candidates) if (c.slot.start > wishedMs && c.dayOffset > 0) ranked.push([c, 'NEXT_AVAILABLE']);

  const seen = new Set<number>(wished ? [wished.slot.start] : []);
  const alternatives: Alternative[] = [];
  for (const [c, strategy] of ranked) {
    if (alternatives.length >= input.limit) break;
    if (seen.has(c.slot.start)) continue;
    seen.add(c.slot.start);
    alternatives.push({
      slot: render(c),
      strategy,
      dayOffset: c.dayOffset,
      minutesFromWish: c.minutesFromWish,
      // Labels (Intl's weekday and month names) for the few slots offered only.
      label: slotLabel(DateTime.fromMillis(c.slot.start, { zone: input.zone }), c.dayOffset, input.locale),
    });
  }
  return { wishedSlot: wished ? render(wished) : null, alternatives };
}
