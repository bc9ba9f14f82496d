/**
 * The embedded Cal.com v2 simulator: a stateful HTTP server that speaks the parts of Cal.com v2 the
 * gateway uses, as shared/calcom/reference.md describes them, plus an admin API under `/_sim` for
 * tests, benchmarks and users' own tests. See README.md ("The Cal.com simulator") for the endpoints.
 *
 * Deliberate limits: slots are served by `eventTypeId` only (no slug/username modes), and event
 * types only under `cal-api-version: 2024-06-14`; both answer a clear 400 otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { closeServer, listen } from '../http-server.js';
import { isValidZone } from '../time.js';
import { demoBookings, demoEventTypes } from './demo.js';
import {
  bookingInputSchema,
  defaultSimConfig,
  eventTypeInputSchema,
  simConfigSchema,
  type SimBooking,
  type SimConfig,
  type SimEventType,
} from './model.js';
import { generateSlots } from './slots.js';
import { createThrottler, trackerOf } from './throttler.js';

/** `cal-api-version` values per controller (reference.md §0). */
const SLOTS_API_VERSION = '2024-09-04';
const EVENT_TYPES_API_VERSION = '2024-06-14';

export interface SimulatorOptions {
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** TCP port; 0 picks a free one. @default 0 */
  port?: number;
  /** Start without demo data. @default false */
  empty?: boolean;
}

/** Upstream request counters, as `GET /_sim/stats` returns them; only `/v2` calls count. */
export interface SimStats {
  total: number;
  rateLimited: number;
  /** Per `"METHOD /path-template"`, e.g. `"GET /v2/slots"`, `"GET /v2/event-types/{id}"`. */
  requests: Record<string, number>;
}

/** One logged `/v2` request (`GET /_sim/requests`); headers other than the API version are not kept. */
export interface SimRequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  apiVersion: string | null;
}

const REQUEST_LOG_SIZE = 1000;

export interface CalcomSimulator {
  /** Base URL, e.g. `http://127.0.0.1:5555`; the admin API is under `${url}/_sim`. */
  url: string;
  /** The Cal.com API base, `${url}/v2`, to use as CALCOM_API_URL. */
  apiUrl: string;
  /** The simulator's clock, ms since the epoch (frozen or real). */
  now(): number;
  stats(): SimStats;
  requests(): SimRequestLogEntry[];
  close(): Promise<void>;
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};
const THROTTLED = 'CustomThrottlerGuard - Too many requests. Please try again later.';

/** Starts a simulator and resolves once it listens. */
export async function startCalcomSimulator(options: SimulatorOptions = {}): Promise<CalcomSimulator> {
  let frozenAt: number | null = null;
  const now = () => frozenAt ?? Date.now();
  let config: SimConfig = defaultSimConfig();
  const throttler = createThrottler(() => config.rateLimit);
  const eventTypes = new Map<number, SimEventType>();
  let bookings: SimBooking[] = [];
  let nextBookingId = 1;
  let stats: SimStats = { total: 0, rateLimited: 0, requests: {} };
  /** The last {@link REQUEST_LOG_SIZE} `/v2` requests, oldest first, for tests that check what was sent. */
  let requestLog: SimRequestLogEntry[] = [];

  function addBooking(input: z.infer<typeof bookingInputSchema>): SimBooking {
    const eventType = eventTypes.get(input.eventTypeId);
    if (!eventType) throw new HttpFailure(404, 'NotFoundException', `Event type with id ${input.eventTypeId} not found`);
    const startMs = DateTime.fromISO(input.start, { setZone: true }).toMillis();
    const booking: SimBooking = {
      id: nextBookingId++,
      uid: randomBytes(16).toString('base64url').slice(0, 22),
      eventTypeId: eventType.id,
      startMs,
      endMs: startMs + (input.lengthInMinutes ?? eventType.lengthInMinutes) * 60_000,
      status: 'accepted',
    };
    bookings.push(booking);
    return booking;
  }

  function reset(empty: boolean) {
    eventTypes.clear();
    bookings = [];
    nextBookingId = 1;
    throttler.reset();
    if (empty) return;
    for (const et of demoEventTypes()) {
      const parsed = eventTypeInputSchema.parse(et);
      eventTypes.set(parsed.id, parsed);
    }
    for (const b of demoBookings(now())) addBooking({ ...b });
  }
  reset(options.empty ?? false);

  // ---------------------------------------------------------------- /v2: the Cal.com API
  function getSlots(url: URL, req: IncomingMessage) {
    if (req.headers['cal-api-version'] !== SLOTS_API_VERSION) {
      // Without the header Cal.com routes to the 2024-04-15 controller, which has no GET /v2/slots.
      throw new HttpFailure(404, 'NotFoundException', `Cannot GET ${url.pathname}${url.search}`);
    }
    const q = Object.fromEntries(url.searchParams);
    if (q.eventTypeId === undefined) {
      throw new HttpFailure(400, 'BadRequestException', 'eventTypeId must be provided: the simulator serves slots by eventTypeId only');
    }
    const allowed = new Set(['start', 'end', 'timeZone', 'eventTypeId', 'duration', 'format', 'bookingUidToReschedule']);
    const extra = Object.keys(q).filter((k) => !allowed.has(k));
    if (extra.length > 0) {
      throw new HttpFailure(400, 'BadRequestException', extra.map((k) => `${k} property is wrong,property ${k} should not exist `).join(', '));
    }
    const problems: string[] = [];
    const isIsoDate = (v: string | undefined) =>
      v !== undefined && /^\d{4}-\d{2}-\d{2}([T ].+)?$/.test(v) && DateTime.fromISO(v, { zone: 'utc' }).isValid;
    if (!isIsoDate(q.start)) problems.push('start must be a valid ISO 8601 date string');
    if (!isIsoDate(q.end)) problems.push('end must be a valid ISO 8601 date string');
    if (!/^\d+$/.test(q.eventTypeId)) problems.push('eventTypeId must be an integer number');
    if (q.duration !== undefined && !/^[1-9]\d*$/.test(q.duration)) problems.push('duration must be an integer number');
    if (q.timeZone !== undefined && !isValidZone(q.timeZone)) problems.push('timeZone must be a valid IANA time zone');
    const format = (q.format ?? 'time').toLowerCase();
    if (format !== 'time' && format !== 'range') problems.push("slotFormat must be either 'range' or 'time'");
    if (problems.length > 0) throw new HttpFailure(400, 'BadRequestException', problems.join(', '));

    const eventType = eventTypes.get(Number(q.eventTypeId));
    if (!eventType) throw new HttpFailure(404, 'NotFoundException', 'Event Type not found');

    // start/end are read as UTC; an end at exactly 00:00:00 becomes 23:59:59 that day (reference.md §1.1).
    const start = DateTime.fromISO(q.start!, { zone: 'utc' });
    let end = DateTime.fromISO(q.end!, { zone: 'utc' });
    if (end.hour === 0 && end.minute === 0 && end.second === 0 && end.millisecond === 0) {
      end = end.set({ hour: 23, minute: 59, second: 59 });
    }
    const duration = q.duration === undefined ? undefined : Number(q.duration);
    const slots = generateSlots({
      eventType,
      bookings,
      windowStartMs: start.toMillis(),
      windowEndMs: end.toMillis(),
      nowMs: now(),
      ...(duration !== undefined ? { duration } : {}),
    });
    const zone = q.timeZone;
    const render = (ms: number) =>
      zone ? DateTime.fromMillis(ms, { zone }).toISO()! : new Date(ms).toISOString();
    const data: Record<string, Array<Record<string, unknown>>> = {};
    for (const slot of slots) {
      const key = DateTime.fromMillis(slot.startMs, { zone: zone ?? 'utc' }).toISODate()!;
      const { startMs, endMs, ...seats } = slot;
      const out: Record<string, unknown> = { start: render(startMs) };
      if (format === 'range') out.end = render(endMs);
      (data[key] ??= []).push({ ...out, ...seats });
    }
    return { status: 200, body: { status: 'success', data } };
  }

  function getEventType(id: string, req: IncomingMessage) {
    const auth = String(req.headers.authorization ?? '');
    if (!/^Bearer cal_\S+$/.test(auth)) {
      throw new HttpFailure(
        401,
        'UnauthorizedException',
        "No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers",
      );
    }
    if (req.headers['cal-api-version'] !== EVENT_TYPES_API_VERSION) {
      throw new HttpFailure(
        400,
        'BadRequestException',
        `cal-api-version ${EVENT_TYPES_API_VERSION} is required: the simulator does not model the older event-types controller`,
      );
    }
    const eventType = /^\d+$/.test(id) ? eventTypes.get(Number(id)) : undefined;
    if (!eventType) throw new HttpFailure(404, 'NotFoundException', `Event type with id ${id} not found`);
    return { status: 200, body: { status: 'success', data: toEventTypeOutput(eventType) } };
  }

  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? 'GET';
    const eventTypeMatch = /^\/v2\/event-types\/([^/]+)$/.exec(url.pathname);
    const template = url.pathname === '/v2/slots' ? '/v2/slots' : eventTypeMatch ? '/v2/event-types/{id}' : url.pathname;
    const statKey = `${method} ${template}`;
    stats.total += 1;
    stats.requests[statKey] = (stats.requests[statKey] ?? 0) + 1;
    requestLog.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), apiVersion: String(req.headers['cal-api-version'] ?? '') || null });
    if (requestLog.length > REQUEST_LOG_SIZE) requestLog = requestLog.slice(-REQUEST_LOG_SIZE);

    const decision = throttler.hit(trackerOf(req.headers, req.socket.remoteAddress ?? ''));
    const { min, max } = config.latencyMs;
    if (max > 0) await delay(min + Math.random() * (max - min));
    const headers = { ...decision.headers, 'X-Request-Id': randomUUID() };
    const path = `${url.pathname}${url.search}`;
    if (!decision.allowed) {
      stats.rateLimited += 1;
      return sendJson(res, 429, envelope(path, 'ThrottlerException', THROTTLED, THROTTLED), headers);
    }
    try {
      if (config.errorRate > 0 && Math.random() < config.errorRate) {
        throw new HttpFailure(500, 'InternalServerErrorException', 'Internal server error');
      }
      let result: { status: number; body: unknown };
      if (method === 'GET' && template === '/v2/slots') result = getSlots(url, req);
      else if (method === 'GET' && eventTypeMatch) result = getEventType(eventTypeMatch[1]!, req);
      else throw new HttpFailure(404, 'NotFoundException', `Cannot ${method} ${path}`);
      sendJson(res, result.status, result.body, headers);
    } catch (err) {
      const failure = err instanceof HttpFailure ? err : new HttpFailure(500, 'InternalServerErrorException', 'Internal server error');
      const details = { message: failure.message, error: STATUS_TEXT[failure.status] ?? 'Error', statusCode: failure.status };
      sendJson(res, failure.status, envelope(path, failure.code, failure.message, details), headers);
    }
  }

  // ---------------------------------------------------------------- /_sim: the admin API
  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL) {
    const route = `${req.method} ${url.pathname}`;
    const body = ['POST', 'PUT'].includes(req.method ?? '') ? await readJson(req) : undefined;
    switch (route) {
      case 'POST /_sim/reset': {
        const { empty } = z.object({ empty: z.boolean().default(false) }).parse(body ?? {});
        reset(empty);
        return sendJson(res, 200, { ok: true, eventTypes: [...eventTypes.keys()], bookings: bookings.length });
      }
      case 'GET /_sim/clock':
        return sendJson(res, 200, { now: new Date(now()).toISOString(), frozen: frozenAt !== null });
      case 'PUT /_sim/clock': {
        const { now: at } = z.object({ now: z.iso.datetime({ offset: true }).nullable() }).parse(body);
        frozenAt = at === null ? null : DateTime.fromISO(at, { setZone: true }).toMillis();
        return sendJson(res, 200, { now: new Date(now()).toISOString(), frozen: frozenAt !== null });
      }
      case 'POST /_sim/event-types': {
        const eventType = eventTypeInputSchema.parse(body);
        const replaced = eventTypes.has(eventType.id);
        eventTypes.set(eventType.id, eventType);
        return sendJson(res, replaced ? 200 : 201, toEventTypeOutput(eventType));
      }
      case 'POST /_sim/bookings': {
        const booking = addBooking(bookingInputSchema.parse(body));
        return sendJson(res, 201, toBookingOutput(booking));
      }
      case 'GET /_sim/bookings':
        return sendJson(res, 200, bookings.map(toBookingOutput));
      case 'GET /_sim/stats':
        return sendJson(res, 200, stats);
      case 'DELETE /_sim/stats':
        stats = { total: 0, rateLimited: 0, requests: {} };
        requestLog = [];
        return sendJson(res, 200, stats);
      case 'GET /_sim/requests':
        return sendJson(res, 200, requestLog);
      case 'GET /_sim/config':
        return sendJson(res, 200, config);
      case 'PUT /_sim/config': {
        const patch = simConfigSchema.parse(body);
        config = {
          latencyMs: patch.latencyMs ?? config.latencyMs,
          errorRate: patch.errorRate ?? config.errorRate,
          rateLimit: patch.rateLimit ?? config.rateLimit,
        };
        return sendJson(res, 200, config);
      }
      default:
        return sendJson(res, 404, { error: `no admin route ${route}` });
    }
  }

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const handler = url.pathname.startsWith('/v2/')
      ? handleApi(req, res, url)
      : url.pathname.startsWith('/_sim/')
        ? handleAdmin(req, res, url)
        : Promise.resolve(sendJson(res, 404, { error: 'not found: the API is under /v2, the admin API under /_sim' }));
    handler.catch((err: unknown) => {
      if (res.headersSent) return;
      if (err instanceof z.ZodError) return sendJson(res, 400, { error: z.prettifyError(err) });
      if (err instanceof SyntaxError) return sendJson(res, 400, { error: `invalid JSON body: ${err.message}` });
      if (err instanceof HttpFailure) return sendJson(res, err.status, { error: err.message });
      sendJson(res, 500, { error: 'simulator failure' });
    });
  });
  // Keep-alive clients (got) must not hold close() open.
  server.keepAliveTimeout = 5_000;

  const { url } = await listen(server, options.port ?? 0, options.host ?? '127.0.0.1');
  return {
    url,
    apiUrl: `${url}/v2`,
    now,
    stats: () => structuredClone(stats),
    requests: () => structuredClone(requestLog),
    close: () => closeServer(server),
  };
}

/** Cal.com's error envelope (reference.md §3.6). */
function envelope(path: string, code: string, message: string, details: unknown) {
  return { status: 'error', timestamp: new Date().toISOString(), path, error: { code, message, details } };
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : undefined;
}

/** `EventTypeOutput_2024_06_14` (team event types: `TeamEventTypeOutput_2024_06_14`), reference.md §4.1. */
function toEventTypeOutput(et: SimEventType) {
  return {
    id: et.id,
    title: et.title,
    slug: et.slug,
    description: et.description,
    lengthInMinutes: et.lengthInMinutes,
    ...(et.lengthInMinutesOptions ? { lengthInMinutesOptions: et.lengthInMinutesOptions } : {}),
    slotInterval: et.slotInterval,
    minimumBookingNotice: et.minimumBookingNotice,
    beforeEventBuffer: et.beforeEventBuffer,
    afterEventBuffer: et.afterEventBuffer,
    seatsPerTimeSlot: et.seatsPerTimeSlot,
    locations: [],
    bookingFields: [],
    disableGuests: false,
    recurrence: null,
    metadata: {},
    price: 0,
    currency: 'usd',
    lockTimeZoneToggleOnBookingPage: false,
    forwardParamsSuccessRedirect: null,
    successRedirectUrl: null,
    isInstantEvent: false,
    scheduleId: et.id,
    hidden: false,
    bookingRequiresAuthentication: false,
    ownerId: et.ownerId,
    users: [],
    ...(et.teamId !== null ? { teamId: et.teamId, schedulingType: et.schedulingType, hosts: [] } : {}),
  };
}

function toBookingOutput(b: SimBooking) {
  return {
    id: b.id,
    uid: b.uid,
    eventTypeId: b.eventTypeId,
    start: new Date(b.startMs).toISOString(),
    end: new Date(b.endMs).toISOString(),
    duration: Math.round((b.endMs - b.startMs) / 60_000),
    status: b.status,
  };
}
