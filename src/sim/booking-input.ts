/**
 * Request bodies and queries of the booking and reservation routes, validated as Cal.com's pipes
 * do with class-validator 0.14 (docs/calcom-contract.md#bookings, #reservations):
 *
 * - `POST /v2/bookings`: packages/platform/types/bookings/2024-08-13/inputs/create-booking-input.pipe.ts
 *   @51442f5e (`whitelist` + `forbidNonWhitelisted`) over create-booking.input.ts @9527f3c9, with the
 *   newer `reservedSlotUid` (PR #24670; e2e reserved-slot-bookings.e2e-spec.ts);
 * - `/cancel`: cancel-booking-input.pipe.ts @5b6d63e6 over cancel-booking.input.ts;
 * - `/reschedule`: reschedule-booking-input.pipe.ts (assumed the same `formatErrors` as the other two
 *   pipes) over reschedule-booking.input.ts @f0ac6126 plus the newer `reservedSlotUid`;
 * - `POST|PATCH /v2/slots/reservations` and `GET /v2/bookings`: the global ValidationPipe of
 *   apps/api/v2/src/app.ts @03670679 (`whitelist` WITHOUT `forbidNonWhitelisted`: unknown keys are
 *   dropped, not refused; errors as `BadRequestException({errors})`, message "Bad Request Exception").
 *
 * The pipes' message: per failed property `"<prop> property is wrong,<constraints joined ', '> <children>"`,
 * properties joined with ", ", unknown keys first (the whitelist check runs first), then properties
 * in declaration order, class-level validators last. Constraint texts are class-validator's defaults.
 *
 * Not checked, as in Cal.com: `attendee.email`, `attendee.phoneNumber` and `rescheduledBy` formats.
 * Their `@Validate((value) => …)` passes an arrow function where class-validator expects a
 * constraint class, which registers no constraint (derived from class-validator's
 * `getTargetValidatorConstraints`), so the pipe never rejects them.
 */
import { ATTENDEE_LANGUAGES, BOOKING_METADATA_LIMITS, CALCOM_MESSAGES } from '../upstream/contract.js';
import { isIsoDate, isIsoDateStrict, isTimeZone } from './v2-input.js';

interface PropError {
  property: string;
  constraints: string[];
  children?: PropError[];
}

/** create-booking-input.pipe.ts formatErrors. */
export function formatPipeErrors(errors: PropError[]): string {
  return errors
    .map((e) => `${e.property} property is wrong,${e.constraints.join(', ')} ${e.children?.length ? formatPipeErrors(e.children) : ''}`)
    .join(', ');
}

export type Validated<T> = { ok: true; value: T } | { ok: false; message: string; details?: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const absent = (v: unknown) => v === undefined || v === null;

/** class-validator's default texts. */
const MSG = {
  string: (p: string) => `${p} must be a string`,
  int: (p: string) => `${p} must be an integer number`,
  number: (p: string) => `${p} must be a number conforming to the specified constraints`,
  date: (p: string) => `${p} must be a valid ISO 8601 date string`,
  object: (p: string) => `${p} must be an object`,
  array: (p: string) => `${p} must be an array`,
  eachString: (p: string) => `each value in ${p} must be a string`,
  eachInt: (p: string) => `each value in ${p} must be an integer number`,
  min: (p: string, n: number) => `${p} must not be less than ${n}`,
  max: (p: string, n: number) => `${p} must not be greater than ${n}`,
  boolean: (p: string) => `${p} must be a boolean value`,
  url: (p: string) => `${p} must be a URL address`,
  defined: (p: string) => `${p} should not be null or undefined`,
  nested: (p: string) => `nested property ${p} must be either object or array`,
  timeZone: (p: string) => `${p} must be a valid IANA time-zone`,
  unknown: (p: string) => `property ${p} should not exist`,
};

/** A property check: the failed constraints, in class-validator's order (decorators bottom-up). */
type Rule = (value: unknown, body: Record<string, unknown>) => Array<string | false>;
const optional = (rule: Rule): Rule => (value, body) => (absent(value) ? [] : rule(value, body));

/** Nested validation (`@ValidateNested`): the errors of a property's own object, as children. */
type Nested = Record<string, (value: unknown) => PropError[]>;

function runRules(body: Record<string, unknown>, rules: Array<[string, Rule]>, classRules: Array<[string, Rule]> = [], nested: Nested = {}): PropError[] {
  const errors: PropError[] = [];
  const known = new Set(rules.map(([p]) => p));
  for (const key of Object.keys(body)) if (!known.has(key)) errors.push({ property: key, constraints: [MSG.unknown(key)] });
  for (const [property, rule] of [...rules, ...classRules]) {
    const constraints = rule(body[property], body).filter((c): c is string => c !== false);
    const children = nested[property]?.(body[property]) ?? [];
    if (constraints.length > 0 || children.length > 0) errors.push({ property, constraints, ...(children.length ? { children } : {}) });
  }
  return errors;
}

/** validators/validate-metadata.ts with {@link BOOKING_METADATA_LIMITS}. */
export function isValidMetadata(value: unknown): boolean {
  if (!isObject(value)) return false;
  const entries = Object.entries(value);
  if (entries.length > BOOKING_METADATA_LIMITS.maxKeys) return false;
  return entries.every(
    ([k, v]) =>
      k.length <= BOOKING_METADATA_LIMITS.maxKeyLength &&
      ((typeof v === 'string' && v.length <= BOOKING_METADATA_LIMITS.maxStringValueLength) || typeof v === 'number' || typeof v === 'boolean'),
  );
}
const METADATA_MESSAGE = 'Metadata must have at most 50 keys, each key up to 40 characters, and string values up to 500 characters.';

const isUrl = (v: unknown) => {
  if (typeof v !== 'string') return false;
  try {
    return Boolean(new URL(/^[a-z][a-z\d+.-]*:\/\//i.test(v) ? v : `http://${v}`).hostname.includes('.'));
  } catch {
    return false;
  }
};

export const FAILED_EVENT_TYPE_IDENTIFICATION =
  'Either eventTypeId or eventTypeSlug + username or eventTypeSlug + teamSlug must be provided';
export const SIMULATOR_BOOKING_IDENTITY_LIMIT =
  'The Cal.com simulator books by eventTypeId only: eventTypeSlug with username or teamSlug is not simulated';

export interface CreateBookingBody {
  start: string;
  attendee: { name: string; email?: string; timeZone: string; phoneNumber?: string; language?: string };
  eventTypeId: number;
  bookingFieldsResponses?: Record<string, unknown>;
  guests?: string[];
  meetingUrl?: string;
  location?: string | Record<string, unknown>;
  metadata?: Record<string, unknown>;
  lengthInMinutes?: number;
  emailVerificationCode?: string;
  reservedSlotUid?: string;
}

const attendeeRules: Array<[string, Rule]> = [
  ['name', (v) => [!isString(v) && MSG.string('name')]],
  ['email', () => []],
  ['timeZone', (v) => [!(isString(v) && isTimeZone(v)) && MSG.timeZone('timeZone')]],
  ['phoneNumber', () => []],
  ['language', optional((v) => [!(ATTENDEE_LANGUAGES as readonly unknown[]).includes(v) && `language must be one of the following values: ${ATTENDEE_LANGUAGES.join(', ')}`])],
];
const attendeeClassRules: Array<[string, Rule]> = [
  ['attendee email or phone', (_v, a) => [!(a.phoneNumber || a.email) && CALCOM_MESSAGES.attendeeContact]],
];

/**
 * CreateBookingInputPipe: a body with `recurrenceCount` is validated as the recurring input, one with
 * `instant: true` as the instant input (the simulator refuses instant bookings).
 */
export function validateCreateBooking(raw: unknown): Validated<CreateBookingBody> {
  // create-booking-input.pipe.ts transform: `BadRequestException("Body is required")` /
  // `("Body should be an object")` (Cal.com tests `typeof value !== "object"` only; arrays are refused here).
  if (!raw) return { ok: false, message: 'Body is required' };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'Body should be an object' };
  const body = raw as Record<string, unknown>;
  const recurring = Object.prototype.hasOwnProperty.call(body, 'recurrenceCount');
  const instant = !recurring && body.instant === true;
  if (instant) return { ok: false, message: 'The Cal.com simulator does not simulate instant bookings ("instant": true)' };
  const rules: Array<[string, Rule]> = [
    ['start', (v) => [!isIsoDate(v) && MSG.date('start')]],
    [
      'attendee',
      (v) => {
        if (v === undefined) return [MSG.defined('attendee')];
        if (v === null) return [MSG.defined('attendee'), MSG.nested('attendee')];
        if (!isObject(v)) return [MSG.nested('attendee')];
        return [];
      },
    ],
    ['bookingFieldsResponses', optional((v) => [!isObject(v) && MSG.object('bookingFieldsResponses')])],
    ['eventTypeId', optional((v) => [!isInt(v) && MSG.int('eventTypeId')])],
    ['eventTypeSlug', optional((v) => [!isString(v) && MSG.string('eventTypeSlug')])],
    ['username', optional((v) => [!isString(v) && MSG.string('username')])],
    ['teamSlug', optional((v) => [!isString(v) && MSG.string('teamSlug')])],
    ['organizationSlug', optional((v) => [!isString(v) && MSG.string('organizationSlug')])],
    ['guests', optional((v) => [Array.isArray(v) && v.some((g) => !isString(g)) && MSG.eachString('guests'), !Array.isArray(v) && MSG.array('guests')])],
    ['meetingUrl', optional((v) => [!isUrl(v) && MSG.url('meetingUrl')])],
    // ValidateBookingLocation_2024_08_13 (location.input.ts): its exact text was not read; the
    // simulator's own text here, and object types are then refused as Cal.com does (booking-engine.ts).
    ['location', optional((v) => [!(isString(v) || (isObject(v) && isString(v.type))) && 'location must be one of the booking location objects or a string'])],
    ['metadata', optional((v) => [!isValidMetadata(v) && METADATA_MESSAGE, !isObject(v) && MSG.object('metadata')])],
    ['lengthInMinutes', optional((v) => [typeof v === 'number' && v < 1 && MSG.min('lengthInMinutes', 1), !isInt(v) && MSG.int('lengthInMinutes')])],
    ['routing', optional((v) => [!isObject(v) && MSG.nested('routing')])],
    ['emailVerificationCode', optional((v) => [!isString(v) && MSG.string('emailVerificationCode')])],
    ['reservedSlotUid', optional((v) => [!isString(v) && MSG.string('reservedSlotUid')])],
    ...(recurring ? ([['recurrenceCount', optional((v) => [typeof v === 'number' && v < 1 && MSG.min('recurrenceCount', 1), !isInt(v) && MSG.int('recurrenceCount')])]] as Array<[string, Rule]>) : []),
  ];
  const classRules: Array<[string, Rule]> = [
    ['eventTypeId or eventTypeSlug + username', (_v, b) => [!(b.eventTypeId || (b.eventTypeSlug && b.username) || (b.eventTypeSlug && b.teamSlug)) && FAILED_EVENT_TYPE_IDENTIFICATION]],
  ];
  const errors = runRules(body, rules, classRules, {
    attendee: (v) => (isObject(v) ? runRules(v, attendeeRules, attendeeClassRules) : []),
  });
  if (errors.length > 0) return { ok: false, message: formatPipeErrors(errors) };
  if (!body.eventTypeId) return { ok: false, message: SIMULATOR_BOOKING_IDENTITY_LIMIT };
  return { ok: true, value: body as unknown as CreateBookingBody };
}

export interface RescheduleBookingBody {
  start: string;
  rescheduledBy?: string;
  reschedulingReason?: string;
  emailVerificationCode?: string;
  reservedSlotUid?: string;
  /** The seated variant (RescheduleSeatedBookingInput_2024_08_13). */
  seatUid?: string;
}

/** RescheduleBookingInputPipe: the seated input when the body has `seatUid`. */
export function validateRescheduleBooking(raw: unknown): Validated<RescheduleBookingBody> {
  if (!raw) return { ok: false, message: 'Body is required' };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, message: 'Body should be an object' };
  const body = raw as Record<string, unknown>;
  const seated = Object.prototype.hasOwnProperty.call(body, 'seatUid');
  const rules: Array<[string, Rule]> = seated
    ? [
        ['start', (v) => [!isIsoDate(v) && MSG.date('start')]],
        ['rescheduledBy', () => []],
        ['seatUid', (v) => [!isString(v) && MSG.string('seatUid')]],
        ['emailVerificationCode', optional((v) => [!isString(v) && MSG.string('emailVerificationCode')])],
      ]
    : [
        ['start', (v) => [!isIsoDate(v) && MSG.date('start')]],
        ['rescheduledBy', () => []],
        ['reschedulingReason', optional((v) => [!isString(v) && MSG.string('reschedulingReason')])],
        ['emailVerificationCode', optional((v) => [!isString(v) && MSG.string('emailVerificationCode')])],
        ['rrHostSubsetIds', optional((v) => [Array.isArray(v) && v.some((x) => !isInt(x)) && MSG.eachInt('rrHostSubsetIds'), !Array.isArray(v) && MSG.array('rrHostSubsetIds')])],
        ['reservedSlotUid', optional((v) => [!isString(v) && MSG.string('reservedSlotUid')])],
      ];
  const errors = runRules(body, rules);
  if (errors.length > 0) return { ok: false, message: formatPipeErrors(errors) };
  return { ok: true, value: body as unknown as RescheduleBookingBody };
}

export interface CancelBookingBody {
  cancellationReason?: string;
  cancelSubsequentBookings?: boolean;
  seatUid?: string;
}

/** CancelBookingInputPipe: the seated input when the body has `seatUid`. No body is `{}` (Express). */
export function validateCancelBooking(raw: unknown): Validated<CancelBookingBody> {
  const value = raw === undefined ? {} : raw;
  if (!value) return { ok: false, message: 'Body is required' };
  if (typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'Body should be an object' };
  const body = value as Record<string, unknown>;
  const seated = Object.prototype.hasOwnProperty.call(body, 'seatUid');
  const rules: Array<[string, Rule]> = seated
    ? [
        ['seatUid', (v) => [!isString(v) && MSG.string('seatUid')]],
        ['cancellationReason', optional((v) => [!isString(v) && MSG.string('cancellationReason')])],
      ]
    : [
        ['cancellationReason', optional((v) => [!isString(v) && MSG.string('cancellationReason')])],
        ['cancelSubsequentBookings', optional((v) => [typeof v !== 'boolean' && MSG.boolean('cancelSubsequentBookings')])],
      ];
  const errors = runRules(body, rules);
  if (errors.length > 0) return { ok: false, message: formatPipeErrors(errors) };
  return { ok: true, value: body as CancelBookingBody };
}

// ------------------------------------------------------------------ the global ValidationPipe

/**
 * One class-validator ValidationError as the global pipe serialises it (`validationError: {target:
 * true, value: true}`), for `details.errors`.
 */
export interface ValidationErrorJson {
  target: Record<string, unknown>;
  value: unknown;
  property: string;
  children: [];
  constraints: Record<string, string>;
}

export function globalPipe<T>(target: Record<string, unknown>, checks: Array<[string, Array<[string, string | false]>]>): Validated<T> {
  const errors: ValidationErrorJson[] = [];
  for (const [property, constraints] of checks) {
    const failed = constraints.filter((c): c is [string, string] => c[1] !== false);
    if (failed.length > 0) errors.push({ target, value: target[property], property, children: [], constraints: Object.fromEntries(failed) });
  }
  if (errors.length > 0) return { ok: false, message: 'Bad Request Exception', details: { errors } };
  return { ok: true, value: target as T };
}

export interface ReserveSlotBody {
  eventTypeId: number;
  slotStart: string;
  slotDuration?: number;
  reservationDuration?: number;
}

/** packages/platform/types/slots/slots-2024-09-04/inputs/reserve-slot.input.ts through the global pipe. */
export function validateReserveSlot(raw: unknown): Validated<ReserveSlotBody> {
  const body = isObject(raw) ? raw : {};
  const known = ['eventTypeId', 'slotStart', 'slotDuration', 'reservationDuration'];
  const target = Object.fromEntries(Object.entries(body).filter(([k]) => known.includes(k)));
  return globalPipe<ReserveSlotBody>(target, [
    ['eventTypeId', [['isInt', !isInt(target.eventTypeId) && MSG.int('eventTypeId')]]],
    ['slotStart', [['isDateString', !isIsoDate(target.slotStart) && MSG.date('slotStart')]]],
    ['slotDuration', [['isInt', !absent(target.slotDuration) && !isInt(target.slotDuration) && MSG.int('slotDuration')]]],
    ['reservationDuration', [['isInt', !absent(target.reservationDuration) && !isInt(target.reservationDuration) && MSG.int('reservationDuration')]]],
  ]);
}

export const BOOKING_LIST_STATUSES = ['upcoming', 'recurring', 'past', 'cancelled', 'unconfirmed'] as const;
export type BookingListStatus = (typeof BOOKING_LIST_STATUSES)[number];
type SortOrder = 'asc' | 'desc';

export interface BookingsQuery {
  status?: BookingListStatus[];
  attendeeEmail?: string;
  attendeeName?: string;
  bookingUid?: string;
  eventTypeIds?: number[];
  eventTypeId?: number;
  teamsIds?: number[];
  teamId?: number;
  afterStart?: string;
  beforeEnd?: string;
  afterCreatedAt?: string;
  beforeCreatedAt?: string;
  afterUpdatedAt?: string;
  beforeUpdatedAt?: string;
  sortStart?: SortOrder;
  sortEnd?: SortOrder;
  sortCreated?: SortOrder;
  sortUpdatedAt?: SortOrder;
  take?: number;
  skip?: number;
}

/** packages/platform/types/bookings/2024-08-13/inputs/get-bookings.input.ts @1b6cab4f through the global pipe. */
export function validateBookingsQuery(raw: Record<string, string>): Validated<BookingsQuery> {
  const q: Record<string, unknown> = {};
  const has = (k: string) => raw[k] !== undefined;
  const ids = (v: string) => v.split(',').map((s) => parseInt(s, 10));
  if (has('status')) q.status = raw.status!.split(',').map((s) => s.trim());
  if (has('attendeeEmail')) q.attendeeEmail = raw.attendeeEmail!.trim().replace(/\s+/g, '+');
  for (const k of ['attendeeName', 'bookingUid', 'afterStart', 'beforeEnd', 'afterCreatedAt', 'beforeCreatedAt', 'afterUpdatedAt', 'beforeUpdatedAt', 'sortStart', 'sortEnd', 'sortCreated', 'sortUpdatedAt']) {
    if (has(k)) q[k] = raw[k];
  }
  if (has('eventTypeIds')) q.eventTypeIds = ids(raw.eventTypeIds!);
  if (has('teamsIds')) q.teamsIds = ids(raw.teamsIds!);
  if (has('eventTypeId')) q.eventTypeId = Number(raw.eventTypeId);
  if (has('teamId')) q.teamId = Number(raw.teamId);
  if (has('take')) q.take = raw.take ? parseInt(raw.take, 10) : raw.take;
  if (has('skip')) q.skip = raw.skip ? parseInt(raw.skip, 10) : raw.skip;
  const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  const date = (k: string, message: string): [string, Array<[string, string | false]>] => [k, [['isIso8601', q[k] !== undefined && !isIsoDateStrict(String(q[k])) && message]]];
  const sort = (k: string, label: string): [string, Array<[string, string | false]>] => [k, [['isEnum', q[k] !== undefined && q[k] !== 'asc' && q[k] !== 'desc' && `${label} must be either "asc" or "desc".`]]];
  const status = q.status as string[] | undefined;
  return globalPipe<BookingsQuery>(q, [
    [
      'status',
      [
        ['isEnum', status !== undefined && status.some((s) => !(BOOKING_LIST_STATUSES as readonly string[]).includes(s)) && 'Invalid status. Allowed are upcoming, recurring, past, cancelled, unconfirmed'],
        ['arrayNotEmpty', status !== undefined && status.length === 0 && 'status cannot be empty.'],
      ],
    ],
    ['eventTypeIds', [['isNumber', Array.isArray(q.eventTypeIds) && (q.eventTypeIds as number[]).some((n) => !num(n)) && MSG.number('each value in eventTypeIds')]]],
    ['eventTypeId', [['isInt', q.eventTypeId !== undefined && !isInt(q.eventTypeId) && MSG.int('eventTypeId')]]],
    ['teamsIds', [['isNumber', Array.isArray(q.teamsIds) && (q.teamsIds as number[]).some((n) => !num(n)) && MSG.number('each value in teamsIds')]]],
    ['teamId', [['isInt', q.teamId !== undefined && !isInt(q.teamId) && MSG.int('teamId')]]],
    date('afterStart', 'fromDate must be a valid ISO 8601 date.'),
    date('beforeEnd', 'toDate must be a valid ISO 8601 date.'),
    date('afterCreatedAt', 'fromDate must be a valid ISO 8601 date.'),
    date('beforeCreatedAt', 'toDate must be a valid ISO 8601 date.'),
    date('afterUpdatedAt', 'fromDate must be a valid ISO 8601 date.'),
    date('beforeUpdatedAt', 'toDate must be a valid ISO 8601 date.'),
    sort('sortStart', 'SortStart'),
    sort('sortEnd', 'SortEnd'),
    sort('sortCreated', 'SortCreated'),
    // get-bookings.input.ts: sortUpdatedAt reuses sortCreated's message ('SortCreated must be either …').
    sort('sortUpdatedAt', 'SortCreated'),
    [
      'take',
      [
        ['max', q.take !== undefined && num(q.take) && (q.take as number) > 250 && MSG.max('take', 250)],
        ['min', q.take !== undefined && num(q.take) && (q.take as number) < 1 && MSG.min('take', 1)],
        ['isNumber', q.take !== undefined && q.take !== '' && !num(q.take) && MSG.number('take')],
      ],
    ],
    [
      'skip',
      [
        ['min', q.skip !== undefined && num(q.skip) && (q.skip as number) < 0 && MSG.min('skip', 0)],
        ['isNumber', q.skip !== undefined && q.skip !== '' && !num(q.skip) && MSG.number('skip')],
      ],
    ],
  ]);
}
