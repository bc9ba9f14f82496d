/**
 * Test fixtures: a simulator and a gateway on free loopback ports, an admin client for the
 * simulator, and a `leftovers` list that closes whatever a test file started (graphql-ws style).
 */
import { afterAll } from 'vitest';
import { inject } from 'vitest';
import { GraphQLClient } from 'graphql-request';
import { Writable } from 'node:stream';
import { DateTime } from 'luxon';
import { pino, type Logger } from 'pino';
import { REDACT_PATHS } from '../../src/logger.js';
import { startGateway, type Gateway, type GatewayOptions } from '../../src/server.js';
import { WEEKDAYS, defaultSimConfig, type SimEventTypeInput, type SimConfigPatch } from '../../src/sim/model.js';
import { startCalcomSimulator, type CalcomSimulator, type SimRequestLogEntry, type SimStats } from '../../src/sim/server.js';
import { createMemoryStore, createRedisStore, type Store } from '../../src/store/index.js';
import type { SlotCacheTuning } from '../../src/loaders/slot-cache/index.js';
import type { QuotaLimits } from '../../src/quota/admission-log.js';

const leftovers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  while (leftovers.length > 0) await leftovers.pop()!();
});

/** Registers a closer run in afterAll (last registered, first closed). */
export function onCleanup(close: () => Promise<unknown>): void {
  leftovers.push(close);
}

/** A silent logger for tests. */
export const quietLog = pino({ level: 'silent' });

/** Admin client for the simulator's `/_sim` API. */
export function simAdmin(sim: CalcomSimulator) {
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}/_sim/${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = await res.json();
    if (!res.ok) throw new Error(`${method} /_sim/${path} → ${res.status}: ${JSON.stringify(json)}`);
    return json;
  };
  return {
    reset: (empty = false) => call('POST', 'reset', { empty }),
    setClock: (now: string | null) => call('PUT', 'clock', { now }),
    putEventType: (eventType: SimEventTypeInput) => call('POST', 'event-types', eventType),
    addBooking: (eventTypeId: number, start: string) => call('POST', 'bookings', { eventTypeId, start }),
    /** Every booking the simulator holds, made through the API or the admin API. */
    bookings: () => call('GET', 'bookings') as Promise<Array<{ uid: string; eventTypeId: number; start: string; end: string; status: string }>>,
    stats: () => call('GET', 'stats') as Promise<SimStats>,
    clearStats: () => call('DELETE', 'stats'),
    requests: () => call('GET', 'requests') as Promise<SimRequestLogEntry[]>,
    configure: (patch: SimConfigPatch) => call('PUT', 'config', patch),
  };
}

export async function startSimulator(): Promise<CalcomSimulator> {
  const sim = await startCalcomSimulator({ port: 0 });
  onCleanup(() => sim.close());
  return sim;
}

let prefixCounter = 0;
/** A key prefix no other test uses. */
export const uniquePrefix = () => `test:${process.pid}:${Date.now()}:${prefixCounter++}:`;

/** A store of the given kind; Redis ones get a key prefix of their own (or the one given, to share it). */
export async function startStore(kind: 'memory' | 'redis', keyPrefix = uniquePrefix()): Promise<Store> {
  const store = kind === 'memory' ? createMemoryStore() : await createRedisStore({ url: inject('redisUrl'), keyPrefix });
  onCleanup(() => store.close());
  return store;
}

export interface Stack {
  sim: CalcomSimulator;
  admin: ReturnType<typeof simAdmin>;
  gateway: Gateway;
  /** graphql-request client for typed operations (throws on GraphQL errors). */
  client: GraphQLClient;
  /** Raw POST to /graphql, returning the JSON body whatever it holds. */
  post(query: string, variables?: Record<string, unknown>): Promise<{ data?: any; errors?: any[] }>;
}

export interface StackOptions {
  /** In-process unless told otherwise; or a store to share with another gateway. */
  store?: 'memory' | 'redis' | Store;
  apiKey?: string;
  timeoutMs?: number;
  /** Reuse a simulator (e.g. for a second gateway instance). */
  sim?: CalcomSimulator;
  now?: () => number;
  slotCache?: Partial<SlotCacheTuning>;
  quota?: Partial<QuotaLimits>;
  /** The gateway's logger (tests that read the logs). @default silent */
  log?: Logger;
  webhooks?: GatewayOptions['webhooks'];
  livePollMs?: number;
  /** Quota scheduler options (retries, breaker). */
  scheduler?: GatewayOptions['scheduler'];
  auth?: GatewayOptions['auth'];
  tenants?: GatewayOptions['tenants'];
  limits?: GatewayOptions['limits'];
  browser?: GatewayOptions['browser'];
  persistedOperations?: GatewayOptions['persistedOperations'];
}

/** Simulator + gateway (+ store, in-process unless told otherwise), all closed after the file. */
export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const sim = options.sim ?? (await startSimulator());
  const store = typeof options.store === 'object' ? options.store : await startStore(options.store ?? 'memory');
  const gateway = await startGateway({
    port: 0,
    calcom: { apiUrl: sim.apiUrl, apiKey: options.apiKey ?? 'cal_test_key', timeoutMs: options.timeoutMs ?? 3000 },
    upstreamKind: 'simulator',
    store,
    log: options.log ?? quietLog,
    // Tests call without tokens unless they test authentication: anonymous callers may do everything.
    auth: options.auth ?? { allowAnonymous: true, anonymousScopes: ['availability:read', 'bookings:write', 'admin'] },
    ...(options.tenants ? { tenants: options.tenants } : {}),
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.browser ? { browser: options.browser } : {}),
    ...(options.persistedOperations ? { persistedOperations: options.persistedOperations } : {}),
    ...(options.now ? { now: options.now } : {}),
    ...(options.slotCache ? { slotCache: options.slotCache } : {}),
    ...(options.quota ? { quota: options.quota } : {}),
    ...(options.webhooks ? { webhooks: options.webhooks } : {}),
    ...(options.livePollMs !== undefined ? { livePollMs: options.livePollMs } : {}),
    ...(options.scheduler ? { scheduler: options.scheduler } : {}),
  });
  onCleanup(() => gateway.close());
  return {
    sim,
    admin: simAdmin(sim),
    gateway,
    client: new GraphQLClient(gateway.graphqlUrl),
    async post(query, variables) {
      const res = await fetch(gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: any; errors?: any[] };
    },
  };
}

/**
 * Polls `condition` until it holds, yielding one event-loop turn between polls (no fixed sleeps);
 * fails after `timeoutMs` so a broken expectation cannot hang the suite.
 */
export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${condition.toString()}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * A trace-level logger with the gateway's redaction, writing every line into `lines` (for tests
 * that assert what never reaches a log).
 */
export function capturingLog(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink), lines };
}

/** The zone of {@link salonEventType}. */
export const SALON_ZONE = 'Europe/Berlin';

/** Event type 1 at the simulator: 60 minutes, weekdays 09:00-17:00 Berlin, owner 7. */
export const salonEventType: SimEventTypeInput = {
  id: 1,
  slug: 'salon-1',
  title: 'Salon 1',
  lengthInMinutes: 60,
  ownerId: 7,
  schedule: { timeZone: SALON_ZONE, availability: [{ days: [...WEEKDAYS], startTime: '09:00', endTime: '17:00' }], overrides: [] },
};

/** The Berlin local day `n` days from now, `YYYY-MM-DD`. */
export const salonDay = (n: number) => DateTime.now().setZone(SALON_ZONE).plus({ days: n }).toISODate()!;

/** Salon event type `id` of owner 7: `lengthInMinutes`, weekdays 09:00-17:00 Berlin ({@link salonEventType} is `salonEventTypeOf(1, 60)`). */
export const salonEventTypeOf = (id: number, lengthInMinutes: number): SimEventTypeInput => ({
  id,
  slug: `salon-${id}`,
  title: `Salon ${id}`,
  lengthInMinutes,
  ownerId: 7,
  schedule: { timeZone: SALON_ZONE, availability: [{ days: [...WEEKDAYS], startTime: '09:00', endTime: '17:00' }], overrides: [] },
});

/** The simulator's clock at `now`, no demo data, salon event types 1 (60 min) and 2 (30 min), and no stats. */
export async function prepareSalons(stack: Stack, now: string): Promise<void> {
  await stack.admin.setClock(now);
  await stack.admin.reset(true);
  await stack.admin.putEventType(salonEventTypeOf(1, 60));
  await stack.admin.putEventType(salonEventTypeOf(2, 30));
  await stack.admin.clearStats();
}

/** Event type `id` of owner 7, open around the clock every day in UTC, 30 min slots; `extra` overrides. */
export const allDayEventType = (id: number, extra: Partial<SimEventTypeInput> = {}): SimEventTypeInput => ({
  id,
  slug: `all-day-${id}`,
  title: `Event ${id}`,
  lengthInMinutes: 30,
  ownerId: 7,
  schedule: { timeZone: 'UTC', availability: [{ days: [...WEEKDAYS], startTime: '00:00', endTime: '24:00' }], overrides: [] },
  ...extra,
});

/** A simulator as new for each test: the default config, the clock at `now`, no event types or bookings, no stats. */
export async function resetSimulator(admin: ReturnType<typeof simAdmin>, now: string): Promise<void> {
  await admin.configure(defaultSimConfig());
  await admin.setClock(now);
  await admin.reset(true);
  await admin.clearStats();
}
