/**
 * The Cal.com v2 client: one got instance (keep-alive, timeouts, bearer auth), the right
 * `cal-api-version` per endpoint (docs/calcom-contract.md#api-versions), responses parsed with zod into typed values, and
 * every failure turned into one {@link UpstreamError}.
 *
 * Retries are off here on purpose: every upstream request must pass the quota scheduler, and a retry
 * spends quota like any other request, so retrying belongs there (issue 4), not inside got.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { got, RequestError, type Got, type Response } from 'got';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { parseInstant, toCalcomWindow, type InstantRange } from '../time.js';
import { CALCOM_API_VERSIONS } from './contract.js';
import { UpstreamError, parseRateLimit, type RateLimitInfo } from './errors.js';

export { UpstreamError, type RateLimitInfo } from './errors.js';

export { CALCOM_API_VERSIONS } from './contract.js';

export interface CalcomClientOptions {
  /** API base including `/v2`, e.g. `https://api.cal.com/v2`. */
  apiUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` on every request; never logged. */
  apiKey: string;
  /** Whole-request timeout in ms (connect timeout is the smaller of this and 2000 ms). @default 5000 */
  timeoutMs?: number;
}

/** One free slot from `GET /v2/slots`; instants in UTC. */
export interface UpstreamSlot {
  start: DateTime;
  end: DateTime;
  /** Seated event types only (docs/calcom-contract.md#slot-output). */
  seatsRemaining?: number;
  seatsTotal?: number;
}

/**
 * What the gateway reads of `EventTypeOutput_2024_06_14` / `TeamEventTypeOutput_2024_06_14`
 * (docs/calcom-contract.md#event-types).
 */
export interface UpstreamEventType {
  id: number;
  slug: string;
  title: string;
  description: string | null;
  lengthInMinutes: number;
  lengthInMinutesOptions: number[] | null;
  slotInterval: number | null;
  minimumBookingNotice: number | null;
  beforeEventBuffer: number | null;
  afterEventBuffer: number | null;
  /** From `seats.seatsPerTimeSlot`; null when `seats` is `{disabled: true}` (Cal.com has no top-level field). */
  seatsPerTimeSlot: number | null;
  /** REST casing: `roundRobin` | `collective` | `managed` | null. */
  schedulingType: string | null;
  /** Team event types: the team's id; null for a user's own event type. */
  teamId: number | null;
  /**
   * Cal.com user ids whose busy time this event type's slots depend on: the owner of a user event
   * type (`ownerId`), every host of a team event type (`hosts[].userId`). Empty when Cal.com lists none.
   */
  hostUserIds: number[];
}

const slotSchema = z.looseObject({
  start: z.string(),
  end: z.string().optional(),
  seatsRemaining: z.number().optional(),
  seatsTotal: z.number().optional(),
});
const slotsResponseSchema = z.object({ status: z.literal('success'), data: z.record(z.string(), z.array(slotSchema)) });
const eventTypeSchema = z.looseObject({
  id: z.number().int(),
  slug: z.string(),
  title: z.string(),
  description: z.string().nullish(),
  lengthInMinutes: z.number().int(),
  lengthInMinutesOptions: z.array(z.number().int()).nullish(),
  slotInterval: z.number().int().nullish(),
  minimumBookingNotice: z.number().int().nullish(),
  beforeEventBuffer: z.number().int().nullish(),
  afterEventBuffer: z.number().int().nullish(),
  seats: z.looseObject({ seatsPerTimeSlot: z.number().int().nullish() }).nullish(),
  schedulingType: z.string().nullish(),
  ownerId: z.number().int().nullish(),
  teamId: z.number().int().nullish(),
  hosts: z.array(z.looseObject({ userId: z.number().int() })).nullish(),
});
const eventTypeResponseSchema = z.object({ status: z.literal('success'), data: eventTypeSchema });
/** Cal.com's error envelope (docs/calcom-contract.md#errors), or Nest's bare `{statusCode, message}`. */
const envelopeErrorSchema = z.looseObject({ error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }) });
const nestErrorSchema = z.looseObject({ message: z.union([z.string(), z.array(z.string())]) });

export interface SlotsQuery {
  eventTypeId: number;
  /**
   * Half-open UTC range `[start, end)` of slot STARTS wanted. Sent so that Cal.com's end quirk
   * never applies; slots starting outside it are dropped.
   */
  range: InstantRange;
  /**
   * How far past `range.end` the window sent to Cal.com reaches, in ms. Cal.com offers a slot only
   * if it ENDS inside the window (docs/calcom-contract.md#slot-window), so a margin of at least the
   * slot length keeps the slots that start before `range.end` and end after it. @default 0
   */
  marginMs?: number;
  /**
   * The `timeZone` sent: Cal.com rounds the slot grid in it (docs/calcom-contract.md#slot-grid).
   * Only instants are read back, so any zone with whole-hour offsets gives the same slots as UTC.
   * @default "UTC"
   */
  timeZone?: string;
  /** Slot length in minutes; omitted = the event type's length. */
  duration?: number;
}

/** Per-call transport options. */
export interface RequestOptions {
  /** Aborts the HTTP request. */
  signal?: AbortSignal | undefined;
}

/**
 * The raw transport: one HTTP request per call, no quota. Everything in the gateway goes through
 * the quota scheduler instead (src/upstream/scheduled-calcom.ts); tests and the scheduler use this.
 */
export interface CalcomClient {
  /**
   * `GET /v2/slots` (cal-api-version 2024-09-04) with `format=range` and `timeZone` (default UTC),
   * over `range` plus `marginMs`. Slots starting outside `range` are dropped (Cal.com has returned
   * some: calcom/cal.com#24260).
   * @throws UpstreamError (404 = unknown event type, 429 = quota, 0/5xx = unavailable).
   */
  getSlots(query: SlotsQuery, options?: RequestOptions): Promise<{ slots: UpstreamSlot[]; rateLimit: RateLimitInfo }>;
  /** `GET /v2/event-types/{id}` (cal-api-version 2024-06-14, needs the API key). @throws UpstreamError */
  getEventType(id: number, options?: RequestOptions): Promise<{ eventType: UpstreamEventType; rateLimit: RateLimitInfo }>;
  /** Frees keep-alive sockets. */
  close(): void;
}

/** Owner of a user event type, or the hosts of a team event type (docs/calcom-contract.md#event-types). */
function hostsOf(et: { ownerId?: number | null | undefined; teamId?: number | null | undefined; hosts?: Array<{ userId: number }> | null | undefined }): number[] {
  const ids = new Set<number>();
  for (const host of et.hosts ?? []) ids.add(host.userId);
  // A team event type's ownerId is its creator (usually null), not a host whose time it takes.
  if (et.teamId == null && et.ownerId != null && et.ownerId > 0) ids.add(et.ownerId);
  return [...ids].sort((a, b) => a - b);
}

export function createCalcomClient(options: CalcomClientOptions): CalcomClient {
  const timeoutMs = options.timeoutMs ?? 5000;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const http: Got = got.extend({
    prefixUrl: options.apiUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}`, 'user-agent': 'slotgraph' },
    timeout: { connect: Math.min(2000, timeoutMs), request: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    agent: agents,
  });

  async function call<T>(
    endpoint: string,
    path: string,
    version: string,
    searchParams: Record<string, string | number> | undefined,
    schema: z.ZodType<T>,
    options: RequestOptions = {},
  ) {
    let response: Response<string>;
    try {
      response = await http.get(path, {
        headers: { 'cal-api-version': version },
        ...(searchParams ? { searchParams } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      const code = err instanceof RequestError ? err.code : (err as Error)?.name === 'AbortError' ? 'ABORTED' : 'ERR_UNKNOWN';
      throw new UpstreamError({ endpoint, status: 0, calcomCode: code, message: `${endpoint}: ${code}`, rateLimit: {}, cause: err });
    }
    const rateLimit = parseRateLimit(response.headers);
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      body = undefined;
    }
    if (response.statusCode < 200 || response.statusCode >= 300) {
      let calcomCode = `HTTP_${response.statusCode}`;
      let message = response.statusMessage ?? 'upstream error';
      const envelope = envelopeErrorSchema.safeParse(body);
      const nest = nestErrorSchema.safeParse(body);
      if (envelope.success) {
        calcomCode = envelope.data.error.code ?? calcomCode;
        message = envelope.data.error.message ?? message;
      } else if (nest.success) {
        message = [nest.data.message].flat().join(', ');
      }
      throw new UpstreamError({ endpoint, status: response.statusCode, calcomCode, message, rateLimit });
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      throw new UpstreamError({ endpoint, status: 502, calcomCode: 'INVALID_RESPONSE', message: `${endpoint}: unexpected response shape: ${z.prettifyError(parsed.error)}`, rateLimit });
    }
    return { data: parsed.data, rateLimit };
  }

  return {
    async getSlots({ eventTypeId, range, duration, marginMs = 0, timeZone = 'UTC' }, options) {
      const window = toCalcomWindow({ start: range.start, end: range.end.plus({ milliseconds: marginMs }) });
      const searchParams: Record<string, string | number> = { eventTypeId, start: window.start, end: window.end, timeZone, format: 'range' };
      if (duration !== undefined) searchParams.duration = duration;
      const { data, rateLimit } = await call('slots', 'slots', CALCOM_API_VERSIONS.slots, searchParams, slotsResponseSchema, options);
      const lengthMs = (duration ?? 0) * 60_000;
      const slots: UpstreamSlot[] = [];
      for (const raw of Object.values(data.data).flat()) {
        const start = parseInstant(raw.start);
        if (!start || start < range.start || start >= range.end) continue;
        const end = raw.end ? parseInstant(raw.end) : lengthMs > 0 ? start.plus({ milliseconds: lengthMs }) : null;
        if (!end) throw new UpstreamError({ endpoint: 'slots', status: 502, calcomCode: 'INVALID_RESPONSE', message: `slots: slot ${raw.start} has no usable end`, rateLimit });
        slots.push({
          start,
          end,
          ...(raw.seatsRemaining !== undefined ? { seatsRemaining: raw.seatsRemaining } : {}),
          ...(raw.seatsTotal !== undefined ? { seatsTotal: raw.seatsTotal } : {}),
        });
      }
      slots.sort((a, b) => a.start.toMillis() - b.start.toMillis());
      return { slots, rateLimit };
    },

    async getEventType(id, options) {
      const { data, rateLimit } = await call('eventTypes', `event-types/${id}`, CALCOM_API_VERSIONS.eventTypes, undefined, eventTypeResponseSchema, options);
      const et = data.data;
      const eventType: UpstreamEventType = {
        id: et.id,
        slug: et.slug,
        title: et.title,
        description: et.description ?? null,
        lengthInMinutes: et.lengthInMinutes,
        lengthInMinutesOptions: et.lengthInMinutesOptions ?? null,
        slotInterval: et.slotInterval ?? null,
        minimumBookingNotice: et.minimumBookingNotice ?? null,
        beforeEventBuffer: et.beforeEventBuffer ?? null,
        afterEventBuffer: et.afterEventBuffer ?? null,
        seatsPerTimeSlot: et.seats?.seatsPerTimeSlot ?? null,
        schedulingType: et.schedulingType ?? null,
        teamId: et.teamId ?? null,
        hostUserIds: hostsOf(et),
      };
      return { eventType, rateLimit };
    },

    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
