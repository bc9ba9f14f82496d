/**
 * Time-zone arithmetic for slotgraph. Every conversion between a caller's local wall time and a UTC
 * instant goes through luxon here; nothing else in the code base does offset math.
 *
 * Terms:
 * - **instant**: a point on the UTC time line: ms since the epoch across module boundaries (an ISO
 *   string with `Z` on the wire).
 * - **local date**: a calendar day `YYYY-MM-DD` in some IANA zone, with no instant attached.
 * - **local day window**: the instants from local midnight of one date to just before local midnight
 *   of the day after another; 23 h or 25 h per day across a DST switch, never "date + 24 h".
 */
import { DateTime, IANAZone } from 'luxon';

/** True when `zone` is an IANA zone name luxon (and so Intl) knows, e.g. `Europe/Berlin`. */
export function isValidZone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

/** Zone names Intl lists, by lower case (ICU's canonical spellings, e.g. `Asia/Calcutta`). */
let listedZones: Map<string, string> | undefined;
const spellings = new Map<string, string>();
const SPELLING_CACHE_SIZE = 1024;

/**
 * The zone as the caller named it, with its letters' case corrected where Intl lists it
 * (`europe/berlin` → `Europe/Berlin`). A valid name Intl resolves to another canonical id stays as
 * named: `Asia/Kolkata` stays `Asia/Kolkata` (ICU says `Asia/Calcutta`), `Europe/Kyiv` stays
 * `Europe/Kyiv`. Callers hear back the zone they asked in. Expects a zone {@link isValidZone}
 * accepted; cached (bounded), since every query canonicalises its zone.
 */
export function canonicalZone(zone: string): string {
  const cached = spellings.get(zone);
  if (cached !== undefined) return cached;
  listedZones ??= new Map(Intl.supportedValuesOf('timeZone').map((z) => [z.toLowerCase(), z]));
  let spelled = listedZones.get(zone.toLowerCase());
  if (spelled === undefined) {
    // Not listed (an alias such as Asia/Kolkata): Intl's own id when it only differs in case.
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    spelled = resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  }
  if (spellings.size >= SPELLING_CACHE_SIZE) spellings.clear();
  spellings.set(zone, spelled);
  return spelled;
}

const gridZones = new Map<string, string>();
const DAY_MS = 86_400_000;

/**
 * The `timeZone` to ask Cal.com's slots in for a caller in `zone`, so the slot instants are the
 * ones Cal.com's own booking page offers that caller: Cal.com rounds each free range's first slot
 * to 5-60 minutes on the clock of the request's zone (docs/calcom-contract.md#slot-grid). For a
 * zone whose offset is a whole number of hours at every instant from a year before `nowMs` to two
 * years after, that rounding is the same as in UTC, so the answer is `"UTC"` and all such callers
 * share one cache; otherwise (Asia/Kolkata +05:30, Asia/Kathmandu +05:45, Australia/Adelaide,
 * Australia/Lord_Howe's half-hour DST) it is the zone itself. Cached per zone.
 */
export function gridZoneOf(zone: string, nowMs: number): string {
  const cached = gridZones.get(zone);
  if (cached !== undefined) return cached;
  const iana = IANAZone.create(zone);
  let wholeHours = iana.isValid;
  // Offsets change at most a few times a year; a daily probe sees every period.
  for (let t = nowMs - 366 * DAY_MS; wholeHours && t <= nowMs + 731 * DAY_MS; t += DAY_MS) {
    if (iana.offset(t) % 60 !== 0) wholeHours = false;
  }
  const grid = wholeHours ? 'UTC' : zone;
  if (gridZones.size >= SPELLING_CACHE_SIZE) gridZones.clear();
  gridZones.set(zone, grid);
  return grid;
}

/**
 * How far ahead slotgraph answers, in days after today in the caller's zone. Cal.com computes slots
 * at most one year after now (a version of get-slots.input.ts clamps `end` to now + 1 year;
 * docs/calcom-contract.md#slot-window); every day up to today + 364 ends before that, so it is
 * answered in full, and a later day is refused rather than answered empty or in part.
 */
export const HORIZON_DAYS = 364;

/** The last local date (`YYYY-MM-DD`, in `zone`) a query may ask about: today + {@link HORIZON_DAYS}. */
export function horizonDate(nowMs: number, zone: string): string {
  return addDays(todayIn(nowMs, zone), HORIZON_DAYS);
}

/** Today's local date in `zone`, `YYYY-MM-DD`. */
export function todayIn(nowMs: number, zone: string): string {
  return localParts(nowMs, zone).date;
}

/**
 * UTC offsets in minutes, cached per (zone, UTC day): one Intl lookup (through luxon) at each end of
 * the day; a day whose two ends agree has one offset throughout (zones change offset at most twice a
 * year, never twice in a day). A day with a transition is looked up per instant. Bounded.
 */
const dayOffsets = new Map<string, number | null>();
const DAY_OFFSETS_MAX = 100_000;
const zones = new Map<string, IANAZone>();

/** The UTC offset of `zone` at the instant `ms`, in minutes. */
export function offsetAt(ms: number, zone: string): number {
  let iana = zones.get(zone);
  if (!iana) {
    iana = IANAZone.create(zone);
    if (zones.size > 1024) zones.clear();
    zones.set(zone, iana);
  }
  const day = Math.floor(ms / DAY_MS);
  const key = `${zone}|${day}`;
  let cached = dayOffsets.get(key);
  if (cached === undefined) {
    const first = iana.offset(day * DAY_MS);
    const last = iana.offset((day + 1) * DAY_MS - 1);
    cached = first === last ? first : null;
    if (dayOffsets.size >= DAY_OFFSETS_MAX) dayOffsets.clear();
    dayOffsets.set(key, cached);
  }
  return cached ?? iana.offset(ms);
}

/** The local calendar date, wall time and offset of the instant `ms` in `zone`. */
export function localParts(ms: number, zone: string): { date: string; time: string; offset: string } {
  const offset = offsetAt(ms, zone);
  const d = new Date(ms + offset * 60_000);
  const abs = Math.abs(offset);
  return {
    date: `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`,
    time: `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}`,
    offset: `${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`,
  };
}

/** Midnight UTC of a `YYYY-MM-DD` date, ms (calendar arithmetic on dates; no zone involved). */
const dateMs = (date: string) => new Date(0).setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))); // (Date.UTC reads years 0-99 as 19xx)
/** The `YYYY-MM-DD` of a UTC midnight (years 0000-9999). */
const dateOfMs = (ms: number) => {
  const d = new Date(ms);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
};
const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
/** The date `n` days after `date` (`YYYY-MM-DD`). */
export const addDays = (date: string, n: number) => dateOfMs(dateMs(date) + n * DAY_MS);

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
  const n = countLocalDays(start, end);
  const dates: string[] = [];
  for (let i = 0; i < n; i++) dates.push(addDays(start, i));
  return dates;
}

/** Number of local days from `start` to `end` inclusive (1 for the same day, 0 when end < start). */
export function countLocalDays(start: string, end: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(start) || !/^\d{4}-\d{2}-\d{2}$/.test(end)) return 0;
  const days = Math.round((dateMs(end) - dateMs(start)) / DAY_MS);
  return days < 0 || Number.isNaN(days) ? 0 : days + 1;
}

/** A half-open interval of UTC instants `[start, end)`, each in ms since the epoch. */
export interface InstantRange {
  readonly start: number;
  readonly end: number;
}

/** The instants `[startMs, endMs)` (ms since the epoch) as a range, at least 1 ms long (a zero-length booking still touches its day). */
export function instantRangeMs(startMs: number, endMs: number): InstantRange {
  return { start: startMs, end: Math.max(endMs, startMs + 1) };
}

/**
 * The instants covered by the local days `startDate`..`endDate` (inclusive) in `zone`:
 * `[local midnight of startDate, local midnight of the day after endDate)`, converted to UTC.
 * DST-correct: a day clocks go back on is 25 h long, one they go forward on 23 h.
 */
export function localDaysToRange(startDate: string, endDate: string, zone: string): InstantRange {
  const key = `${zone}|${startDate}|${endDate}`;
  const cached = ranges.get(key);
  if (cached) return cached;
  const start = localMidnightMs(startDate, zone) ?? DateTime.fromISO(startDate, { zone }).startOf('day').toMillis();
  const next = addDays(endDate, 1);
  const end = localMidnightMs(next, zone) ?? DateTime.fromISO(next, { zone }).startOf('day').toMillis();
  const range: InstantRange = Object.freeze({ start, end });
  if (ranges.size >= 10_000) ranges.clear();
  ranges.set(key, range); // frozen: safe to share
  return range;
}
/**
 * The instant (ms) local midnight of `date` is in `zone`, from the cached offsets of
 * {@link offsetAt} (two lookups), checked by rendering it back; undefined when midnight does not
 * exist that day (a DST gap at 00:00, e.g. America/Havana), for luxon to resolve.
 */
function localMidnightMs(date: string, zone: string): number | undefined {
  const wall = dateMs(date);
  const guess = wall - offsetAt(wall, zone) * 60_000;
  const t = wall - offsetAt(guess, zone) * 60_000;
  const back = localParts(t, zone);
  return back.date === date && back.time === '00:00' ? t : undefined;
}

/** {@link localDaysToRange}'s answers (a warm request asks the same few windows again and again). */
const ranges = new Map<string, InstantRange>();

/**
 * The `start`/`end` query values to send to `GET /v2/slots` for a half-open instant range.
 *
 * Cal.com reads both as UTC and widens an `end` that falls exactly on 00:00:00 UTC to 23:59:59 of
 * that day, almost 24 h more than asked (`adjustEndTime`, docs/calcom-contract.md#slot-window). The end sent
 * here is therefore the last whole second before `range.end`, which can never be 00:00:00Z when the
 * range ends on a whole second; and when the range end is not on a whole second the result is
 * floored, which again cannot land on a midnight that the range did not cover.
 *
 * @returns ISO instants with `Z` and no milliseconds, e.g. `{ start: "2025-10-25T22:00:00Z", end: "2025-10-26T22:59:59Z" }`.
 */
export function toCalcomWindow(range: InstantRange): { start: string; end: string } {
  const start = Math.floor(range.start / 1000) * 1000;
  let end = Math.floor((range.end - 1) / 1000) * 1000;
  if (end % DAY_MS === 0) end -= 1000;
  // Whole seconds: toISOString's fraction is always .000.
  const fmt = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;
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

/** Renders a slot `[startMs, endMs)` (UTC instants, ms) in `zone`: one cached offset lookup, no DateTime. */
export function toLocalSlotMs(startMs: number, endMs: number, zone: string): LocalSlot {
  const local = localParts(startMs, zone);
  return { start: new Date(startMs), end: new Date(endMs), localDate: local.date, localTime: local.time, utcOffset: local.offset };
}

/** RFC 3339 date-time with `Z` or a numeric offset (what Cal.com sends), seconds and fraction optional. */
const RFC3339_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/**
 * Parses an RFC 3339 instant with `Z` or an offset into ms since the epoch (UTC); null when invalid.
 * The hot path of every slot fetch: `Date.parse` after a shape check, no DateTime per slot.
 */
export function parseInstantMs(iso: string): number | null {
  if (!RFC3339_INSTANT.test(iso)) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

