/**
 * The admin API under `/_sim` (not rate-limited, not counted): demo data, the clock, event types,
 * bookings made by someone else (through the same code path as `POST /v2/bookings`, webhooks
 * included), reservations, counters, the request log, webhook delivery attempts and the configuration
 * (README.md, "The Cal.com simulator").
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { createBooking } from './booking-engine.js';
import { validateCreateBooking } from './booking-input.js';
import { toAdminBooking, toAdminReservation } from './booking-output.js';
import { toEventTypeOutput } from './event-type-output.js';
import { envelope, HttpFailure, readJson, sendJson } from './http.js';
import { adminBookingExtrasSchema, eventTypeInputSchema, simConfigSchema, SOMEONE_ELSE, type SimConfig } from './model.js';
import type { SimState } from './state.js';
import type { WebhookDispatcher } from './webhook-delivery.js';

/** Longest `GET /_sim/webhook-deliveries?wait=<ms>` waits for pending deliveries. */
const MAX_DELIVERY_WAIT_MS = 30_000;
/** Response header of `GET /_sim/webhook-deliveries`: deliveries scheduled or on the wire. */
export const DELIVERIES_PENDING_HEADER = 'x-sim-webhook-deliveries-pending';

/** What the admin API reads and changes besides the data. */
export interface AdminHost {
  state: SimState;
  reset(empty: boolean): void;
  frozenAt(): number | null;
  setFrozenAt(ms: number | null): void;
  config(): SimConfig;
  setConfig(config: SimConfig): void;
  stats(): unknown;
  clearStats(): void;
  requests(): unknown;
  webhooks: WebhookDispatcher;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * `POST /_sim/bookings`: Cal.com's CreateBookingInput_2024_08_13 (attendee defaulted to "Someone
 * Else") plus the admin-only `hostUserIds` and `force`, through the same pipe and checks as
 * `POST /v2/bookings`; a refusal is Cal.com's status and envelope.
 */
function adminBooking(host: AdminHost, body: unknown) {
  const raw = body !== null && typeof body === 'object' && !Array.isArray(body) ? { ...(body as Record<string, unknown>) } : {};
  const extras = adminBookingExtrasSchema.parse({ hostUserIds: raw.hostUserIds, force: raw.force });
  delete raw.hostUserIds;
  delete raw.force;
  raw.attendee ??= { ...SOMEONE_ELSE };
  const v = validateCreateBooking(raw);
  if (!v.ok) throw new HttpFailure(400, 'BadRequestException', v.message);
  return createBooking(host.state, v.value, {
    source: 'admin',
    force: extras.force,
    ...(extras.hostUserIds ? { hostUserIds: extras.hostUserIds } : {}),
  });
}

export async function handleAdmin(host: AdminHost, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const route = `${req.method} ${url.pathname}`;
  const body = ['POST', 'PUT'].includes(req.method ?? '') ? await readJson(req) : undefined;
  const { state } = host;
  const clock = () => ({ now: new Date(state.now()).toISOString(), frozen: host.frozenAt() !== null });
  switch (route) {
    case 'POST /_sim/reset': {
      const { empty } = z.object({ empty: z.boolean().default(false) }).parse(body ?? {});
      host.reset(empty);
      return sendJson(res, 200, { ok: true, eventTypes: [...state.eventTypes.keys()], bookings: state.bookings.length });
    }
    case 'GET /_sim/clock':
      return sendJson(res, 200, clock());
    case 'PUT /_sim/clock': {
      const { now: at } = z.object({ now: z.iso.datetime({ offset: true }).nullable() }).parse(body);
      host.setFrozenAt(at === null ? null : DateTime.fromISO(at, { setZone: true }).toMillis());
      return sendJson(res, 200, clock());
    }
    case 'POST /_sim/event-types': {
      const eventType = eventTypeInputSchema.parse(body);
      const replaced = state.eventTypes.has(eventType.id);
      state.eventTypes.set(eventType.id, eventType);
      return sendJson(res, replaced ? 200 : 201, toEventTypeOutput(eventType));
    }
    case 'POST /_sim/bookings': {
      try {
        return sendJson(res, 201, toAdminBooking(adminBooking(host, body)));
      } catch (err) {
        if (err instanceof HttpFailure) return sendJson(res, err.status, envelope(url.pathname, err));
        throw err;
      }
    }
    case 'GET /_sim/bookings':
      return sendJson(res, 200, state.bookings.map(toAdminBooking));
    case 'GET /_sim/reservations':
      return sendJson(res, 200, state.reservations.map((r) => toAdminReservation(r, state.now())));
    case 'GET /_sim/stats':
      return sendJson(res, 200, host.stats());
    case 'DELETE /_sim/stats':
      host.clearStats();
      return sendJson(res, 200, host.stats());
    case 'GET /_sim/requests':
      return sendJson(res, 200, host.requests());
    case 'GET /_sim/webhook-deliveries': {
      // `?wait=<ms>`: first wait (at most that long, ≤ 30 s) until nothing is scheduled or on the wire.
      const wait = Math.min(Math.max(Number(url.searchParams.get('wait') ?? 0) || 0, 0), MAX_DELIVERY_WAIT_MS);
      if (wait > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([host.webhooks.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, wait)))]);
        clearTimeout(timer);
      }
      return sendJson(res, 200, host.webhooks.deliveries(), { [DELIVERIES_PENDING_HEADER]: String(host.webhooks.pending()) });
    }
    case 'DELETE /_sim/webhook-deliveries':
      host.webhooks.clearDeliveries();
      return sendJson(res, 200, [], { [DELIVERIES_PENDING_HEADER]: String(host.webhooks.pending()) });
    case 'GET /_sim/config':
      return sendJson(res, 200, host.config());
    case 'PUT /_sim/config': {
      const patch = simConfigSchema.parse(body ?? {});
      const config = host.config();
      host.setConfig({
        latencyMs: patch.latencyMs ?? config.latencyMs,
        errorRate: patch.errorRate ?? config.errorRate,
        rateLimit: { ...config.rateLimit, ...stripUndefined(patch.rateLimit ?? {}) },
        apiKeys: patch.apiKeys !== undefined ? patch.apiKeys : config.apiKeys,
        nextBookingCall: patch.nextBookingCall !== undefined ? patch.nextBookingCall : config.nextBookingCall,
        webhookDelayMs: patch.webhookDelayMs ?? config.webhookDelayMs,
      });
      return sendJson(res, 200, host.config());
    }
    default:
      return sendJson(res, 404, { error: `no admin route ${route}` });
  }
}
