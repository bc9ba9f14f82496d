/**
 * The contract suite: checks what docs/calcom-contract.md says about Cal.com (and what the embedded
 * simulator does) against a target, Cal.com or the simulator, with a bounded number of calls
 * (docs/contract-suite.md).
 *
 * Each assertion puts what the contract predicts next to what the target returned. The prediction is
 * computed from the contract's rules applied to the target's own data (its event type, its slots),
 * so the suite runs against any account's event type; against the simulator every assertion must be
 * "same". A "differs" against Cal.com is a finding: fix the simulator (and the contract document).
 */
import { DateTime } from 'luxon';
import { CALCOM_API_VERSIONS, CALCOM_MESSAGES, RESERVATION_DEFAULT_DURATION_MINUTES } from '../../src/upstream/contract.js';
import { BudgetExhaustedError, createProbe, type Probe, type ProbeResponse } from './probe.js';

export type Verdict = 'same' | 'differs' | 'not checked';

export interface Assertion {
  id: string;
  title: string;
  /** Where the contract says so. */
  source: string;
  verdict: Verdict;
  /** What the contract (the simulator) says, for this target's data. */
  contract?: unknown;
  /** What the target returned. */
  target?: unknown;
  /** Why it was not checked. */
  reason?: string;
}

export interface CleanupRecord {
  what: 'reservation' | 'booking';
  uid: string;
  ok: boolean;
  detail?: string;
}

export interface ContractReport {
  target: 'sim' | 'calcom';
  apiUrl: string;
  eventTypeId: number;
  book: boolean;
  startedAt: string;
  finishedAt: string;
  calls: { planned: number; budget: number; spent: number };
  assertions: Assertion[];
  cleanup: CleanupRecord[];
  summary: { same: number; differs: number; notChecked: number };
}

export interface SuiteOptions {
  target: 'sim' | 'calcom';
  /** API base including /v2. */
  apiUrl: string;
  apiKey: string;
  /** An event type the key's user owns and may book on. */
  eventTypeId: number;
  /** Also reserve → release and book → cancel (a slot 30-37 days ahead). */
  book: boolean;
  /** Most calls the run may spend. */
  budget: number;
  /** Cal.com's per-window limit for the key. @default 120 */
  rateLimit?: number;
  /** The test booking's attendee. @default contract-suite@example.com */
  attendeeEmail?: string;
  /** Progress lines (one per call). */
  log?: (line: string) => void;
  /** Stops the run: no further checks, but a reservation or booking made is still released or cancelled. */
  signal?: AbortSignal;
  timeoutMs?: number;
}

/** Calls of the read-only part: event type, slots in two zones, two window-end probes, a zero-length window, three errors. */
export const READ_CALLS = 9;
/**
 * Calls of the booking part, worst case: slots far ahead, reserve, slots while reserved, release,
 * get the released reservation, slots after release, book, book the same slot again, cancel that
 * second booking should the target have made it, cancel, cancel again.
 */
export const BOOKING_CALLS = 11;
export const plannedCalls = (book: boolean) => READ_CALLS + (book ? BOOKING_CALLS : 0);

/** Zones of the slot checks: one behind UTC, one with a half-hour offset. */
export const ZONES = ['America/Los_Angeles', 'Asia/Kolkata'] as const;
/** An event type id no account has (below 2^31: Cal.com's ids are Postgres int4). */
export const UNKNOWN_EVENT_TYPE_ID = 1_999_999_999;
const BOOKING_METADATA = { slotgraphContractSuite: 'true' };
const CANCELLATION_REASON = 'slotgraph contract suite: cleanup';
const MINUTE = 60_000;
const DAY = 86_400_000;

const DOC = 'docs/calcom-contract.md';
const SRC = {
  window: `${DOC}#slot-window`,
  output: `${DOC}#slot-output`,
  eventTypes: `${DOC}#event-types`,
  rateLimits: `${DOC}#rate-limits`,
  errors: `${DOC}#errors`,
  reservations: `${DOC}#reservations`,
  busy: `${DOC}#busy-time`,
  bookings: `${DOC}#bookings`,
};

// ------------------------------------------------------------------------------------ helpers

const iso = (ms: number) => new Date(ms).toISOString();
const typeName = (v: unknown) => (v === undefined ? 'absent' : v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

/** JSON with sorted keys, so that equal values compare equal whatever their key order. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b))) : v,
  );
}

/** Cal.com's `error.message` of an answer, or its status. */
const errorText = (res: ProbeResponse) => (res.body?.error?.message as string | undefined) ?? `HTTP ${res.status}`;

/** Every slot of a `GET /v2/slots` answer with the date key it came under. */
function slotsOf(res: ProbeResponse): Array<{ key: string; slot: Record<string, unknown> }> {
  const data = res.body?.data;
  if (!data || typeof data !== 'object') return [];
  return Object.entries(data as Record<string, unknown>).flatMap(([key, list]) => (Array.isArray(list) ? list.map((slot) => ({ key, slot: slot as Record<string, unknown> })) : []));
}

/** The slot starts of an answer as UTC instants, sorted; or the failure. */
function startsOf(res: ProbeResponse): string[] | string {
  if (res.status !== 200) return `HTTP ${res.status}: ${errorText(res)}`;
  return slotsOf(res)
    .map(({ slot }) => (typeof slot.start === 'string' && !Number.isNaN(Date.parse(slot.start)) ? iso(Date.parse(slot.start)) : String(slot.start)))
    .sort();
}

/** Cal.com's error envelope with the parts that vary per request replaced by what they must be. */
function normalizeEnvelope(res: ProbeResponse) {
  const body = res.body;
  if (!body || typeof body !== 'object') return { status: res.status, body };
  const normalized: Record<string, unknown> = { ...body };
  if ('timestamp' in body) normalized.timestamp = typeof body.timestamp === 'string' && !Number.isNaN(Date.parse(body.timestamp)) ? '<ISO timestamp>' : body.timestamp;
  if ('path' in body) normalized.path = body.path === res.sentPath ? '<the request path and query>' : body.path;
  return { status: res.status, body: normalized };
}

/** The envelope the contract gives a `new XException(message)` (docs/calcom-contract.md#errors). */
function expectedEnvelope(status: number, code: string, error: string, message: string) {
  return {
    status,
    body: {
      status: 'error',
      timestamp: '<ISO timestamp>',
      path: '<the request path and query>',
      error: { code, message, details: { message, error, statusCode: status } },
    },
  };
}

/** A slot start t for the window probes: no window edge there may fall at 00:00:00Z (Cal.com widens such an end). */
function probeSlot(starts: number[], lengthMs: number): number | undefined {
  return starts.find((t) => t % DAY !== 0 && (t + lengthMs / 2) % DAY !== 0 && (t + lengthMs) % DAY !== 0);
}

/** Up to three examples: the first mismatches, or the first two when all match. */
function examples<T>(expected: T[], actual: T[]): number[] {
  const mismatches = expected.map((e, i) => (canonical(e) === canonical(actual[i]) ? -1 : i)).filter((i) => i >= 0);
  return (mismatches.length > 0 ? mismatches : expected.map((_, i) => i)).slice(0, mismatches.length > 0 ? 3 : 2);
}

class Assertions {
  readonly list: Assertion[] = [];

  compare(id: string, title: string, source: string, contract: unknown, target: unknown) {
    this.list.push({ id, title, source, verdict: canonical(contract) === canonical(target) ? 'same' : 'differs', contract, target });
  }

  notChecked(id: string, title: string, source: string, reason: string) {
    this.list.push({ id, title, source, verdict: 'not checked', reason });
  }

  has(id: string) {
    return this.list.some((a) => a.id === id);
  }
}

/** The assertions of one step; any the step did not reach are recorded as not checked, with the reason. */
async function step(
  assertions: Assertions,
  declared: Array<[id: string, title: string, source: string]>,
  run: (check: (id: string, contract: unknown, target: unknown) => void, skip: (reason: string) => void) => Promise<void>,
): Promise<void> {
  const find = (id: string) => declared.find(([d]) => d === id) ?? [id, id, DOC];
  const skipRest = (reason: string) => {
    for (const [id, title, source] of declared) if (!assertions.has(id)) assertions.notChecked(id, title, source, reason);
  };
  try {
    await run(
      (id, contract, target) => {
        const [, title, source] = find(id);
        assertions.compare(id, title, source, contract, target);
      },
      skipRest,
    );
    skipRest('not reached');
  } catch (err) {
    skipRest(err instanceof BudgetExhaustedError ? err.message : `failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

// -------------------------------------------------------------------------------------- suite

export async function runContractSuite(options: SuiteOptions): Promise<ContractReport> {
  const startedAt = new Date();
  const planned = plannedCalls(options.book);
  const probe: Probe = createProbe({
    apiUrl: options.apiUrl,
    apiKey: options.apiKey,
    budget: options.budget,
    ...(options.rateLimit !== undefined ? { rateLimit: options.rateLimit } : {}),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  const log = options.log ?? (() => {});
  /** One call; `cleanup` calls (release, cancel) still go out after `signal` stopped the run. */
  const call = async (request: Parameters<Probe['call']>[0], cleanupCall = false) => {
    if (options.signal?.aborted && !cleanupCall) throw new Error('interrupted');
    const res = await probe.call(request);
    log(`  [${probe.spent()}/${Math.min(planned, options.budget)}] ${request.method} ${request.path} (${request.label}) → ${res.status}`);
    return res;
  };
  const assertions = new Assertions();
  const cleanup: CleanupRecord[] = [];
  // The scheduler's timers do not hold the process open (a gateway has its server for that): while a
  // call waits for a token, this does, so that a run (and its cleanup) always finishes.
  const keepAlive = setInterval(() => {}, 1000);
  const id = options.eventTypeId;
  const now = Date.now();
  const tomorrow = Math.floor(now / DAY) * DAY + DAY;
  const week = { start: iso(tomorrow), end: iso(tomorrow + 7 * DAY - 1000) };
  const slotsQuery = (zone: string, start: string, end: string) => ({ eventTypeId: id, start, end, timeZone: zone, format: 'range' });

  // What the later steps learn from the earlier ones.
  let lengthMin: number | undefined;
  let isTeam = false;
  let seated = false;
  let weekStarts: number[] = [];

  try {
    // ------------------------------------------------------------------ the event type
    await step(
      assertions,
      [
        ['event-type.answer', 'GET /v2/event-types/{id}: 200, success envelope, the id asked for', SRC.eventTypes],
        ['event-type.seats-nested', 'seats are nested under `seats`: {seatsPerTimeSlot, showAttendeeInfo, showAvailabilityCount} or {disabled: true}', SRC.eventTypes],
        ['event-type.no-top-level-seats', 'no top-level seatsPerTimeSlot', SRC.eventTypes],
        ['event-type.fields', 'the fields slotgraph reads, with their types', SRC.eventTypes],
      ],
      async (check, skip) => {
        const res = await call({ label: 'event type', group: 'eventTypes', method: 'GET', path: `event-types/${id}`, version: CALCOM_API_VERSIONS.eventTypes });
        const et = res.body?.data;
        check('event-type.answer', { status: 200, bodyStatus: 'success', id }, { status: res.status, bodyStatus: res.body?.status, id: et?.id });
        if (res.status !== 200 || !et || typeof et !== 'object') return skip(`no event type: ${errorText(res)}`);
        lengthMin = typeof et.lengthInMinutes === 'number' ? et.lengthInMinutes : undefined;
        isTeam = typeof et.teamId === 'number';
        seated = et.seats?.disabled !== true && typeof et.seats?.seatsPerTimeSlot === 'number';
        const seatsShape = (s: unknown) =>
          s && typeof s === 'object' && !Array.isArray(s)
            ? Object.fromEntries(Object.entries(s as Record<string, unknown>).map(([k, v]) => [k, k === 'disabled' ? v : typeName(v)]))
            : typeName(s);
        check(
          'event-type.seats-nested',
          et.seats?.disabled === true ? { disabled: true } : { seatsPerTimeSlot: 'number', showAttendeeInfo: 'boolean', showAvailabilityCount: 'boolean' },
          seatsShape(et.seats),
        );
        check('event-type.no-top-level-seats', 'absent', 'seatsPerTimeSlot' in et ? `present: ${JSON.stringify(et.seatsPerTimeSlot)}` : 'absent');
        const fields: Record<string, string[]> = {
          id: ['number'],
          slug: ['string'],
          title: ['string'],
          lengthInMinutes: ['number'],
          lengthInMinutesOptions: ['absent', 'array'],
          slotInterval: ['number', 'null'],
          minimumBookingNotice: ['number'],
          beforeEventBuffer: ['number'],
          afterEventBuffer: ['number'],
          seats: ['object'],
          ...(isTeam ? { teamId: ['number'], hosts: ['array'], schedulingType: ['"roundRobin"', '"collective"', '"managed"', 'null'] } : { ownerId: ['number'] }),
        };
        const actual = (key: string) => (key === 'schedulingType' ? (et[key] === null ? 'null' : JSON.stringify(et[key])) : typeName(et[key]));
        check(
          'event-type.fields',
          Object.fromEntries(Object.entries(fields).map(([k, allowed]) => [k, allowed.join(' | ')])),
          Object.fromEntries(Object.entries(fields).map(([k, allowed]) => [k, allowed.includes(actual(k)) ? allowed.join(' | ') : actual(k)])),
        );
      },
    );

    // ------------------------------------------------------------------ slots per time zone
    for (const zone of ZONES) {
      const declared: Array<[string, string, string]> = [
        [`slots.${zone}.answer`, `GET /v2/slots (timeZone ${zone}, format=range): 200, success envelope, data an object`, SRC.output],
        [`slots.${zone}.date-keys`, `date keys are the slots' local dates in ${zone} (slots per key; days without slots left out)`, SRC.output],
        [`slots.${zone}.start`, `start is the instant in ${zone}, luxon toISO() with ms and the zone's offset`, SRC.output],
        [`slots.${zone}.end`, `end = start + the event type's length, in ${zone} too`, SRC.output],
        [`slots.${zone}.slot-keys`, `slot objects carry start and end${seated ? ' and seat counts' : ''}, nothing else`, SRC.output],
      ];
      await step(assertions, declared, async (check, skip) => {
        const res = await call({ label: `slots ${zone}`, group: 'slots', method: 'GET', path: 'slots', query: slotsQuery(zone, week.start, week.end), version: CALCOM_API_VERSIONS.slots });
        check(`slots.${zone}.answer`, { status: 200, bodyStatus: 'success', data: 'object' }, { status: res.status, bodyStatus: res.body?.status, data: typeName(res.body?.data) });
        const slots = slotsOf(res);
        if (res.status !== 200) return skip(`no slots: ${errorText(res)}`);
        if (slots.length === 0) return skip(`no free slots in ${week.start} .. ${week.end}: pick an event type with free slots in the next 7 days`);
        if (zone === ZONES[0]) weekStarts = slots.map(({ slot }) => Date.parse(String(slot.start))).filter((t) => !Number.isNaN(t)).sort((a, b) => a - b);
        const local = (start: unknown) => DateTime.fromISO(String(start), { setZone: true }).setZone(zone);
        const countBy = (keys: string[]) => keys.reduce<Record<string, number>>((acc, k) => ({ ...acc, [k]: (acc[k] ?? 0) + 1 }), {});
        check(
          `slots.${zone}.date-keys`,
          countBy(slots.map(({ slot }) => (local(slot.start).isValid ? local(slot.start).toISODate()! : 'unparseable start'))),
          Object.fromEntries(Object.entries(res.body.data as Record<string, unknown[]>).map(([k, list]) => [k, Array.isArray(list) ? list.length : typeName(list)])),
        );
        const expectedStarts = slots.map(({ slot }) => (local(slot.start).isValid ? local(slot.start).toISO() : 'an ISO instant'));
        const actualStarts = slots.map(({ slot }) => slot.start);
        const shown = examples(expectedStarts, actualStarts);
        check(`slots.${zone}.start`, { slots: slots.length, examples: shown.map((i) => expectedStarts[i]) }, { slots: slots.length, examples: shown.map((i) => actualStarts[i]) });
        if (lengthMin === undefined) {
          assertions.notChecked(`slots.${zone}.end`, declared[3]![1], SRC.output, 'the event type (its length) is unknown');
        } else {
          const expectedEnds = slots.map(({ slot }) => (local(slot.start).isValid ? local(slot.start).plus({ minutes: lengthMin }).toISO() : 'start + length'));
          const actualEnds = slots.map(({ slot }) => slot.end);
          const shownEnds = examples(expectedEnds, actualEnds);
          check(`slots.${zone}.end`, { slots: slots.length, examples: shownEnds.map((i) => expectedEnds[i]) }, { slots: slots.length, examples: shownEnds.map((i) => actualEnds[i] ?? 'absent') });
        }
        const allowed = new Set(['start', 'end', ...(seated ? ['seatsBooked', 'seatsRemaining', 'seatsTotal', 'bookingUid'] : [])]);
        const keys = [...new Set(slots.flatMap(({ slot }) => Object.keys(slot)))].sort();
        check(`slots.${zone}.slot-keys`, [...new Set(['start', 'end', ...keys.filter((k) => allowed.has(k))])].sort(), keys);
      });
    }

    // ------------------------------------------------------------------ the window's end, a zero-length window
    await step(
      assertions,
      [
        ['window.end-mid-slot', 'a slot must END inside the window: a window ending mid-slot does not offer it', SRC.window],
        ['window.end-at-slot-end', 'a window ending exactly at the slot’s end offers it', SRC.window],
        ['window.zero-length', 'a zero-length window (start = end, not at midnight UTC) answers {}', SRC.window],
      ],
      async (check, skip) => {
        if (lengthMin === undefined) return skip('the event type (its length) is unknown');
        const lengthMs = lengthMin * MINUTE;
        const t = probeSlot(weekStarts, lengthMs);
        if (t === undefined) return skip('no free slot in the next 7 days to probe with');
        const zone = ZONES[0];
        const window = async (label: string, start: number, end: number) =>
          call({ label, group: 'slots', method: 'GET', path: 'slots', query: slotsQuery(zone, iso(start), iso(end)), version: CALCOM_API_VERSIONS.slots });
        check('window.end-mid-slot', [], startsOf(await window('window ending mid-slot', t, t + lengthMs / 2)));
        check('window.end-at-slot-end', [iso(t)], startsOf(await window('window ending at the slot end', t, t + lengthMs)));
        const zero = await window('zero-length window', t, t);
        check('window.zero-length', { status: 200, data: {} }, { status: zero.status, data: zero.body?.data });
      },
    );

    // ------------------------------------------------------------------ error envelopes
    await step(
      assertions,
      [
        ['error.bad-parameter', 'a bad query parameter: 400 "<prop> property is wrong,…" in Cal.com’s envelope', SRC.output],
        ['error.unknown-event-type.slots', 'GET /v2/slots for an unknown event type: 404 "Event Type not found"', SRC.output],
        ['error.unknown-event-type.event-types', 'GET /v2/event-types/{id} for an unknown id: 404 "Event type with id <id> not found"', SRC.eventTypes],
      ],
      async (check) => {
        const bad = await call({
          label: 'bad start',
          group: 'slots',
          method: 'GET',
          path: 'slots',
          query: slotsQuery(ZONES[0], 'not-a-date', week.end),
          version: CALCOM_API_VERSIONS.slots,
        });
        const message = 'start property is wrong,start must be a valid ISO 8601 date string ';
        check('error.bad-parameter', expectedEnvelope(400, 'BadRequestException', 'Bad Request', message), normalizeEnvelope(bad));
        const unknownSlots = await call({
          label: 'slots of an unknown event type',
          group: 'slots',
          method: 'GET',
          path: 'slots',
          query: { ...slotsQuery(ZONES[0], week.start, week.end), eventTypeId: UNKNOWN_EVENT_TYPE_ID },
          version: CALCOM_API_VERSIONS.slots,
        });
        check('error.unknown-event-type.slots', expectedEnvelope(404, 'NotFoundException', 'Not Found', 'Event Type not found'), normalizeEnvelope(unknownSlots));
        const unknownType = await call({
          label: 'unknown event type',
          group: 'eventTypes',
          method: 'GET',
          path: `event-types/${UNKNOWN_EVENT_TYPE_ID}`,
          version: CALCOM_API_VERSIONS.eventTypes,
        });
        check(
          'error.unknown-event-type.event-types',
          expectedEnvelope(404, 'NotFoundException', 'Not Found', `Event type with id ${UNKNOWN_EVENT_TYPE_ID} not found`),
          normalizeEnvelope(unknownType),
        );
      },
    );

    // ------------------------------------------------------------------ reserve → release, book → cancel
    if (options.book) await bookingSteps();
  } finally {
    clearInterval(keepAlive);
    await probe.close();
  }

  // ------------------------------------------------------------------ rate-limit headers of every answer
  rateLimitAssertions(assertions, probe.responses());

  const count = (v: Verdict) => assertions.list.filter((a) => a.verdict === v).length;
  return {
    target: options.target,
    apiUrl: options.apiUrl,
    eventTypeId: id,
    book: options.book,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    calls: { planned, budget: options.budget, spent: probe.spent() },
    assertions: assertions.list,
    cleanup,
    summary: { same: count('same'), differs: count('differs'), notChecked: count('not checked') },
  };

  async function bookingSteps() {
    const reservationIds: Array<[string, string, string]> = [
      ['reservation.create', 'POST /v2/slots/reservations: 201 with the reservation, held 5 minutes', SRC.reservations],
      ['reservation.hides-slot', 'a reserved slot is hidden from everyone, the reserver included', SRC.busy],
      ['reservation.release', 'DELETE /v2/slots/reservations/{uid}: 200 {status: success}', SRC.reservations],
      ['reservation.gone', 'GET /v2/slots/reservations/{uid} of a released reservation: 200 with data null', SRC.reservations],
      ['reservation.frees-slot', 'after the release the slot is offered again', SRC.reservations],
    ];
    const bookingIds: Array<[string, string, string]> = [
      ['booking.create', 'POST /v2/bookings: 201, accepted, the slot’s start and end, metadata kept as sent', SRC.bookings],
      ['booking.slot-taken', 'booking the same slot again: 400 with the "already has booking" text', SRC.bookings],
      ['booking.cancel', 'POST /v2/bookings/{uid}/cancel: 200, cancelled, with the reason', SRC.bookings],
      ['booking.cancel-twice', 'cancelling it again: 400 "…has been cancelled already…"', SRC.bookings],
    ];
    if (probe.left() < BOOKING_CALLS) {
      for (const [aid, title, source] of [...reservationIds, ...bookingIds]) {
        assertions.notChecked(aid, title, source, `the booking checks need up to ${BOOKING_CALLS} calls and the budget has ${probe.left()} left`);
      }
      return;
    }
    let t: number | undefined;
    let lengthMs = 0;
    let reason = '';
    try {
      if (lengthMin === undefined) reason = 'the event type (its length) is unknown';
      else {
        lengthMs = lengthMin * MINUTE;
        const from = Math.floor(now / DAY) * DAY + 30 * DAY;
        const res = await call({
          label: 'slots 30-37 days ahead',
          group: 'slots',
          method: 'GET',
          path: 'slots',
          query: slotsQuery(ZONES[0], iso(from), iso(from + 7 * DAY - 1000)),
          version: CALCOM_API_VERSIONS.slots,
        });
        const starts = slotsOf(res)
          .map(({ slot }) => Date.parse(String(slot.start)))
          .filter((s) => !Number.isNaN(s))
          .sort((a, b) => a - b);
        t = probeSlot(starts, lengthMs);
        if (t === undefined) reason = `no free slot 30-37 days ahead (${res.status === 200 ? 'none offered' : errorText(res)})`;
      }
    } catch (err) {
      reason = `failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (t === undefined) {
      for (const [aid, title, source] of [...reservationIds, ...bookingIds]) assertions.notChecked(aid, title, source, reason);
      return;
    }
    const slot = t;
    const exactWindow = (label: string) =>
      call({ label, group: 'slots', method: 'GET', path: 'slots', query: slotsQuery(ZONES[0], iso(slot), iso(slot + lengthMs)), version: CALCOM_API_VERSIONS.slots });

    // Reserve → release. The release is tried once, in the flow or (after a failure) in `finally`.
    await step(assertions, reservationIds, async (check, skip) => {
      let reservationUid: string | undefined;
      let releaseTried = false;
      const release = async (label: string) => {
        releaseTried = true;
        const res = await call(
          { label, group: 'reservations', method: 'DELETE', path: `slots/reservations/${encodeURIComponent(reservationUid!)}`, version: CALCOM_API_VERSIONS.slots },
          true,
        );
        cleanup.push({ what: 'reservation', uid: reservationUid!, ok: res.status === 200, ...(res.status === 200 ? {} : { detail: errorText(res) }) });
        return res;
      };
      try {
        const res = await call({
          label: 'reserve',
          group: 'reservations',
          method: 'POST',
          path: 'slots/reservations',
          body: { eventTypeId: id, slotStart: iso(slot) },
          version: CALCOM_API_VERSIONS.slots,
        });
        const data = res.body?.data;
        if (res.status === 201 && typeof data?.reservationUid === 'string') reservationUid = data.reservationUid;
        const answeredAt = res.headers.date ? Date.parse(res.headers.date) : Date.now();
        check(
          'reservation.create',
          {
            status: 201,
            keys: ['eventTypeId', 'reservationDuration', 'reservationUid', 'reservationUntil', 'slotDuration', 'slotEnd', 'slotStart'],
            eventTypeId: id,
            slotStart: iso(slot),
            slotEnd: iso(slot + lengthMs),
            slotDuration: lengthMin,
            reservationDuration: RESERVATION_DEFAULT_DURATION_MINUTES,
            heldMinutes: RESERVATION_DEFAULT_DURATION_MINUTES,
          },
          res.status !== 201 || !data
            ? { status: res.status, error: errorText(res) }
            : {
                status: res.status,
                keys: Object.keys(data).sort(),
                eventTypeId: data.eventTypeId,
                slotStart: data.slotStart,
                slotEnd: data.slotEnd,
                slotDuration: data.slotDuration,
                reservationDuration: data.reservationDuration,
                heldMinutes: Math.round((Date.parse(data.reservationUntil) - answeredAt) / MINUTE),
              },
        );
        if (!reservationUid) return skip(`no reservation was made: ${errorText(res)}`);
        check('reservation.hides-slot', [], startsOf(await exactWindow('slots while reserved')));
        const released = await release('release');
        check('reservation.release', { status: 200, body: { status: 'success' } }, { status: released.status, body: released.body });
        const gone = await call({ label: 'released reservation', group: 'reservations', method: 'GET', path: `slots/reservations/${encodeURIComponent(reservationUid)}`, version: CALCOM_API_VERSIONS.slots });
        check('reservation.gone', { status: 200, body: { status: 'success', data: null } }, { status: gone.status, body: gone.body });
        check('reservation.frees-slot', [iso(slot)], startsOf(await exactWindow('slots after the release')));
      } finally {
        if (reservationUid && !releaseTried) await release('cleanup: release').catch((err: unknown) => cleanup.push({ what: 'reservation', uid: reservationUid!, ok: false, detail: String(err) }));
      }
    });

    // Book → cancel. Each booking made is cancelled once, in the flow or (after a failure) in `finally`.
    await step(assertions, bookingIds, async (check, skip) => {
      const made: Array<{ uid: string; cancelTried: boolean }> = [];
      const cancel = async (booking: { uid: string; cancelTried: boolean }, label: string) => {
        booking.cancelTried = true;
        const res = await call(
          {
            label,
            group: 'bookings',
            method: 'POST',
            path: `bookings/${encodeURIComponent(booking.uid)}/cancel`,
            body: { cancellationReason: CANCELLATION_REASON },
            version: CALCOM_API_VERSIONS.bookings,
          },
          true,
        );
        cleanup.push({ what: 'booking', uid: booking.uid, ok: res.status === 200, ...(res.status === 200 ? {} : { detail: errorText(res) }) });
        return res;
      };
      const body = {
        start: iso(slot),
        eventTypeId: id,
        attendee: { name: 'slotgraph contract suite', email: options.attendeeEmail ?? 'contract-suite@example.com', timeZone: 'UTC', language: 'en' },
        metadata: BOOKING_METADATA,
      };
      const book = (label: string) => call({ label, group: 'bookings', method: 'POST', path: 'bookings', body, version: CALCOM_API_VERSIONS.bookings });
      try {
        const res = await book('book');
        const data = res.body?.data;
        if (res.status === 201 && typeof data?.uid === 'string') made.push({ uid: data.uid, cancelTried: false });
        check(
          'booking.create',
          { status: 201, bodyStatus: 'success', bookingStatus: 'accepted', uid: 'string', start: iso(slot), end: iso(slot + lengthMs), duration: lengthMin, eventTypeId: id, metadata: BOOKING_METADATA },
          res.status !== 201 || !data
            ? { status: res.status, error: errorText(res) }
            : {
                status: res.status,
                bodyStatus: res.body.status,
                bookingStatus: data.status,
                uid: typeName(data.uid),
                start: data.start,
                end: data.end,
                duration: data.duration,
                eventTypeId: data.eventTypeId,
                metadata: data.metadata,
              },
        );
        const first = made[0];
        if (!first) return skip(`no booking was made: ${errorText(res)}`);
        const again = await book('book the same slot again');
        if (again.status === 201 && typeof again.body?.data?.uid === 'string') made.push({ uid: again.body.data.uid, cancelTried: false });
        check(
          'booking.slot-taken',
          { status: 400, code: 'BadRequestException', message: isTeam ? CALCOM_MESSAGES.slotTakenTeam : CALCOM_MESSAGES.slotTakenIndividual },
          { status: again.status, code: again.body?.error?.code, message: again.body?.error?.message ?? (again.status === 201 ? `booked twice: ${again.body?.data?.uid}` : undefined) },
        );
        const cancelled = await cancel(first, 'cancel');
        check(
          'booking.cancel',
          { status: 200, bookingStatus: 'cancelled', cancellationReason: CANCELLATION_REASON },
          { status: cancelled.status, bookingStatus: cancelled.body?.data?.status, cancellationReason: cancelled.body?.data?.cancellationReason },
        );
        const twice = await call({
          label: 'cancel again',
          group: 'bookings',
          method: 'POST',
          path: `bookings/${encodeURIComponent(first.uid)}/cancel`,
          body: { cancellationReason: CANCELLATION_REASON },
          version: CALCOM_API_VERSIONS.bookings,
        });
        check(
          'booking.cancel-twice',
          { status: 400, message: `Can't cancel booking with uid=${first.uid} because it has been cancelled already. Please provide uid of a booking that is not cancelled.` },
          { status: twice.status, message: twice.body?.error?.message },
        );
      } finally {
        for (const booking of made) {
          if (!booking.cancelTried) await cancel(booking, 'cleanup: cancel').catch((err: unknown) => cleanup.push({ what: 'booking', uid: booking.uid, ok: false, detail: String(err) }));
        }
      }
    });
  }
}

/** `X-RateLimit-{Limit,Remaining,Reset}-Default` on every answer, in their units (docs/calcom-contract.md#rate-limits). */
function rateLimitAssertions(assertions: Assertions, responses: ProbeResponse[]) {
  const NAMES = ['x-ratelimit-limit-default', 'x-ratelimit-remaining-default', 'x-ratelimit-reset-default'];
  const titles = {
    headers: 'every answer (400 and 404 included) carries X-RateLimit-Limit-, -Remaining- and -Reset-Default',
    limit: 'Limit is 120 per API key (the default limit)',
    reset: 'Reset is whole seconds until the window ends, at most 60 (not an epoch)',
    remaining: 'Remaining counts down by one per request within a window (no other client on the key)',
  };
  if (responses.length === 0) {
    for (const [key, title] of Object.entries(titles)) assertions.notChecked(`rate-limit.${key}`, title, SRC.rateLimits, 'no answers');
    return;
  }
  const missing = responses.flatMap((r) => NAMES.filter((n) => r.headers[n] === undefined).map((n) => `${r.label}: ${n}`));
  assertions.compare('rate-limit.headers', titles.headers, SRC.rateLimits, { answers: responses.length, missing: [] }, { answers: responses.length, missing });
  const withHeaders = responses.filter((r) => NAMES.every((n) => r.headers[n] !== undefined));
  if (withHeaders.length === 0) {
    for (const key of ['limit', 'reset', 'remaining'] as const) assertions.notChecked(`rate-limit.${key}`, titles[key], SRC.rateLimits, 'no answer carried the headers');
    return;
  }
  const values = (name: string) => withHeaders.map((r) => Number(r.headers[name]));
  assertions.compare('rate-limit.limit', titles.limit, SRC.rateLimits, [120], [...new Set(values(NAMES[0]!))].sort((a, b) => a - b));
  const resets = values(NAMES[2]!);
  const outside = [...new Set(resets.filter((s) => !Number.isInteger(s) || s < 0 || s > 60))];
  const resetRule = 'whole seconds, 0..60';
  assertions.compare('rate-limit.reset', titles.reset, SRC.rateLimits, resetRule, outside.length === 0 ? resetRule : { outside: outside.slice(0, 5) });
  const deltas: number[] = [];
  for (let i = 1; i < withHeaders.length; i++) {
    const [prev, next] = [withHeaders[i - 1]!, withHeaders[i]!];
    // A new window (Reset went up) starts the count again.
    if (Number(next.headers[NAMES[2]!]) > Number(prev.headers[NAMES[2]!])) continue;
    deltas.push(Number(next.headers[NAMES[1]!]) - Number(prev.headers[NAMES[1]!]));
  }
  const odd = deltas.filter((d) => d !== -1);
  assertions.compare(
    'rate-limit.remaining',
    titles.remaining,
    SRC.rateLimits,
    { pairs: deltas.length, stepEach: -1 },
    odd.length === 0 ? { pairs: deltas.length, stepEach: -1 } : { pairs: deltas.length, steps: deltas },
  );
}
