/**
 * The embedded Cal.com v2 simulator: a stateful HTTP server that speaks the parts of Cal.com v2 the
 * gateway uses, as Cal.com's own source does (docs/calcom-contract.md), plus an admin API under
 * `/_sim` for tests, benchmarks and users' own tests. See README.md ("The Cal.com simulator").
 *
 * This module does the HTTP side: routing with Cal.com's header versioning, the throttler, stats,
 * injected latency and faults. The routes are in ./api (slots, event types, reservations,
 * bookings) and webhooks.ts, the writes in booking-engine.ts, the bodies in booking-output.ts and
 * event-type-output.ts, webhook deliveries in webhook-delivery.ts, the admin API in admin.ts.
 *
 * Deliberate limits: slots and bookings by `eventTypeId` only (no slug/username modes); event types
 * only under `cal-api-version: 2024-06-14`, bookings only under 2024-08-13; each answers a clear 400
 * otherwise. No OAuth clients or access tokens exist, so only API keys authenticate.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { z } from 'zod';
import { CALCOM_API_VERSIONS } from '../upstream/contract.js';
import { closeServer, listen } from '../http-server.js';
import { handleAdmin } from './admin.js';
import type { ApiHandler } from './api/context.js';
import { getBooking, getBookings, postBooking, postCancel, postReschedule } from './api/bookings.js';
import { getEventType } from './api/event-types.js';
import { deleteReservation, getReservation, reserveSlot, updateReservation } from './api/reservations.js';
import { getSlots } from './api/slots.js';
import { createBooking } from './booking-engine.js';
import { toAdminBooking, toAdminReservation } from './booking-output.js';
import { demoBookings, demoEventTypes } from './demo.js';
import { envelope, HttpFailure, injectedFailure, readJson, sendJson, type ApiResult } from './http.js';
import { defaultSimConfig, eventTypeInputSchema, SOMEONE_ELSE, type SimConfig } from './model.js';
import { SimState } from './state.js';
import { createThrottler, trackerOf } from './throttler.js';
import { WebhookDispatcher, type WebhookDelivery } from './webhook-delivery.js';
import { deleteWebhook, getWebhook, listWebhooks, patchWebhook, postWebhook } from './webhooks.js';

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
  /** Per `"METHOD /path-template"`, e.g. `"GET /v2/slots"`, `"POST /v2/bookings/{uid}/cancel"`. */
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
  /** Every stored booking, as `GET /_sim/bookings` lists them. */
  bookings(): Array<ReturnType<typeof toAdminBooking>>;
  /** Every stored reservation, as `GET /_sim/reservations` lists them. */
  reservations(): Array<ReturnType<typeof toAdminReservation>>;
  /** Webhook delivery attempts, oldest first, as `GET /_sim/webhook-deliveries` lists them. */
  deliveries(): WebhookDelivery[];
  /** Resolves once no webhook delivery is scheduled or on the wire. */
  webhooksIdle(): Promise<void>;
  close(): Promise<void>;
}

const THROTTLED = 'CustomThrottlerGuard - Too many requests. Please try again later.';
/** apps/api/v2/src/lib/throttler-guard.ts, for a `cal_` key with no ApiKey row. */
const INVALID_API_KEY = 'CustomThrottlerGuard - Invalid API Key';

interface Route {
  method: string;
  pattern: RegExp;
  /** The stats key's path part, e.g. `/v2/bookings/{uid}/cancel`. */
  template: string;
  params?: string[];
  /**
   * The `cal-api-version` the controller is registered under; null = any. Without it Cal.com
   * routes to the 2024-04-15 controllers (app.ts): `olderController` says whether one of those has
   * this route (the simulator answers a 400 naming its limit) or not (Nest's 404).
   */
  version: string | null;
  olderController?: boolean;
  handler: ApiHandler;
  /** A booking write, subject to the one-shot `nextBookingCall` fault. */
  bookingWrite?: boolean;
}

const { slots: SLOTS, bookings: BOOKINGS } = CALCOM_API_VERSIONS;
const ROUTES: Route[] = [
  { method: 'GET', pattern: /^\/v2\/slots$/, template: '/v2/slots', version: SLOTS, handler: getSlots },
  { method: 'POST', pattern: /^\/v2\/slots\/reservations$/, template: '/v2/slots/reservations', version: SLOTS, handler: reserveSlot },
  { method: 'GET', pattern: /^\/v2\/slots\/reservations\/([^/]+)$/, template: '/v2/slots/reservations/{uid}', params: ['uid'], version: SLOTS, handler: getReservation },
  { method: 'PATCH', pattern: /^\/v2\/slots\/reservations\/([^/]+)$/, template: '/v2/slots/reservations/{uid}', params: ['uid'], version: SLOTS, handler: updateReservation },
  { method: 'DELETE', pattern: /^\/v2\/slots\/reservations\/([^/]+)$/, template: '/v2/slots/reservations/{uid}', params: ['uid'], version: SLOTS, handler: deleteReservation },
  { method: 'GET', pattern: /^\/v2\/event-types\/([^/]+)$/, template: '/v2/event-types/{id}', params: ['id'], version: null, handler: getEventType },
  { method: 'POST', pattern: /^\/v2\/bookings$/, template: '/v2/bookings', version: BOOKINGS, olderController: true, handler: postBooking, bookingWrite: true },
  { method: 'GET', pattern: /^\/v2\/bookings$/, template: '/v2/bookings', version: BOOKINGS, olderController: true, handler: getBookings },
  { method: 'GET', pattern: /^\/v2\/bookings\/([^/]+)$/, template: '/v2/bookings/{uid}', params: ['uid'], version: BOOKINGS, olderController: true, handler: getBooking },
  { method: 'POST', pattern: /^\/v2\/bookings\/([^/]+)\/cancel$/, template: '/v2/bookings/{uid}/cancel', params: ['uid'], version: BOOKINGS, olderController: true, handler: postCancel, bookingWrite: true },
  { method: 'POST', pattern: /^\/v2\/bookings\/([^/]+)\/reschedule$/, template: '/v2/bookings/{uid}/reschedule', params: ['uid'], version: BOOKINGS, olderController: true, handler: postReschedule, bookingWrite: true },
  // webhooks.controller.ts: `version: API_VERSIONS_VALUES`, any cal-api-version or none.
  { method: 'POST', pattern: /^\/v2\/webhooks$/, template: '/v2/webhooks', version: null, handler: postWebhook },
  { method: 'GET', pattern: /^\/v2\/webhooks$/, template: '/v2/webhooks', version: null, handler: listWebhooks },
  { method: 'GET', pattern: /^\/v2\/webhooks\/([^/]+)$/, template: '/v2/webhooks/{id}', params: ['id'], version: null, handler: getWebhook },
  { method: 'PATCH', pattern: /^\/v2\/webhooks\/([^/]+)$/, template: '/v2/webhooks/{id}', params: ['id'], version: null, handler: patchWebhook },
  { method: 'DELETE', pattern: /^\/v2\/webhooks\/([^/]+)$/, template: '/v2/webhooks/{id}', params: ['id'], version: null, handler: deleteWebhook },
];

/** The stats template of a path: the route's, else the path itself. */
function templateOf(pathname: string): string {
  return ROUTES.find((r) => r.pattern.test(pathname))?.template ?? pathname;
}

/** Starts a simulator and resolves once it listens. */
export async function startCalcomSimulator(options: SimulatorOptions = {}): Promise<CalcomSimulator> {
  let frozenAt: number | null = null;
  const now = () => frozenAt ?? Date.now();
  let config: SimConfig = defaultSimConfig();
  // The throttler runs on the real clock, so a frozen simulator clock never freezes a rate-limit window.
  const throttler = createThrottler(() => config.rateLimit);
  const state = new SimState(now);
  // Webhooks of booking writes (API and admin alike: the engine reports them), `webhookDelayMs` later.
  const webhooks = new WebhookDispatcher(state, () => config.webhookDelayMs);
  let stats: SimStats = { total: 0, rateLimited: 0, requests: {} };
  /** The last {@link REQUEST_LOG_SIZE} `/v2` requests, oldest first, for tests that check what was sent. */
  let requestLog: SimRequestLogEntry[] = [];

  function reset(empty: boolean) {
    // Webhooks go with the data; deliveries not yet sent are dropped (their log stays).
    webhooks.cancelScheduled();
    state.clear();
    throttler.reset();
    config = { ...config, nextBookingCall: null };
    if (empty) return;
    for (const et of demoEventTypes()) {
      const parsed = eventTypeInputSchema.parse(et);
      state.eventTypes.set(parsed.id, parsed);
    }
    // Demo bookings are data, not requests: forced past the checks.
    for (const b of demoBookings(now())) createBooking(state, { ...b, attendee: { ...SOMEONE_ELSE } }, { source: 'demo', force: true });
  }
  reset(options.empty ?? false);

  // ---------------------------------------------------------------- /v2: the Cal.com API
  async function handleApi(req: IncomingMessage, res: ServerResponse, url: URL) {
    const method = req.method ?? 'GET';
    const statKey = `${method} ${templateOf(url.pathname)}`;
    stats.total += 1;
    stats.requests[statKey] = (stats.requests[statKey] ?? 0) + 1;
    const apiVersion = String(req.headers['cal-api-version'] ?? '') || null;
    requestLog.push({ method, path: url.pathname, query: Object.fromEntries(url.searchParams), apiVersion });
    if (requestLog.length > REQUEST_LOG_SIZE) requestLog = requestLog.slice(-REQUEST_LOG_SIZE);

    const { min, max } = config.latencyMs;
    if (max > 0) await delay(min + Math.random() * (max - min));
    const path = `${url.pathname}${url.search}`;
    const fail = (failure: HttpFailure, headers: Record<string, string>) => sendJson(res, failure.status, envelope(path, failure), headers);

    // Routing (with header versioning, app.ts) happens before any guard. An unmatched route is a
    // 404 from Nest's router: no throttler, no rate-limit headers.
    const route = ROUTES.find(
      (r) => r.method === method && r.pattern.test(url.pathname) && (r.version === null || r.version === apiVersion || r.olderController),
    );
    if (!route) return fail(new HttpFailure(404, 'NotFoundException', `Cannot ${method} ${path}`), { 'X-Request-Id': randomUUID() });

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
      return fail(new HttpFailure(429, 'ThrottlerException', THROTTLED, THROTTLED), headers);
    }

    // The one-shot fault of the next booking write is taken by the first one that gets this far.
    const fault = route.bookingWrite ? config.nextBookingCall : null;
    if (fault) config = { ...config, nextBookingCall: null };

    let result: ApiResult | HttpFailure;
    try {
      if (config.errorRate > 0 && Math.random() < config.errorRate) throw injectedFailure(500);
      if (route.version !== null && route.version !== apiVersion) {
        throw new HttpFailure(
          400,
          'BadRequestException',
          `cal-api-version ${route.version} is required: without it Cal.com routes to its 2024-04-15 controller, which takes other bodies and which the simulator does not model`,
        );
      }
      if (fault?.commit === false) throw injectedFailure(fault.status ?? 500);
      let body: unknown;
      if (method === 'POST' || method === 'PATCH') {
        try {
          // Express's JSON parser hands Nest `{}` for an empty body.
          body = (await readJson(req)) ?? {};
        } catch (err) {
          throw new HttpFailure(400, 'BadRequestException', err instanceof Error ? err.message : 'invalid JSON body');
        }
      }
      const match = route.pattern.exec(url.pathname)!;
      const params = Object.fromEntries((route.params ?? []).map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      result = await route.handler({ state, req, url, params, body });
    } catch (err) {
      result = err instanceof HttpFailure ? err : injectedFailure(500);
    }
    // A committed write whose answer is late or replaced: the client may see a timeout or an error
    // although Cal.com booked.
    if (fault?.delayMs) await delay(fault.delayMs);
    if (fault?.status !== undefined && fault.commit !== false) result = injectedFailure(fault.status);
    if (result instanceof HttpFailure) return fail(result, headers);
    sendJson(res, result.status, result.body, headers);
  }

  const admin = {
    state,
    reset,
    frozenAt: () => frozenAt,
    setFrozenAt: (ms: number | null) => {
      frozenAt = ms;
    },
    config: () => config,
    setConfig: (next: SimConfig) => {
      config = next;
    },
    stats: () => stats,
    clearStats: () => {
      stats = { total: 0, rateLimited: 0, requests: {} };
      requestLog = [];
    },
    requests: () => requestLog,
    webhooks,
  };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://sim');
    const handler = url.pathname.startsWith('/v2/')
      ? handleApi(req, res, url)
      : url.pathname.startsWith('/_sim/')
        ? isLoopback(req.socket.remoteAddress)
          ? handleAdmin(admin, req, res, url)
          : Promise.resolve(sendJson(res, 403, { error: 'the simulator admin API answers loopback clients only' }))
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
    bookings: () => state.bookings.map(toAdminBooking),
    reservations: () => state.reservations.map((r) => toAdminReservation(r, now())),
    deliveries: () => webhooks.deliveries(),
    webhooksIdle: () => webhooks.idle(),
    close: () => {
      webhooks.close();
      return closeServer(server);
    },
  };
}

/** True for a loopback peer (127.0.0.0/8, ::1, and IPv4 mapped into IPv6): the admin API's only clients. */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return v4 === '::1' || /^127\./.test(v4);
}
