/**
 * Mesh scenario (issue 13): slotgraph against the generic gateway users would otherwise pick,
 * GraphQL Mesh (compose) + Hive Gateway over Cal.com's OpenAPI document, (b1) plain and (b2) with
 * its response cache and in-flight deduplication. Same workloads against each, every system with
 * its own embedded simulator (so upstream calls and 429s are counted per system), loopback only:
 *
 * 1. warm burst: 20 concurrent clients asking the same 7-day availability, rounds after a warm-up;
 * 2. cold: distinct weeks one after the other on an empty cache;
 * 3. burst 0→25 callers mixing single-day checks of three event types over four days, with the
 *    simulator at Cal.com's real limit (120 per 60 s, then blocked for 60 s).
 *
 * The peer (bench/peer-mesh: pinned package.json, configs, Cal.com's OpenAPI document trimmed to the
 * two operations used) is installed with `npm install` into a scratch folder under the OS temp dir,
 * keyed by the hash of its package.json and reused; never into the project. Offline, the Mesh
 * columns are skipped with the reason and slotgraph's figures still print.
 *
 * slotgraph runs twice: in this process through startGateway with an in-process store (as the
 * other scenarios do; its CPU and RSS are then this whole process's, client and simulators
 * included, and it shares one event loop with the client), and in its own process as `npm start`
 * runs it, so CPU and RSS compare with the Mesh gateway's (each child's process group from /proc).
 * The bench process's CPU during a child's run (client + simulator) is shown beside it for scale.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startGateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator, type CalcomSimulator } from '../src/sim/server.js';
import { createMemoryStore, createRedisStore, type Store } from '../src/store/index.js';
import { admin, countCalls } from './naive.js';
import { percentile, pool, printTable, ratio } from './support.js';

const LATENCY_MS = 300;
const WARM_CLIENTS = 20;
const WARM_WARMUP_ROUNDS = 5;
const WARM_ROUNDS = 30;
const COLD_QUERIES = 20;
const COLD_WARMUP = 10;
const BURST_CALLERS = 25;
const BURST_CHECKS = 6;
/** Callers join one every this many ms: 0 → 25 in one second. */
const BURST_RAMP_MS = 40;
const CALCOM_LIMIT = { limit: 120, windowMs: 60_000, blockMs: 60_000 };
const NO_LIMIT = { limit: 100_000, windowMs: 60_000, blockMs: 60_000 };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';

const PEER_SRC = fileURLToPath(new URL('./peer-mesh/', import.meta.url));
const ROOT = fileURLToPath(new URL('../', import.meta.url));
const RESULTS = fileURLToPath(new URL('./results/mesh.json', import.meta.url));
const quiet = pino({ level: 'silent' });

// ---------------------------------------------------------------------------------------------
// The peer: install, compose, start, measure, stop.

interface Peer {
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
async function preparePeer(): Promise<Peer> {
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

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Live child servers, killed on exit whatever happens (see also the signal handlers in runMeshScenario). */
const children = new Set<ChildProcess>();
function killChildren() {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.once('exit', killChildren);

let clockTicks: number | undefined;
/** CPU ms and RSS (MB) of every process in a process group, from /proc (Linux); NaN elsewhere. */
function groupUsage(pgid: number): { cpuMs: number; rssMb: number } {
  if (!existsSync('/proc/self/stat')) return { cpuMs: NaN, rssMb: NaN };
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  let ticks = 0;
  let rssKb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] is field 3 (state): pgrp is field 5, utime..cstime fields 14..17.
      if (Number(f[2]) !== pgid) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      rssKb += Number(rss?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return { cpuMs: (ticks * 1000) / clockTicks, rssMb: rssKb / 1024 };
}

// ---------------------------------------------------------------------------------------------
// Systems under test, as the client sees them.

interface Check {
  eventTypeId: number;
  start: string;
  end: string;
  zone: string;
}

interface Target {
  name: string;
  /** Served by this process (CPU and RSS then are this whole process's). */
  inProcess: boolean;
  url: string;
  sim: CalcomSimulator;
  body(check: Check): string;
  ok(answer: any): boolean;
  /** Cumulative CPU ms of the server process(es); NaN when the server is this process. */
  serverCpuMs(): number;
  rssMb(): number;
  close(): Promise<void>;
}

const SLOTGRAPH_QUERY =
  'query($id: Int!, $start: LocalDate!, $end: LocalDate!, $tz: TimeZone!) { availability(eventTypeId: $id, start: $start, end: $end, timeZone: $tz) { timeZone stale days { date slots { start end localTime utcOffset } } } }';
/**
 * What Mesh generates for GET /v2/slots: every query parameter is `JSON` (the document's schemas are
 * `{}`), and the days come only through `additionalProperties` (the whole upstream body): the 200
 * schema is a `oneOf` of maps whose typed fields were built from the document's example dates.
 */
const MESH_QUERY =
  'query($id: JSON!, $start: JSON!, $end: JSON!, $tz: JSON) { SlotsController_2024_09_04_getAvailableSlots(eventTypeId: $id, start: $start, end: $end, timeZone: $tz) { ... on Default_format_or_with_format_EQUALS_time { status additionalProperties } } }';

async function startSim(rateLimit: typeof CALCOM_LIMIT) {
  const sim = await startCalcomSimulator({ port: 0 });
  await admin(sim, 'PUT', 'config', { latencyMs: { min: LATENCY_MS, max: LATENCY_MS }, rateLimit });
  return sim;
}

async function startSlotgraph(name: string, rateLimit: typeof CALCOM_LIMIT, redisUrl?: string): Promise<Target> {
  const sim = await startSim(rateLimit);
  let store: Store | undefined;
  try {
    const keyPrefix = `slotgraph-bench-mesh-${process.pid}-${Date.now()}:`;
    const redis = redisUrl ? await createRedisStore({ url: redisUrl, keyPrefix }) : undefined;
    store = redis ?? createMemoryStore();
    const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_mesh_slotgraph' }, store, log: quiet, livePollMs: 0 });
    const s = store;
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
      name,
      inProcess: true,
      url: gateway.graphqlUrl,
      sim,
      ...slotgraphShape,
      serverCpuMs: () => NaN,
      rssMb: () => process.memoryUsage().rss / 2 ** 20,
      close: async () => {
        await gateway.close();
        await dropKeys();
        await s.close();
        await sim.close();
      },
    };
  } catch (err) {
    await store?.close();
    await sim.close();
    throw err;
  }
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return void children.delete(child);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/**
 * Spawns a server in its own process group (so it and anything it forks are measured and stopped
 * together) and waits until `readyPath` answers 200.
 */
async function spawnServer(label: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, readyPath: string) {
  const port = await freePort();
  const child = spawn(process.execPath, [...args.map((a) => a.replace('{port}', String(port)))], { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...env, PORT: String(port) } });
  children.add(child);
  try {
    let log = '';
    const keep = (b: Buffer) => (log = (log + b.toString()).slice(-4000));
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label} exited ${child.exitCode}: ${log.slice(-800)}`);
      if (Date.now() > deadline) throw new Error(`${label} not ready within 60 s: ${log.slice(-800)}`);
      if (await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false)) return { child, url };
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}

/** A target served by a child process: CPU and RSS are its process group's. */
function childTarget(name: string, sim: CalcomSimulator, child: ChildProcess, graphqlUrl: string, shape: Pick<Target, 'body' | 'ok'>): Target {
  return {
    name,
    inProcess: false,
    url: graphqlUrl,
    sim,
    ...shape,
    serverCpuMs: () => groupUsage(child.pid!).cpuMs,
    rssMb: () => groupUsage(child.pid!).rssMb,
    close: async () => {
      await stopChild(child);
      await sim.close();
    },
  };
}

const slotgraphShape: Pick<Target, 'body' | 'ok'> = {
  body: (c) => JSON.stringify({ query: SLOTGRAPH_QUERY, variables: { id: c.eventTypeId, start: c.start, end: c.end, tz: c.zone } }),
  ok: (a) => !a.errors && Array.isArray(a.data?.availability?.days),
};
const meshShape: Pick<Target, 'body' | 'ok'> = {
  body: (k) => JSON.stringify({ query: MESH_QUERY, variables: { id: k.eventTypeId, start: k.start, end: k.end, tz: k.zone } }),
  ok: (a) => !a.errors && a.data?.SlotsController_2024_09_04_getAvailableSlots?.additionalProperties?.status === 'success',
};

async function startMesh(peer: Peer, variant: 'plain' | 'cached', rateLimit: typeof CALCOM_LIMIT): Promise<Target> {
  const sim = await startSim(rateLimit);
  try {
    const source = variant === 'plain' ? ['supergraph.graphql'] : ['-c', 'gateway.cached.config.mjs'];
    const { child, url } = await spawnServer(
      `hive-gateway (${variant})`,
      [peer.gatewayBin, 'supergraph', ...source, '--host', '127.0.0.1', '--port', '{port}', '--fork', '1'],
      peer.dir,
      peerEnv({ CALCOM_ORIGIN: sim.url, CALCOM_API_KEY: `cal_bench_mesh_${variant}` }),
      '/readiness',
    );
    const name = variant === 'plain' ? 'Mesh + Hive Gateway (plain)' : 'Mesh + Hive Gateway (response cache + dedup)';
    return childTarget(name, sim, child, `${url}/graphql`, meshShape);
  } catch (err) {
    await sim.close();
    throw err;
  }
}

/**
 * slotgraph as deployed (`npm start`: node --import tsx src/main.ts) in its own process, for CPU
 * and RSS comparable with the Mesh gateway's. A minimal environment: nothing of ours leaks in.
 */
async function startSlotgraphProcess(rateLimit: typeof CALCOM_LIMIT): Promise<Target> {
  const sim = await startSim(rateLimit);
  try {
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      TMPDIR: os.tmpdir(),
      HOST: '127.0.0.1',
      CALCOM_API_URL: sim.apiUrl,
      CALCOM_API_KEY: 'cal_bench_mesh_slotgraph_process',
      LOG_LEVEL: 'warn',
      AVAILABILITY_LIVE_POLL_MS: '0',
      // The Mesh gateway authenticates nobody; so here too (npm start refuses anonymous callers by default).
      SLOTGRAPH_ALLOW_ANONYMOUS: 'true',
    };
    const { child, url } = await spawnServer('slotgraph (npm start)', ['--import', 'tsx', 'src/main.ts'], ROOT, env, '/readyz');
    return childTarget('slotgraph (own process, npm start)', sim, child, `${url}/graphql`, slotgraphShape);
  } catch (err) {
    await sim.close();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Tally {
  latencies: number[];
  errors: number;
  /** The first failed answer, for the report. */
  firstError?: string;
  benchCpuUs: number;
  serverCpuMs: number;
}
const newTally = (): Tally => ({ latencies: [], errors: 0, benchCpuUs: 0, serverCpuMs: 0 });

async function ask(target: Target, check: Check, tally: Tally) {
  const t = performance.now();
  let failure: string | undefined;
  try {
    const res = await fetch(target.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: target.body(check) });
    const answer = await res.json();
    if (!target.ok(answer)) failure = `HTTP ${res.status} ${JSON.stringify(answer).slice(0, 300)}`;
  } catch (err) {
    failure = String(err);
  }
  tally.latencies.push(performance.now() - t);
  if (failure !== undefined) {
    tally.errors += 1;
    tally.firstError ??= failure;
  }
}

/** Runs `fn` and adds this process's CPU and the target's server CPU meanwhile to `tally`. */
async function metered(target: Target, tally: Tally, fn: () => Promise<unknown>) {
  const cpu0 = process.cpuUsage();
  const server0 = target.serverCpuMs();
  await fn();
  const cpu = process.cpuUsage(cpu0);
  tally.benchCpuUs += cpu.user + cpu.system;
  tally.serverCpuMs += target.serverCpuMs() - server0;
}

interface Row {
  workload: string;
  system: string;
  inProcess: boolean;
  operations: number;
  errors: number;
  firstError?: string;
  upstreamCalls: number;
  slotsCalls: number;
  callsPerOp: number;
  upstream429: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** Mesh: the gateway process group; slotgraph: this whole process (client and simulator included). */
  serverCpuMsPerOp: number;
  /** This process's CPU during the run: client + simulator (+ slotgraph itself on slotgraph's rows). */
  benchCpuMsPerOp: number;
  rssMb: number;
}

async function row(workload: string, target: Target, tally: Tally): Promise<Row> {
  const stats = await admin(target.sim, 'GET', 'stats');
  const calls = await countCalls(target.sim);
  const n = tally.latencies.length;
  const benchCpu = tally.benchCpuUs / 1000 / n;
  return {
    workload,
    system: target.name,
    inProcess: target.inProcess,
    operations: n,
    errors: tally.errors,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
    upstreamCalls: calls.total,
    slotsCalls: calls.slots,
    callsPerOp: calls.total / n,
    upstream429: stats.rateLimited,
    p50Ms: percentile(tally.latencies, 50),
    p95Ms: percentile(tally.latencies, 95),
    p99Ms: percentile(tally.latencies, 99),
    serverCpuMsPerOp: target.inProcess ? benchCpu : tally.serverCpuMs / n,
    benchCpuMsPerOp: benchCpu,
    rssMb: target.rssMb(),
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads.

type Factory = Array<(rateLimit: typeof CALCOM_LIMIT) => Promise<Target>>;

async function withTargets<T>(factories: Factory, rateLimit: typeof CALCOM_LIMIT, fn: (targets: Target[]) => Promise<T>): Promise<T> {
  const targets: Target[] = [];
  try {
    for (const f of factories) targets.push(await f(rateLimit));
    return await fn(targets);
  } finally {
    for (const t of targets) await t.close();
  }
}

/** Rounds alternate the order of the systems, so a noisy neighbour lands on all of them. */
const rotated = <T>(xs: T[], r: number) => xs.map((_, i) => xs[(i + r) % xs.length]!);

async function warmBurst(factories: Factory, today: DateTime): Promise<Row[]> {
  const check: Check = { eventTypeId: DEMO.haircut, start: today.plus({ days: 1 }).toISODate()!, end: today.plus({ days: 7 }).toISODate()!, zone: BERLIN };
  return withTargets(factories, NO_LIMIT, async (targets) => {
    const burst = (t: Target, tally: Tally) => Promise.all(Array.from({ length: WARM_CLIENTS }, () => ask(t, check, tally)));
    for (let r = 0; r < WARM_WARMUP_ROUNDS; r++) for (const t of targets) await burst(t, newTally());
    for (const t of targets) await admin(t.sim, 'DELETE', 'stats');
    const tallies = new Map(targets.map((t) => [t, newTally()]));
    for (let r = 0; r < WARM_ROUNDS; r++) {
      for (const t of rotated(targets, r)) await metered(t, tallies.get(t)!, () => burst(t, tallies.get(t)!));
    }
    return Promise.all(targets.map((t) => row('warm burst', t, tallies.get(t)!)));
  });
}

async function cold(factories: Factory, today: DateTime): Promise<Row[]> {
  // Weeks two weeks apart: slotgraph widens a fetch to whole 7-day blocks (and a local week spans
  // 8 UTC days), so adjacent weeks would partly be answered from the previous fetch.
  const checks: Check[] = Array.from({ length: COLD_QUERIES }, (_, i) => {
    const first = today.plus({ days: 7 + 14 * i });
    return { eventTypeId: DEMO.haircut, start: first.toISODate()!, end: first.plus({ days: 6 }).toISODate()!, zone: BERLIN };
  });
  return withTargets(factories, NO_LIMIT, async (targets) => {
    // Warm-up on another event type, the same kind of query (JIT of the cold path, connections),
    // then counters reset: every system is a fresh process or gateway here.
    for (const t of targets) {
      for (let i = 0; i < COLD_WARMUP; i++) {
        const first = today.plus({ days: 7 + 14 * i });
        await ask(t, { eventTypeId: DEMO.teamConsultation, start: first.toISODate()!, end: first.plus({ days: 6 }).toISODate()!, zone: NEW_YORK }, newTally());
      }
      await admin(t.sim, 'DELETE', 'stats');
    }
    const tallies = new Map(targets.map((t) => [t, newTally()]));
    for (const [i, check] of checks.entries()) {
      for (const t of rotated(targets, i)) await metered(t, tallies.get(t)!, () => ask(t, check, tallies.get(t)!));
    }
    return Promise.all(targets.map((t) => row('cold', t, tallies.get(t)!)));
  });
}

async function burst(factories: Factory, _today: DateTime): Promise<Row[]> {
  const types = [DEMO.haircut, DEMO.cutAndColour, DEMO.teamConsultation];
  const callerChecks = (i: number): Check[] =>
    Array.from({ length: BURST_CHECKS }, (_, j) => {
      const eventTypeId = types[(i + j) % types.length]!;
      const zone = eventTypeId === DEMO.teamConsultation ? NEW_YORK : BERLIN;
      const day = DateTime.now().setZone(zone).startOf('day').plus({ days: 1 + ((i + 2 * j) % 4) }).toISODate()!;
      return { eventTypeId, start: day, end: day, zone };
    });
  return withTargets(factories, CALCOM_LIMIT, async (targets) => {
    const rows: Row[] = [];
    // One system at a time (each has its own simulator and quota): the burst is the subject.
    for (const t of targets) {
      const tally = newTally();
      await metered(t, tally, () =>
        Promise.all(
          Array.from({ length: BURST_CALLERS }, async (_, i) => {
            await new Promise((r) => setTimeout(r, i * BURST_RAMP_MS));
            for (const check of callerChecks(i)) await ask(t, check, tally);
          }),
        ),
      );
      rows.push(await row('burst 0→25', t, tally));
    }
    return rows;
  });
}

// ---------------------------------------------------------------------------------------------

const fmt = (v: number) => (Number.isFinite(v) ? Math.round(v * 100) / 100 : 'n/a');

function print(rows: Row[]) {
  printTable(
    rows.map((r) => ({
      system: r.system,
      ops: r.operations,
      errors: r.errors,
      'upstream calls': r.upstreamCalls,
      'of which slots': r.slotsCalls,
      'calls/op': fmt(r.callsPerOp),
      '429s': r.upstream429,
      'p50 ms': fmt(r.p50Ms),
      'p95 ms': fmt(r.p95Ms),
      'p99 ms': fmt(r.p99Ms),
      'server CPU ms/op': r.inProcess ? `${fmt(r.serverCpuMsPerOp)}*` : fmt(r.serverCpuMsPerOp),
      'bench CPU ms/op': fmt(r.benchCpuMsPerOp),
      'RSS MB': r.inProcess ? `${fmt(r.rssMb)}*` : fmt(r.rssMb),
    })),
  );
  for (const r of rows) if (r.firstError) console.log(`${r.system}: ${r.errors} failed answers, the first: ${r.firstError}`);
}

export async function runMeshScenario() {
  // Ctrl-C or a kill must not leave gateways running in their own process groups.
  const onSignal = (signal: NodeJS.Signals) => {
    killChildren();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    await meshScenario();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

async function meshScenario() {
  const t0 = performance.now();
  console.log(`\n## Mesh: slotgraph against GraphQL Mesh + Hive Gateway over Cal.com's OpenAPI (simulator latency ${LATENCY_MS} ms, loopback)\n`);
  let peer: Peer | undefined;
  let skipped: string | undefined;
  try {
    peer = await preparePeer();
    console.log(`Mesh peer: ${Object.entries(peer.versions).map(([k, v]) => `${k} ${v}`).join(', ')} (${peer.setup})`);
  } catch (err) {
    skipped = `could not install the peer: ${(err as Error).message}`;
    console.log(`Mesh columns SKIPPED, ${skipped}. slotgraph's figures follow alone.`);
  }

  const redisUrl = process.env.REDIS_URL;
  const slotgraphFactories: Factory = [(rl) => startSlotgraph('slotgraph (in-process store)', rl)];
  if (redisUrl) slotgraphFactories.push((rl) => startSlotgraph('slotgraph (Redis store)', rl, redisUrl));
  slotgraphFactories.push(startSlotgraphProcess);
  const factories = (): Factory => (peer && !skipped ? [...slotgraphFactories, (rl) => startMesh(peer!, 'plain', rl), (rl) => startMesh(peer!, 'cached', rl)] : slotgraphFactories);

  /** Runs a workload; if a Mesh gateway fails to start or serve, drops the Mesh columns from then on. */
  const workload = async (title: string, fn: (f: Factory, today: DateTime) => Promise<Row[]>) => {
    console.log(`\n### ${title}\n`);
    const today = DateTime.now().setZone(BERLIN).startOf('day');
    let rows: Row[];
    try {
      rows = await fn(factories(), today);
    } catch (err) {
      if (skipped || !peer) throw err;
      skipped = `Mesh gateway failed: ${(err as Error).message}`;
      console.log(`Mesh columns SKIPPED from here on (${skipped})`);
      rows = await fn(factories(), today);
    }
    print(rows);
    return rows;
  };

  const warmRows = await workload(
    `1. Warm burst: ${WARM_CLIENTS} concurrent clients, the same 7-day availability of event type ${DEMO.haircut}, ${WARM_ROUNDS} rounds after ${WARM_WARMUP_ROUNDS} warm-up rounds (rounds alternate the systems)`,
    warmBurst,
  );
  const coldRows = await workload(`2. Cold: ${COLD_QUERIES} distinct weeks of event type ${DEMO.haircut}, one at a time, empty caches (after ${COLD_WARMUP} weeks of event type ${DEMO.teamConsultation} as warm-up)`, cold);
  const burstRows = await workload(
    `3. Burst 0→${BURST_CALLERS} callers (one more every ${BURST_RAMP_MS} ms), ${BURST_CHECKS} single-day checks each over 3 event types × 4 days, simulator at Cal.com's limit (${CALCOM_LIMIT.limit} per ${CALCOM_LIMIT.windowMs / 1000} s, then ${CALCOM_LIMIT.blockMs / 1000} s blocked)`,
    burst,
  );
  console.log(
    '\n* in this process: CPU and RSS are the whole bench process (client, simulators and harness included).' +
      '\n  Own-process rows (slotgraph via npm start, Mesh): CPU and RSS of the server\'s process group only; "bench CPU" is this process meanwhile (client + simulator).',
  );

  const ratios: Record<string, string> = {};
  const pick = (prefix: string) => {
    const [warm, coldRow, burstRow] = [warmRows, coldRows, burstRows].map((rows) => rows.find((r) => r.system.startsWith(prefix)));
    return warm && coldRow && burstRow ? { warm, cold: coldRow, burst: burstRow } : undefined;
  };
  const plain = pick('Mesh + Hive Gateway (plain)');
  const cached = pick('Mesh + Hive Gateway (response');
  const sides = [
    { label: 'slotgraph', row: pick('slotgraph (in-process') },
    { label: 'slotgraph own process', row: pick('slotgraph (own process') },
  ];
  if (plain && cached) {
    for (const { label, row: sg } of sides) {
      if (!sg) continue;
      Object.assign(ratios, {
        [`warm burst p50, Mesh+cache / ${label}`]: ratio(cached.warm.p50Ms, sg.warm.p50Ms),
        [`warm burst p50, Mesh plain / ${label}`]: ratio(plain.warm.p50Ms, sg.warm.p50Ms),
        [`warm burst server CPU/op, Mesh+cache / ${label}${sg.warm.inProcess ? ' (incl. client and simulator)' : ''}`]: ratio(cached.warm.serverCpuMsPerOp, sg.warm.serverCpuMsPerOp),
        [`cold p50, Mesh+cache / ${label}`]: ratio(cached.cold.p50Ms, sg.cold.p50Ms),
        [`cold upstream calls, Mesh+cache / ${label}`]: ratio(cached.cold.upstreamCalls, sg.cold.upstreamCalls),
        [`burst upstream calls, Mesh plain / ${label}`]: ratio(plain.burst.upstreamCalls, sg.burst.upstreamCalls),
        [`burst upstream calls, Mesh+cache / ${label}`]: ratio(cached.burst.upstreamCalls, sg.burst.upstreamCalls),
        [`burst 429s (${label} / Mesh plain / Mesh+cache)`]: `${sg.burst.upstream429} / ${plain.burst.upstream429} / ${cached.burst.upstream429}`,
        [`burst failed answers (${label} / Mesh plain / Mesh+cache)`]: `${sg.burst.errors} / ${plain.burst.errors} / ${cached.burst.errors}`,
      });
    }
    console.log('');
    for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v}`);
  }

  const seconds = (performance.now() - t0) / 1000;
  console.log(`\nmesh scenario: ${seconds.toFixed(0)} s; rows written to bench/results/mesh.json`);
  mkdirSync(path.dirname(RESULTS), { recursive: true });
  const cpus = os.cpus();
  writeFileSync(
    RESULTS,
    `${JSON.stringify(
      {
        scenario: 'mesh',
        date: new Date().toISOString(),
        machine: { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, totalMemMb: Math.round(os.totalmem() / 2 ** 20) },
        peer: peer ? { versions: peer.versions } : null,
        meshSkipped: skipped ?? null,
        settings: {
          simulatorLatencyMs: LATENCY_MS,
          warm: { clients: WARM_CLIENTS, warmupRounds: WARM_WARMUP_ROUNDS, rounds: WARM_ROUNDS },
          cold: { queries: COLD_QUERIES, warmup: COLD_WARMUP, spacingDays: 14 },
          burst: { callers: BURST_CALLERS, checksPerCaller: BURST_CHECKS, rampMs: BURST_RAMP_MS, rateLimit: CALCOM_LIMIT },
          redis: Boolean(redisUrl),
        },
        notes: [
          'inProcess rows (slotgraph via startGateway): serverCpuMsPerOp and rssMb are the whole bench process (client and simulators included).',
          'Other rows (slotgraph via npm start, hive-gateway): serverCpuMsPerOp and rssMb are the server process group (from /proc); benchCpuMsPerOp is the bench process meanwhile (client + simulator).',
          'Every system has its own simulator, so upstream calls and 429s are its own.',
        ],
        rows: [...warmRows, ...coldRows, ...burstRows],
        ratios,
        seconds: Math.round(seconds),
      },
      (_key, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v),
      2,
    )}\n`,
  );
}
