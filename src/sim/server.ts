/**
 * The embedded Cal.com v2 simulator: a stateful HTTP server that speaks the parts of Cal.com v2 the
 * gateway uses, as Cal.com's own source does (docs/calcom-contract.md), plus an admin API under
 * `/_sim` for tests, benchmarks and users' own tests. See README.md ("The Cal.com simulator").
 *
 * Deliberate limits: slots are served by `eventTypeId` only (no slug/username modes), and event
 * types only under `cal-api-version: 2024-06-14`; both answer a clear 400 otherwise. No OAuth
 * clients or access tokens exist, so only API keys authenticate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { closeServer, listen } from '../http-server.js';
import { demoBookings, demoEventTypes } from './demo.js';
import { toEventTypeOutput } from './event-type-output.js';
import {
  bookingInputSchema,
  defaultSimConfig,
  eventTypeInputSchema,
  hostUserIdsOf,
  simConfigSchema,
  type SimBooking,
  type SimConfig,
  type SimEventType,
  type SimReservation,
} from './model.js';
import { BookingDateInPastError, computeSlots } from './slots.js';
import { createThrottler, trackerOf } from './throttler.js';
import { adjustEnd, adjustStart, validateSlotsQuery } from './v2-input.js';

/** `cal-api-version` values per controller. */
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
    /** Nest's `getResponse()` body; false for errors without `details` (TRPCError). */
    readonly withDetails = true,
  ) {
    super(message);
  }
}

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};
const THROTTLED = 'CustomThrottlerGuard - Too many requests. Please try again later.';
/** apps/api/v2/src/lib/throttler-guard.ts, for a `cal_` key with no ApiKey row. */
const INVALID_API_KEY = 'CustomThrottlerGuard - Invalid API Key';
/** apps/api/v2/src/modules/auth/guards/permissions/permissions.guard.ts. */
const NO_AUTH_PERMISSIONS =
  "PermissionsGuard - no authentication provided. Provide either authorization bearer token containing managed user access token or oAuth client id in 'x-cal-client-id' header.";

/** Starts a simulator and resolves once it listens. */
export async function startCalcomSimulator(options: SimulatorOptions = {}): Promise<CalcomSimulator> {
  let frozenAt: number | null = null;
  const now = () => frozenAt ?? Date.now();
  let config: SimConfig = defaultSimConfig();
  // The throttler runs on the real clock, so a frozen simulator clock never freezes a rate-limit window.
  const throttler = createThrottler(() => config.rateLimit);
  const eventTypes = new Map<number, SimEventType>();
  let bookings: SimBooking[] = [];
  /** Slot reservations; no admin endpoint yet, the slot engine honours them already. */
  const reservations: SimReservation[] = [];
  let nextBookingId = 1;
  let stats: SimStats = { total: 0, rateLimited: 0, requests: {} };
  /** The last {@link REQUEST_LOG_SIZE} `/v2` requests, oldest first, for tests that check what was sent. */
  let requestLog: SimRequestLogEntry[] = [];

  /**
   * The hosts a new booking occupies, with its organizer first: the owner of an individual event
   * type; every host of a collective one; for round robin (and managed) the mandatory hosts plus
   * the first other host, in listed order, with no accepted booking overlapping it (the first one
   * when none is free). `hostUserIds` in the body overrides this.
   */
  function assignHosts(et: SimEventType, startMs: number, endMs: number, given: number[] | undefined): number[] {
    if (given) {
      const allowed = new Set(hostUserIdsOf(et));
      const stranger = given.find((id) => !allowed.has(id));
      if (stranger !== undefined) throw new HttpFailure(400, 'BadRequestException', `user ${stranger} is not a host of event type ${et.id}`);
      return [...new Set(given)];
    }
    if (et.teamId === null) return [et.ownerId];
    if (et.schedulingType !== 'roundRobin' && et.schedulingType !== 'managed') return et.hosts.map((h) => h.userId);
    const fixed = et.hosts.filter((h) => h.mandatory).map((h) => h.userId);
    const others = et.hosts.filter((h) => !h.mandatory).map((h) => h.userId);
    const busy = (userId: number) =>
      bookings.some((b) => b.status === 'accepted' && (b.userId === userId || b.hostUserIds.includes(userId)) && b.startMs < endMs && b.endMs > startMs);
    const chosen = others.find((id) => !busy(id)) ?? others[0];
    return chosen === undefined ? fixed : [chosen, ...fixed];
  }

  function addBooking(input: z.infer<typeof bookingInputSchema>): SimBooking {
    const eventType = eventTypes.get(input.eventTypeId);
    if (!eventType) throw new HttpFailure(404, 'NotFoundException', `Event type with id ${input.eventTypeId} not found`);
    const startMs = DateTime.fromISO(input.start, { setZone: true }).toMillis();
    const endMs = startMs + (input.lengthInMinutes ?? eventType.lengthInMinutes) * 60_000;
    const hostUserIds = assignHosts(eventType, startMs, endMs, input.hostUserIds);
    const booking: SimBooking = {
      id: nextBookingId++,
      uid: randomBytes(16).toString('base64url').slice(0, 22),
      eventTypeId: eventType.id,
      userId: hostUserIds[0]!,
      hostUserIds,
      startMs,
      endMs,
      status: 'accepted',
    };
    bookings.push(booking);
    return booking;
  }

  function reset(empty: boolean) {
    eventTypes.clear();
    bookings = [];
    reservations.length = 0;
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
  function getSlots(url: URL) {
    // GetSlotsInputPipe (get-slots-input.pipe.ts), then slots-input.service.ts transformGetSlotsQuery:
    // the event type lookup before luxon parses start and end.
    const pipe = validateSlotsQuery(Object.fromEntries(url.searchParams), now());
    if (!pipe.ok) throw new HttpFailure(400, 'BadRequestException', pipe.message);
    const q = pipe.query;
    const eventType = eventTypes.get(q.eventTypeId);
    if (!eventType) throw new HttpFailure(404, 'NotFoundException', 'Event Type not found');
    const startMs = adjustStart(q.start);
    if (startMs === null) throw new HttpFailure(400, 'BadRequestException', 'Invalid start date');
    const endMs = adjustEnd(q.end);
    if (endMs === null) throw new HttpFailure(400, 'BadRequestException', 'Invalid end date');

    let slots;
    try {
      slots = computeSlots({
        eventType,
        eventTypes,
        bookings,
        reservations,
        startMs,
        endMs,
        nowMs: now(),
        ...(q.timeZone !== undefined ? { timeZone: q.timeZone } : {}),
        ...(q.duration !== undefined ? { duration: q.duration } : {}),
        ...(q.bookingUidToReschedule !== undefined ? { rescheduleUid: q.bookingUidToReschedule } : {}),
      });
    } catch (err) {
      // util.ts rethrows BookingDateInPastError as a TRPC BAD_REQUEST (trpc-exception.filter.ts: no details).
      if (err instanceof BookingDateInPastError) throw new HttpFailure(400, 'TRPCError', err.message, false);
      throw err;
    }

    // slots-output.service.ts: "…Z" without timeZone, luxon ISO in timeZone with it; format=range adds
    // end = start + (duration ?? eventType.length).
    const zone = q.timeZone;
    const render = (ms: number) => (zone ? DateTime.fromMillis(ms, { zone }).toISO()! : new Date(ms).toISOString());
    const rangeMs = (q.duration ?? eventType.lengthInMinutes) * 60_000;
    const data: Record<string, Array<Record<string, unknown>>> = {};
    for (const slot of slots) {
      const { startMs: start, dateKey, ...seats } = slot;
      const out: Record<string, unknown> = { start: render(start) };
      if (q.format === 'range') out.end = render(start + rangeMs);
      (data[dateKey] ??= []).push({ ...out, ...seats });
    }
    return { status: 200, body: { status: 'success', data } };
  }

  function getEventType(id: string, req: IncomingMessage) {
    if (req.headers['cal-api-version'] !== EVENT_TYPES_API_VERSION) {
      throw new HttpFailure(
        400,
        'BadRequestException',
        `cal-api-version ${EVENT_TYPES_API_VERSION} is required: the simulator does not model the older event-types controller`,
      );
    }
    // event-types.controller.ts: PermissionsGuard (controller level) runs before ApiAuthGuard. An API
    // key passes it; the simulator has no OAuth clients or access tokens, so any other credential is
    // unknown to it; no credentials at all is a 403, not a 401.
    const bearer = String(req.headers.authorization ?? '').replace('Bearer ', '');
    const clientId = req.headers['x-cal-client-id'];
    if (!bearer.startsWith('cal_')) {
      if (!bearer && !clientId) throw new HttpFailure(403, 'ForbiddenException', NO_AUTH_PERMISSIONS);
      throw new HttpFailure(
        403,
        'ForbiddenException',
        bearer ? `PermissionsGuard - no oAuth client found for access token=${bearer}` : `PermissionsGuard - no oAuth client found for client id=${String(clientId)}`,
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
    const apiVersion = String(req.headers['cal-api-version'] ?? '') || null;
    requestLog.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), apiVersion });
    if (requestLog.length > REQUEST_LOG_SIZE) requestLog = requestLog.slice(-REQUEST_LOG_SIZE);

    const { min, max } = config.latencyMs;
    if (max > 0) await delay(min + Math.random() * (max - min));
    const path = `${url.pathname}${url.search}`;
    const fail = (failure: HttpFailure, headers: Record<string, string>) => {
      const details = { message: failure.message, error: STATUS_TEXT[failure.status] ?? 'Error', statusCode: failure.status };
      sendJson(res, failure.status, envelope(path, failure.code, failure.message, failure.withDetails ? details : undefined), headers);
    };

    // Routing (with header versioning) happens before any guard: without cal-api-version 2024-09-04
    // Cal.com routes to the 2024-04-15 controllers, which have no GET /v2/slots. An unmatched route
    // is a 404 from Nest's router: no throttler, no rate-limit headers.
    const matched = method === 'GET' && ((template === '/v2/slots' && apiVersion === SLOTS_API_VERSION) || eventTypeMatch !== null);
    if (!matched) return fail(new HttpFailure(404, 'NotFoundException', `Cannot ${method} ${path}`), { 'X-Request-Id': randomUUID() });

    // CustomThrottlerGuard (throttler-guard.ts), global: an unknown API key is a 401 before any hit
    // is counted and without rate-limit headers; otherwise the hit counts and the headers go on
    // every answer, 429s included.
    const tracker = trackerOf(req.headers, req.socket.remoteAddress);
    if (tracker.kind === 'api_key' && config.apiKeys !== null && !config.apiKeys.includes(tracker.apiKey!)) {
      return fail(new HttpFailure(401, 'UnauthorizedException', INVALID_API_KEY), { 'X-Request-Id': randomUUID() });
    }
    const decision = throttler.hit(tracker);
    const headers = { ...decision.headers, 'X-Request-Id': randomUUID() };
    if (!decision.allowed) {
      stats.rateLimited += 1;
      return sendJson(res, 429, envelope(path, 'ThrottlerException', THROTTLED, THROTTLED), headers);
    }
    try {
      if (config.errorRate > 0 && Math.random() < config.errorRate) {
        throw new HttpFailure(500, 'InternalServerErrorException', 'Internal server error');
      }
      const result = eventTypeMatch ? getEventType(eventTypeMatch[1]!, req) : getSlots(url);
      sendJson(res, result.status, result.body, headers);
    } catch (err) {
      fail(err instanceof HttpFailure ? err : new HttpFailure(500, 'InternalServerErrorException', 'Internal server error'), headers);
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
        const patch = simConfigSchema.parse(body ?? {});
        config = {
          latencyMs: patch.latencyMs ?? config.latencyMs,
          errorRate: patch.errorRate ?? config.errorRate,
          rateLimit: { ...config.rateLimit, ...stripUndefined(patch.rateLimit ?? {}) },
          apiKeys: patch.apiKeys !== undefined ? patch.apiKeys : config.apiKeys,
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

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Cal.com's error envelope (apps/api/v2/src/filters/http-exception.filter.ts; trpc-exception.filter.ts has no details). */
function envelope(path: string, code: string, message: string, details: unknown) {
  return { status: 'error', timestamp: new Date().toISOString(), path, error: { code, message, ...(details !== undefined ? { details } : {}) } };
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

function toBookingOutput(b: SimBooking) {
  return {
    id: b.id,
    uid: b.uid,
    eventTypeId: b.eventTypeId,
    userId: b.userId,
    hostUserIds: b.hostUserIds,
    start: new Date(b.startMs).toISOString(),
    end: new Date(b.endMs).toISOString(),
    duration: Math.round((b.endMs - b.startMs) / 60_000),
    status: b.status,
  };
}
