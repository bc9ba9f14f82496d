/**
 * `GET /v2/slots` input as Cal.com's v2 API reads it, before the slot engine:
 *
 * - packages/platform/types/slots/slots-2024-09-04/inputs/get-slots-input.pipe.ts (`GetSlotsInputPipe`)
 *   validates the query with class-validator (`whitelist`, `forbidNonWhitelisted`) against the DTOs of
 *   packages/platform/types/slots/slots-2024-09-04/inputs/get-slots.input.ts and joins the errors
 *   into one message;
 * - apps/api/v2/src/modules/slots/slots-2024-09-04/services/slots-input.service.ts then looks the
 *   event type up (404) and parses start/end with luxon in UTC ("Invalid start date"/"Invalid end date").
 *
 * The simulator serves slots by `eventTypeId` only (a deliberate limit); the other identity modes
 * (username + eventTypeSlug, teamSlug + eventTypeSlug, usernames) get a 400 that says so.
 */
import { DateTime } from 'luxon';

/** The query after the pipe, with Cal.com's transforms applied. */
export interface SlotsQuery {
  eventTypeId: number;
  start: string;
  end: string;
  timeZone?: string;
  duration?: number;
  format?: 'time' | 'range';
  bookingUidToReschedule?: string;
}

export type PipeResult = { ok: true; query: SlotsQuery } | { ok: false; message: string };

export const SIMULATOR_IDENTITY_LIMIT =
  'The Cal.com simulator serves GET /v2/slots by eventTypeId only: username/eventTypeSlug, teamSlug/eventTypeSlug and usernames queries are not simulated';

/**
 * Properties of `ById_2024_09_04`, in class-validator's order: the subclass's own (`type`,
 * `eventTypeId`), then the inherited ones of `GetAvailableSlotsInput_2024_09_04` in declaration order.
 */
const BY_ID_PROPERTIES = ['type', 'eventTypeId', 'start', 'end', 'timeZone', 'duration', 'format', 'bookingUidToReschedule', 'rrHostSubsetIds'] as const;

const NUMBER_MESSAGE = (p: string) => `${p} must be a number conforming to the specified constraints`;

/**
 * GetSlotsInputPipe.transform for a query with `eventTypeId` (`isById`: hasOwnProperty). The error
 * text is formatErrors': per property `"<prop> property is wrong,<constraints joined ', '> "`,
 * properties joined with ", ", unknown keys first (class-validator runs the whitelist check first).
 * `nowMs` feeds the end clamp (see {@link clampEnd}).
 */
export function validateSlotsQuery(raw: Record<string, string>, nowMs: number): PipeResult {
  if (!Object.prototype.hasOwnProperty.call(raw, 'eventTypeId')) return { ok: false, message: SIMULATOR_IDENTITY_LIMIT };
  const errors: Array<{ property: string; constraints: string[] }> = [];
  const known = new Set<string>(BY_ID_PROPERTIES);
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) errors.push({ property: key, constraints: [`property ${key} should not exist`] });
  }

  // @Transform(({ value }) => value && parseInt(value)) then @IsNumber(): "" stays "", "abc" is NaN.
  const intOf = (v: string) => (v ? parseInt(v, 10) : v);
  const eventTypeId = intOf(raw.eventTypeId!);
  const end = raw.end === undefined ? undefined : clampEnd(raw.end, nowMs);
  const duration = raw.duration === undefined ? undefined : intOf(raw.duration);
  // @Transform(({ value }) => (!value ? undefined : value.toLowerCase())) before @IsEnum.
  const format = raw.format ? raw.format.toLowerCase() : undefined;

  const check = (property: string, constraints: Array<string | false>) => {
    const failed = constraints.filter((c): c is string => c !== false);
    if (failed.length > 0) errors.push({ property, constraints: failed });
  };
  for (const property of BY_ID_PROPERTIES) {
    switch (property) {
      case 'type':
        break; // @IsString(): a query value always is one.
      case 'eventTypeId':
        check(property, [!isNumber(eventTypeId) && NUMBER_MESSAGE(property)]);
        break;
      case 'start':
        check(property, [!(raw.start !== undefined && isIsoDateStrict(raw.start)) && 'start must be a valid ISO 8601 date string']);
        break;
      case 'end':
        check(property, [!(end !== undefined && isIsoDateStrict(end)) && 'end must be a valid ISO 8601 date string']);
        break;
      case 'timeZone':
        // @IsOptional() skips only null/undefined, so an empty timeZone fails @IsTimeZone().
        if (raw.timeZone !== undefined) check(property, [!isTimeZone(raw.timeZone) && 'timeZone must be a valid IANA time-zone']);
        break;
      case 'duration':
        if (duration !== undefined) check(property, [!isNumber(duration) && NUMBER_MESSAGE(property)]);
        break;
      case 'format':
        if (format !== undefined) check(property, [format !== 'range' && format !== 'time' && "slotFormat must be either 'range' or 'time'"]);
        break;
      case 'bookingUidToReschedule':
        break; // @IsString() @IsOptional()
      case 'rrHostSubsetIds':
        // Validated as Cal.com does (comma-separated numbers) but not otherwise simulated.
        if (raw.rrHostSubsetIds !== undefined) {
          const ids = raw.rrHostSubsetIds.split(',').map((s) => parseInt(s.trim(), 10));
          check(property, [ids.some((id) => !isNumber(id)) && `each value in ${property} must be a number conforming to the specified constraints`]);
        }
        break;
    }
  }
  if (errors.length > 0) {
    return { ok: false, message: errors.map((e) => `${e.property} property is wrong,${e.constraints.join(', ')} `).join(', ') };
  }
  return {
    ok: true,
    query: {
      eventTypeId: eventTypeId as number,
      start: raw.start!,
      end: end!,
      ...(raw.timeZone !== undefined ? { timeZone: raw.timeZone } : {}),
      ...(duration !== undefined ? { duration: duration as number } : {}),
      ...(format !== undefined ? { format: format as 'time' | 'range' } : {}),
      ...(raw.bookingUidToReschedule !== undefined ? { bookingUidToReschedule: raw.bookingUidToReschedule } : {}),
    },
  };
}

/** class-validator `isNumber` with default options: a number, not NaN, not ±Infinity. */
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** class-validator `isTimeZone`: whatever Intl accepts as a `timeZone`. */
export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat(undefined, { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * `end` clamped to now + 1 year. Cal.com's current get-slots.input.ts has no limit on how far ahead
 * `end` may be and nothing in its source refuses such a request; the only version with a check
 * (get-slots.input.ts @07c7ee6d, PR calcom/cal.diy#25038, closed) silently clamps `end` to
 * `dayjs.utc().add(1, "year").toISOString()` in a @Transform. The simulator applies that clamp.
 */
export function clampEnd(end: string, nowMs: number): string {
  const parsed = DateTime.fromISO(end, { zone: 'utc' });
  const max = DateTime.fromMillis(nowMs, { zone: 'utc' }).plus({ years: 1 });
  return parsed.isValid && parsed > max ? max.toJSDate().toISOString() : end;
}

/**
 * slots-input.service.ts adjustStartTime / adjustEndTime: luxon in UTC; an end at exactly
 * 00:00:00 (hour, minute, second) becomes 23:59:59 that UTC day. Null when luxon cannot parse the
 * string (e.g. a space separator, which class-validator accepts).
 */
export function adjustStart(start: string): number | null {
  const dt = DateTime.fromISO(start, { zone: 'utc' });
  return dt.isValid ? dt.toMillis() : null;
}
export function adjustEnd(end: string): number | null {
  let dt = DateTime.fromISO(end, { zone: 'utc' });
  if (!dt.isValid) return null;
  if (dt.hour === 0 && dt.minute === 0 && dt.second === 0) dt = dt.set({ hour: 23, minute: 59, second: 59 });
  return dt.toMillis();
}

// -------------------------------------------------------------- ISO 8601 as class-validator checks it

/*
 * @IsDateString({ strict: true }) is validator.js `isISO8601(value, { strict: true })`: a calendar
 * date (YYYY, YYYY-MM, YYYY-MM-DD or without dashes), a week date (YYYY-Www[-D]) or an ordinal
 * date (YYYY-DDD), optionally followed by "T" or a space and a time (hh[:mm[:ss]] with a decimal
 * fraction, or 24:00) and a zone (Z or ±hh[:mm]); strict mode also rejects days that do not exist
 * (2050-02-30, ordinal day 366 of a common year). The pattern below is written from that grammar.
 */
const YEAR = String.raw`[+-]?\d{4}(?!\d{2}\b)`;
const CALENDAR = String.raw`(?:0[1-9]|1[0-2])(?:\k<sep>(?:[12]\d|0[1-9]|3[01]))?`;
const WEEK = String.raw`W(?:[0-4]\d|5[0-3])(?:-?[1-7])?`;
const ORDINAL = String.raw`(?:00[1-9]|0[1-9]\d|[12]\d{2}|3(?:[0-5]\d|6[1-6]))`;
const TIME = String.raw`(?:(?:[01]\d|2[0-3])(?:(?<tsep>:?)[0-5]\d)?|24:?00)(?:[.,]\d+(?!:))?`;
const SECONDS = String.raw`(?:\k<tsep>[0-5]\d(?:[.,]\d+)?)?`;
const ZONE = String.raw`(?:[zZ]|[+-](?:[01]\d|2[0-3]):?(?:[0-5]\d)?)?`;
const ISO_8601 = new RegExp(
  String.raw`^${YEAR}(?:(?<sep>-?)(?:${CALENDAR}|${WEEK}|${ORDINAL})(?:[T\s](?:${TIME})?${SECONDS}${ZONE})?)?$`,
);

/** `@IsDateString()` without `strict`: the grammar only, days that do not exist pass. */
export function isIsoDate(value: unknown): value is string {
  return typeof value === 'string' && ISO_8601.test(value);
}

export function isIsoDateStrict(value: string): boolean {
  if (!ISO_8601.test(value)) return false;
  const ordinal = /^(\d{4})-?(\d{3})([ T]\.*|$)/.exec(value);
  if (ordinal) {
    const year = Number(ordinal[1]);
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return Number(ordinal[2]) <= (leap ? 366 : 365);
  }
  const parts = /(\d{4})-?(\d{0,2})-?(\d*)/.exec(value)!;
  const year = Number(parts[1]);
  const month = Number(parts[2]);
  const day = Number(parts[3]);
  if (!month || !day) return true;
  const date = new Date(`${year}-${String(month).padStart(2, '0')}-${String(day).slice(-2).padStart(2, '0')}`);
  return date.getUTCFullYear() === year && date.getUTCMonth() + 1 === month && date.getUTCDate() === day;
}
