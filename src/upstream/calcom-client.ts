/**
 * The Cal.com v2 client: one got instance (keep-alive, timeouts, bearer auth), the right
 * `cal-api-version` per endpoint (reference.md §0), responses parsed with zod into typed values, and
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
import { UpstreamError, parseRateLimit, type RateLimitInfo } from './errors.js';

export { UpstreamError, type RateLimitInfo } from './errors.js';

/** `cal-api-version` per controller (reference.md §0). */
export const CALCOM_API_VERSIONS = {
  slots: '2024-09-04',
  bookings: '2024-08-13',
  eventTypes: '2024-06-14',
} as const;

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
  /** Seated event types only (reference.md §1.2). */
  seatsRemaining?: number;
  seatsTotal?: number;
}

/** What the gateway reads of `EventTypeOutput_2024_06_14` (reference.md §4.1). */
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
  seatsPerTimeSlot: number | null;
  /** REST casing: `roundRobin` | `collective` | `managed` | null. */
  schedulingType: string | null;
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
  seatsPerTimeSlot: z.number().int().nullish(),
  schedulingType: z.string().nullish(),
});
const eventTypeResponseSchema = z.object({ status: z.literal('success'), data: eventTypeSchema });
/** Cal.com's error envelope (reference.md §3.6), or Nest's bare `{statusCode, message}`. */
const envelopeErrorSchema = z.looseObject({ error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }) });
const nestErrorSchema = z.looseObject({ message: z.union([z.string(), z.array(z.string())]) });

export interface SlotsQuery {
  eventTypeId: number;
  /** Half-open UTC range `[start, end)`; sent so that Cal.com's end quirk never applies. */
  range: InstantRange;
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
   * `GET /v2/slots` (cal-api-version 2024-09-04) with `format=range` and `timeZone=UTC`.
   * Slots outside `range` are dropped (Cal.com has returned some, reference.md §8.3).
   * @throws UpstreamError (404 = unknown event type, 429 = quota, 0/5xx = unavailable).
   */
  getSlots(query: SlotsQuery, options?: RequestOptions): Promise<{ slots: UpstreamSlot[]; rateLimit: RateLimitInfo }>;
  /** `GET /v2/event-types/{id}` (cal-api-version 2024-06-14, needs the API key). @throws UpstreamError */
  getEventType(id: number, options?: RequestOptions): Promise<{ eventType: UpstreamEventType; rateLimit: RateLimitInfo }>;
  /** Frees keep-alive sockets. */
  close(): void;
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
    async getSlots({ eventTypeId, range, duration }, options) {
      const window = toCalcomWindow(range);
      const searchParams: Record<string, string | number> = { eventTypeId, start: window.start, end: window.end, timeZone: 'UTC', format: 'range' };
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
        seatsPerTimeSlot: et.seatsPerTimeSlot ?? null,
        schedulingType: et.schedulingType ?? null,
      };
      return { eventType, rateLimit };
    },

    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}
