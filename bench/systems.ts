/**
 * The systems the comparison harness (bench/mesh.ts) runs its workloads against, each with its own
 * simulator in a process of its own (so its upstream calls and 429s are its own, and the
 * simulator's CPU is nobody's), all on loopback:
 *
 * - (a) the old approach: the replaced system's logic as a client calling its simulator directly
 *   (bench/naive.ts), every call through its fixed-window limiter at the simulator's limit;
 * - slotgraph in this process (startGateway; in-process store, or Redis with a fresh key prefix)
 *   and in its own process as `npm start` runs it;
 * - (b) GraphQL Mesh (compose) + Hive Gateway over Cal.com's OpenAPI document, plain and with its
 *   response cache and in-flight deduplication: bench/peer-mesh, installed with `npm install` into a
 *   scratch folder under the OS temp dir, keyed by the hash of its package.json and reused; never
 *   into the project.
 *
 * Every system answers the same three operations (a check, an alternatives search, a booking) as
 * an {@link Outcome}: what the caller got, never how.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startGateway } from '../src/server.js';
import { createMemoryStore, createRedisStore, type Store } from '../src/store/index.js';
import { countLocalDays } from '../src/time.js';
import { CALCOM_MESSAGES } from '../src/upstream/contract.js';
import { admin, fixedWindowGate, naiveBook, naiveSearch, naiveSearchWindows, naiveSlots, slotStarts, type BookingBody, type Gate, type SimUrls } from './naive.js';
import { groupUsage, spawnServer, stopChild } from './processes.js';

const PEER_SRC = fileURLToPath(new URL('./peer-mesh/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const quiet = pino({ level: 'silent' });

/** The simulator's rate limit: `limit` calls per `windowMs`, then blocked for `blockMs` (ms). */
export interface RateLimit {
  limit: number;
  windowMs: number;
  blockMs: number;
}

/** Local days `start`..`end` (ISO dates) of one event type in `zone`. */
export interface Check {
  eventTypeId: number;
  start: string;
  end: string;
  zone: string;
}

/** A wished local time (`yyyy-MM-ddTHH:mm`) in `zone`, for an alternatives search. */
export interface Wish {
  eventTypeId: number;
  wishedLocal: string;
  zone: string;
}

/** A booking of `start` (UTC, ISO: a slot start the caller was offered). */
export type Booking = BookingBody;

/** What the caller got from one operation. */
export interface Outcome {
  /** `refused`: the slot was taken (an expected refusal of a booking); `failed`: no answer, `failure` says why. */
  result: 'ok' | 'refused' | 'failed';
  failure?: string;
  /** A check's free slot starts (UTC, ISO). */
  starts?: string[];
}

/** A system under test, as the client sees it. */
export interface Target {
  /** Stable id for ratios: `old`, `sg-memory`, `sg-redis`, `sg-process`, `mesh-plain`, `mesh-cached`. */
  key: string;
  name: string;
  /**
   * Whose CPU and RSS its row shows: `server`, its own process group; `bench`, this whole process
   * (slotgraph served here, with the client); `client`, this process too, which is all there is
   * of the old approach (it has no server; no RSS is given).
   */
  cpuScope: 'server' | 'bench' | 'client';
  sim: SimUrls;
  check(c: Check): Promise<Outcome>;
  alternatives(w: Wish): Promise<Outcome>;
  book(b: Booking): Promise<Outcome>;
  /** Cumulative CPU ms of the server's process group; NaN without one. */
  serverCpuMs(): number;
  rssMb(): number;
  /** The end of the server's output, when it runs in a process of its own. */
  logTail?(): string;
  close(): Promise<void>;
}

/** What a workload asks of every system's start: the simulator's limit, and set-up before the server starts. */
export interface StartOptions {
  rateLimit: RateLimit;
  /** Runs against the fresh simulator before the system's server starts (e.g. event types to create). */
  prepare?: (sim: SimUrls) => Promise<void>;
}
export type Factory = (options: StartOptions) => Promise<Target>;

type Client = Pick<Target, 'check' | 'alternatives' | 'book'>;

const ok = (starts?: string[]): Outcome => ({ result: 'ok', ...(starts ? { starts } : {}) });
const failed = (failure: string): Outcome => ({ result: 'failed', failure: failure.slice(0, 400) });

/** Cal.com's refusal of a booking whose slot is taken: its 409, or its 400 "already has booking". */
function isSlotTaken(status: number | undefined, message: unknown): boolean {
  return status === 409 || (status === 400 && [CALCOM_MESSAGES.slotTakenIndividual, CALCOM_MESSAGES.slotTakenTeam].some((m) => String(message).includes(m)));
}

/** Posts a GraphQL operation; resolves to the HTTP status and the answer. */
async function graphql(url: string, query: string, variables: Record<string, unknown>): Promise<{ status: number; body: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  return { status: res.status, body: await res.json() };
}
const answerText = (a: { status: number; body: unknown }) => `HTTP ${a.status} ${JSON.stringify(a.body)}`;

// ---------------------------------------------------------------------------------------------
// Simulator.

/** Every simulator answers each `/v2` call after this many ms. */
export const SIMULATOR_LATENCY_MS = 300;

/** A simulator (`npm run sim`'s entry point) in its own process group, at {@link SIMULATOR_LATENCY_MS} and `rateLimit`, after `prepare`. */
async function startSim({ rateLimit, prepare }: StartOptions): Promise<SimUrls & { close(): Promise<void> }> {
  const env = { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: os.tmpdir(), HOST: '127.0.0.1', SIM_PORT: '{port}', LOG_LEVEL: 'warn' };
  const { child, url } = await spawnServer('simulator', ['--import', 'tsx', 'src/sim/main.ts'], ROOT, env, '/_sim/stats');
  const sim = { url, apiUrl: `${url}/v2`, close: () => stopChild(child) };
  try {
    await admin(sim, 'PUT', 'config', { latencyMs: { min: SIMULATOR_LATENCY_MS, max: SIMULATOR_LATENCY_MS }, rateLimit });
    await prepare?.(sim);
    return sim;
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/** Starts a simulator, then the system on it; the simulator goes again when the system fails to start. */
async function onSim(options: StartOptions, start: (sim: SimUrls) => Promise<Omit<Target, 'sim' | 'close'> & { stop(): Promise<void> }>): Promise<Target> {
  const sim = await startSim(options);
  try {
    const { stop, ...target } = await start(sim);
    return {
      ...target,
      sim,
      close: async () => {
        await stop();
        await sim.close();
      },
    };
  } catch (err) {
    await sim.close();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// (a) The old approach.

/** The old client: a check = 1 `GET /v2/slots`, a search = the 7 calls of naiveSearch, a booking = 1 `POST /v2/bookings`, all through `gate`. */
function oldClient(sim: SimUrls, gate: Gate): Client {
  const slotsOutcome = (body: any): Outcome => (body?.status === 'success' ? ok(slotStarts(body)) : failed(JSON.stringify(body)));
  return {
    async check(c) {
      let body: any;
      await gate('interactive', async () => (body = await naiveSlots(sim, c.eventTypeId, DateTime.fromISO(c.start, { zone: c.zone }), c.zone, countLocalDays(c.start, c.end))));
      return slotsOutcome(body);
    },
    async alternatives(w) {
      const bodies = await naiveSearch(sim, w.eventTypeId, DateTime.fromISO(w.wishedLocal, { zone: w.zone }), w.zone, gate);
      return bodies.map(slotsOutcome).find((o) => o.result !== 'ok') ?? ok();
    },
    async book(b) {
      let answer: { status: number; body: any } | undefined;
      await gate('critical', async () => (answer = await naiveBook(sim, b)));
      if (answer!.status === 201) return ok();
      return isSlotTaken(answer!.status, answer!.body?.error?.message) ? { result: 'refused' } : failed(answerText(answer!));
    },
  };
}

/** (a) The old approach on its own simulator, its limiter at the simulator's limit. It has no server: no server CPU, no RSS. */
export const startOldApproach: Factory = (options) =>
  onSim(options, async (sim) => ({
    key: 'old',
    name: '(a) old approach (client, fixed-window limiter)',
    cpuScope: 'client',
    ...oldClient(sim, fixedWindowGate(options.rateLimit.limit, options.rateLimit.windowMs)),
    serverCpuMs: () => NaN,
    rssMb: () => NaN,
    stop: async () => {},
  }));

// ---------------------------------------------------------------------------------------------
// slotgraph.

const SLOTGRAPH_AVAILABILITY =
  'query($id: Int!, $start: LocalDate!, $end: LocalDate!, $tz: TimeZone!) { availability(eventTypeId: $id, start: $start, end: $end, timeZone: $tz) { timeZone stale days { date slots { start end localTime utcOffset } } } }';
const SLOTGRAPH_ALTERNATIVES =
  'query($id: Int!, $wished: String!, $tz: TimeZone!) { alternatives(eventTypeId: $id, wishedLocal: $wished, timeZone: $tz, locale: "de") { wishedSlotAvailable alternatives { label strategy dayOffset slot { start localTime utcOffset } } } }';
const SLOTGRAPH_BOOK =
  'mutation($input: CreateBookingInput!) { createBooking(input: $input) { __typename ... on Booking { uid localDate localTime utcOffset } ... on Error { message } } }';

/** slotgraph's operations: `availability`, `alternatives`, `createBooking` (a new idempotency key per booking). */
function slotgraphClient(url: string): Client {
  return {
    async check(c) {
      const a = await graphql(url, SLOTGRAPH_AVAILABILITY, { id: c.eventTypeId, start: c.start, end: c.end, tz: c.zone });
      const days = a.body.data?.availability?.days;
      if (a.body.errors || !Array.isArray(days)) return failed(answerText(a));
      return ok(days.flatMap((d: { slots: Array<{ start: string }> }) => d.slots.map((s) => new Date(s.start).toISOString())));
    },
    async alternatives(w) {
      const a = await graphql(url, SLOTGRAPH_ALTERNATIVES, { id: w.eventTypeId, wished: w.wishedLocal, tz: w.zone });
      return a.body.errors || !Array.isArray(a.body.data?.alternatives?.alternatives) ? failed(answerText(a)) : ok();
    },
    async book(b) {
      const a = await graphql(url, SLOTGRAPH_BOOK, { input: { ...b, idempotencyKey: randomUUID() } });
      const typename = a.body.data?.createBooking?.__typename;
      if (typename === 'Booking') return ok();
      return typename === 'SlotUnavailable' ? { result: 'refused' } : failed(answerText(a));
    },
  };
}

/** slotgraph through startGateway in this process, with an in-process store or Redis at `redisUrl` (a fresh key prefix, removed at close). */
export function slotgraphInProcess(redisUrl?: string): Factory {
  return (options) =>
    onSim(options, async (sim) => {
      const keyPrefix = `slotgraph-bench-compare-${process.pid}-${Date.now()}:`;
      const redis = redisUrl ? await createRedisStore({ url: redisUrl, keyPrefix }) : undefined;
      const store: Store = redis ?? createMemoryStore();
      try {
        const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_compare_slotgraph' }, store, log: quiet, livePollMs: 0 });
        /** Leaves the user's Redis as it was: every key of this run goes (SCAN patterns are not prefixed, DEL is). */
        const dropKeys = async () => {
          if (!redis) return;
          let cursor = '0';
          do {
            const [next, keys] = await redis.client.scan(cursor, 'MATCH', `${keyPrefix}*`, 'COUNT', 500);
            cursor = next;
            if (keys.length > 0) await redis.client.del(...keys.map((k) => k.slice(keyPrefix.length)));
          } while (cursor !== '0');
        };
        return {
          key: redis ? 'sg-redis' : 'sg-memory',
          name: redis ? 'slotgraph (Redis store)' : 'slotgraph (in-process store)',
          cpuScope: 'bench',
          ...slotgraphClient(gateway.graphqlUrl),
          serverCpuMs: () => NaN,
          rssMb: () => process.memoryUsage().rss / 2 ** 20,
          stop: async () => {
            await gateway.close();
            await dropKeys();
            await store.close();
          },
        };
      } catch (err) {
        await store.close();
        throw err;
      }
    });
}

/** A system served by a child process: CPU and RSS are its process group's. */
function childSystem(key: string, name: string, { child, logTail }: { child: ChildProcess; logTail(): string }, client: Client) {
  return {
    key,
    name,
    cpuScope: 'server' as const,
    ...client,
    serverCpuMs: () => groupUsage(child.pid!).cpuMs,
    rssMb: () => groupUsage(child.pid!).rssMb,
    logTail,
    stop: () => stopChild(child),
  };
}

/**
 * slotgraph as deployed (`npm start`: node --import tsx src/main.ts) in its own process, for CPU
 * and RSS comparable with the Mesh gateway's. A minimal environment: nothing of ours leaks in.
 */
export const slotgraphProcess: Factory = (options) =>
  onSim(options, async (sim) => {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: os.tmpdir(),
      HOST: '127.0.0.1',
      CALCOM_API_URL: sim.apiUrl,
      CALCOM_API_KEY: 'cal_bench_compare_slotgraph_process',
      LOG_LEVEL: 'warn',
      AVAILABILITY_LIVE_POLL_MS: '0',
      // The Mesh gateway authenticates nobody; so here too (npm start refuses anonymous callers by default).
      SLOTGRAPH_ALLOW_ANONYMOUS: 'true',
    };
    const started = await spawnServer('slotgraph (npm start)', ['--import', 'tsx', 'src/main.ts'], ROOT, env, '/readyz');
    return childSystem('sg-process', 'slotgraph (own process, npm start)', started, slotgraphClient(`${started.url}/graphql`));
  });

// ---------------------------------------------------------------------------------------------
// (b) The Mesh peer: install, compose, start.

/**
 * What Mesh generates for GET /v2/slots: every query parameter is `JSON` (the document's schemas are
 * `{}`), and the days come only through `additionalProperties` (the whole upstream body): the 200
 * schema is a `oneOf` of maps whose typed fields were built from the document's example dates.
 */
const MESH_SLOTS =
  'query($id: JSON!, $start: JSON!, $end: JSON!, $tz: JSON) { SlotsController_2024_09_04_getAvailableSlots(eventTypeId: $id, start: $start, end: $end, timeZone: $tz) { ... on Default_format_or_with_format_EQUALS_time { status additionalProperties } } }';
/**
 * What Mesh generates for POST /v2/bookings (bench/peer-mesh/README.md): the body is the input
 * `CreateBookingInput_2024_08_13_Input` (typed); only `status` is asked for, because `data` is typed
 * as a list (one member of its `oneOf` is an array) and Cal.com's single booking fails it.
 */
const MESH_BOOK = 'mutation($in: CreateBookingInput_2024_08_13_Input) { BookingsController_2024_08_13_createBooking(input: $in) { status } }';

/** Mesh's operations: a check = the slots query; a search = the old search's 7 slots queries, in sequence; a booking = the bookings mutation. */
function meshClient(url: string): Client {
  const check = async (c: Check): Promise<Outcome> => {
    const a = await graphql(url, MESH_SLOTS, { id: c.eventTypeId, start: c.start, end: c.end, tz: c.zone });
    const body = a.body.data?.SlotsController_2024_09_04_getAvailableSlots?.additionalProperties;
    return !a.body.errors && body?.status === 'success' ? ok(slotStarts(body)) : failed(answerText(a));
  };
  return {
    check,
    async alternatives(w) {
      const outcomes: Outcome[] = [];
      for (const { first, days } of naiveSearchWindows(DateTime.fromISO(w.wishedLocal, { zone: w.zone }))) {
        outcomes.push(await check({ eventTypeId: w.eventTypeId, start: first.toISODate()!, end: first.plus({ days: days - 1 }).toISODate()!, zone: w.zone }));
      }
      return outcomes.find((o) => o.result !== 'ok') ?? ok();
    },
    async book(b) {
      const a = await graphql(url, MESH_BOOK, { in: b });
      if (!a.body.errors && a.body.data?.BookingsController_2024_08_13_createBooking?.status === 'success') return ok();
      const upstream = a.body.errors?.[0]?.extensions?.response;
      return isSlotTaken(upstream?.status, upstream?.body?.error?.message) ? { result: 'refused' } : failed(answerText(a));
    },
  };
}

export interface Peer {
  dir: string;
  gatewayBin: string;
  versions: Record<string, string>;
  setup: string;
}

const sha = (...parts: Array<string | Buffer>) => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex').slice(0, 12);
};

/** Runs a command to completion; rejects with the tail of its output. */
function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: peerEnv({}), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const keep = (b: Buffer) => (out = (out + b.toString()).slice(-4000));
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (err) => (clearTimeout(timer), reject(err)));
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve();
      else {
        const lines = out.split('\n').filter((l) => l.trim() && !l.includes('Unknown user config'));
        // npm's own summary lines (error code, failed request) say more than the last lines.
        const telling = lines.filter((l) => /npm error (code|errno|network|request to|\d{3} )/.test(l));
        const tail = (telling.length > 0 ? telling.slice(0, 3) : lines.slice(-6)).join(' | ');
        reject(new Error(`\`${path.basename(cmd)} ${args[0] ?? ''}\` ${signal ? `killed (${signal}, over ${timeoutMs / 1000} s)` : `exited ${code}`}: ${tail}`));
      }
    });
  });
}

/** The environment of the peer's processes: ours, minus what would change how they run. */
function peerEnv(extra: Record<string, string>) {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  for (const k of ['NODE_OPTIONS', 'NODE_ENV', 'PORT', 'HOST', 'FORK', 'CONFIG_PATH', 'POLLING']) delete env[k];
  // Under `npm run bench`, npm describes the project to its scripts: nothing of it may reach the
  // peer's `npm install`, which must work on the scratch folder alone.
  for (const k of Object.keys(env)) if (k === 'npm_config_local_prefix' || k.startsWith('npm_package_') || k.startsWith('npm_lifecycle_')) delete env[k];
  return env;
}

const binOf = (dir: string, pkg: string, bin: string) => {
  const root = path.join(dir, 'node_modules', pkg);
  const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  return { file: path.join(root, typeof manifest.bin === 'string' ? manifest.bin : manifest.bin[bin]), version: manifest.version as string };
};

/**
 * Installs the peer into os.tmpdir()/slotgraph-bench-mesh-<hash of package.json> unless already
 * there (installed into a side folder, then renamed, so an interrupted install is never reused),
 * and composes the supergraph when the composition's inputs changed.
 */
export async function preparePeer(): Promise<Peer> {
  const pkg = readFileSync(path.join(PEER_SRC, 'package.json'));
  const dir = path.join(os.tmpdir(), `slotgraph-bench-mesh-${sha(pkg)}`);
  let setup: string;
  if (existsSync(path.join(dir, '.installed'))) setup = `reused ${dir}`;
  else {
    const t0 = performance.now();
    const side = `${dir}.partial-${process.pid}`;
    rmSync(side, { recursive: true, force: true });
    mkdirSync(side, { recursive: true });
    writeFileSync(path.join(side, 'package.json'), pkg);
    try {
      await run(
        'npm',
        ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', '--fetch-retries=1', '--fetch-retry-mintimeout=2000', '--fetch-retry-maxtimeout=5000'],
        side,
        600_000,
      );
      writeFileSync(path.join(side, '.installed'), new Date().toISOString());
      // Another run may have finished first: then its folder stays, and ours goes.
      if (!existsSync(path.join(dir, '.installed'))) {
        rmSync(dir, { recursive: true, force: true });
        renameSync(side, dir);
      }
    } finally {
      rmSync(side, { recursive: true, force: true });
    }
    setup = `installed into ${dir} in ${((performance.now() - t0) / 1000).toFixed(0)} s`;
  }
  // Composition inputs live in compose/: the gateway's folder must hold no mesh.config.*, or Hive
  // Gateway loads it (and @omnigraph/openapi with it) at start.
  const compose = path.join(dir, 'compose');
  mkdirSync(compose, { recursive: true });
  for (const f of ['mesh.config.mjs', 'calcom-slots.openapi.json']) copyFileSync(path.join(PEER_SRC, f), path.join(compose, f));
  copyFileSync(path.join(PEER_SRC, 'gateway.cached.config.mjs'), path.join(dir, 'gateway.cached.config.mjs'));
  const inputs = sha(pkg, ...['mesh.config.mjs', 'calcom-slots.openapi.json'].map((f) => readFileSync(path.join(PEER_SRC, f))));
  const stamp = path.join(dir, '.composed');
  if (!existsSync(path.join(dir, 'supergraph.graphql')) || !existsSync(stamp) || readFileSync(stamp, 'utf8') !== inputs) {
    const composer = binOf(dir, '@graphql-mesh/compose-cli', 'mesh-compose');
    await run(process.execPath, [composer.file, '-o', '../supergraph.graphql'], compose, 120_000);
    writeFileSync(stamp, inputs);
    setup += ', supergraph composed';
  }
  const gateway = binOf(dir, '@graphql-hive/gateway', 'hive-gateway');
  const versions: Record<string, string> = {};
  for (const p of ['@graphql-hive/gateway', '@graphql-hive/gateway-runtime', '@graphql-mesh/compose-cli', '@omnigraph/openapi', 'graphql']) {
    try {
      versions[p] = JSON.parse(readFileSync(path.join(dir, 'node_modules', p, 'package.json'), 'utf8')).version;
    } catch {
      // not installed at the top level: not reported
    }
  }
  return { dir, gatewayBin: gateway.file, versions, setup };
}

/** (b) hive-gateway over the composed supergraph, `plain` or `cached` (response cache + in-flight dedup). */
export function startMesh(peer: Peer, variant: 'plain' | 'cached'): Factory {
  return (options) =>
    onSim(options, async (sim) => {
      const source = variant === 'plain' ? ['supergraph.graphql'] : ['-c', 'gateway.cached.config.mjs'];
      const started = await spawnServer(
        `hive-gateway (${variant})`,
        [peer.gatewayBin, 'supergraph', ...source, '--host', '127.0.0.1', '--port', '{port}', '--fork', '1'],
        peer.dir,
        peerEnv({ CALCOM_ORIGIN: sim.url, CALCOM_API_KEY: `cal_bench_mesh_${variant}` }),
        '/readiness',
      );
      const name = variant === 'plain' ? '(b) Mesh + Hive Gateway (plain)' : '(b) Mesh + Hive Gateway (response cache + dedup)';
      return childSystem(`mesh-${variant}`, name, started, meshClient(`${started.url}/graphql`));
    });
}
