/**
 * Comparison harness (issue 13), `npm run bench -- compare` (alias `mesh`): the same workloads
 * against (a) the old approach (the replaced system's logic as a client of its simulator, through
 * its fixed-window limiter), (b) GraphQL Mesh (compose) + Hive Gateway over Cal.com's OpenAPI
 * document, plain and with its response cache and in-flight deduplication, and slotgraph with the
 * in-process store, with Redis (when REDIS_URL is set) and in its own process (`npm start`). Every
 * system has its own simulator in a process of its own (300 ms latency), so upstream calls and
 * 429s are its own; loopback only. The systems are in bench/systems.ts.
 *
 * Workloads (ids for the command line):
 *
 * - `warm-burst`: 20 concurrent clients asking the same 7-day availability, rounds after a warm-up;
 * - `cold`: distinct weeks one after the other on an empty cache;
 * - `burst`: 0→25 callers mixing single-day checks of three event types over four days, with the
 *   simulator at Cal.com's real limit (120 per 60 s, then blocked for 60 s);
 * - `voice`: the seeds' voice mix: 10 callers, each a seeded sequence (the same for every system) of
 *   actions with short think times: 60 % availability checks, 20 % alternatives, 20 % bookings of a
 *   slot the caller was offered, at Cal.com's limit;
 * - `coldstart`: 100 new event types (one host each), fresh servers, 300 single-day checks shuffled,
 *   20 at a time, at Cal.com's limit.
 *
 *   npm run bench -- compare                     # every workload
 *   npm run bench -- compare voice coldstart     # the named ones, in the order above
 *
 * Each workload prints one table, the comparisons "slotgraph vs (a)" and "slotgraph vs Mesh", and
 * writes bench/results/<workload>.json (machine, peer versions, settings, notes, rows, ratios).
 * Offline, the Mesh rows are skipped with the reason; the other systems still run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { DEMO } from '../src/sim/demo.js';
import { admin, countCalls, type SimUrls } from './naive.js';
import { withChildrenKilledOnSignal } from './processes.js';
import { pool, printTable, percentile, ratio, rng } from './support.js';
import {
  preparePeer,
  SIMULATOR_LATENCY_MS,
  slotgraphInProcess,
  slotgraphProcess,
  startMesh,
  startOldApproach,
  type Check,
  type Factory,
  type Outcome,
  type Peer,
  type RateLimit,
  type StartOptions,
  type Target,
  type Wish,
} from './systems.js';

const WARM_CLIENTS = 20;
const WARM_WARMUP_ROUNDS = 5;
const WARM_ROUNDS = 30;
const COLD_QUERIES = 20;
const COLD_WARMUP = 10;
const BURST_CALLERS = 25;
const BURST_CHECKS = 6;
/** Callers join one every this many ms: 0 → 25 in one second. */
const BURST_RAMP_MS = 40;
const VOICE_CALLERS = 10;
const VOICE_ACTIONS = 8;
/** Think time before each action, uniform in [min, max] ms. */
const VOICE_THINK_MS = { min: 1_000, max: 3_000 };
const COLDSTART_TYPES = 100;
const COLDSTART_FIRST_ID = 5001;
const COLDSTART_DAYS = 3;
const COLDSTART_CONCURRENCY = 20;
const CALCOM_LIMIT: RateLimit = { limit: 120, windowMs: 60_000, blockMs: 60_000 };
const NO_LIMIT: RateLimit = { limit: 100_000, windowMs: 60_000, blockMs: 60_000 };
const BERLIN = 'Europe/Berlin';
const NEW_YORK = 'America/New_York';
const RESULTS = fileURLToPath(new URL('./results/', import.meta.url));

// ---------------------------------------------------------------------------------------------
// Measuring.

interface Tally {
  /** Every operation's latency as the caller sees it (ms), failed ones included. */
  latencies: number[];
  /** The booking operations' latencies (ms). */
  bookingLatencies: number[];
  errors: number;
  refused: number;
  /** The first failed answer, for the report. */
  firstError?: string;
  /** `GET /v2/slots` calls a client without a cache would have sent for these operations. */
  cachelessSlots: number;
  benchCpuUs: number;
  serverCpuMs: number;
  /** Wall time of the metered runs (ms). */
  wallMs: number;
}
const newTally = (): Tally => ({ latencies: [], bookingLatencies: [], errors: 0, refused: 0, cachelessSlots: 0, benchCpuUs: 0, serverCpuMs: 0, wallMs: 0 });

/**
 * Runs one operation and adds it to `tally`: its latency (ms), its outcome, and the `cachelessSlots`
 * slots calls a cacheless client would have sent for it (a check 1, a search 7, a booking 0, or 1
 * when it first had to look for a slot).
 */
async function timedOp(tally: Tally, cachelessSlots: number, op: () => Promise<Outcome>, booking = false): Promise<Outcome> {
  const t = performance.now();
  const outcome = await op().catch((err): Outcome => ({ result: 'failed', failure: String(err) }));
  const ms = performance.now() - t;
  tally.latencies.push(ms);
  if (booking) tally.bookingLatencies.push(ms);
  tally.cachelessSlots += cachelessSlots;
  if (outcome.result === 'refused') tally.refused += 1;
  if (outcome.result === 'failed') {
    tally.errors += 1;
    tally.firstError ??= outcome.failure;
  }
  return outcome;
}

/** Runs `fn` and adds its wall time, this process's CPU and the target's server CPU meanwhile to `tally`. */
async function metered(target: Target, tally: Tally, fn: () => Promise<unknown>) {
  const cpu0 = process.cpuUsage();
  const server0 = target.serverCpuMs();
  const t0 = performance.now();
  await fn();
  tally.wallMs += performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  tally.benchCpuUs += cpu.user + cpu.system;
  tally.serverCpuMs += target.serverCpuMs() - server0;
}

interface Row {
  workload: string;
  key: string;
  system: string;
  cpuScope: Target['cpuScope'];
  operations: number;
  errors: number;
  refused: number;
  /** The first failed answer, for the report. */
  firstError?: string;
  /** With failures, the end of the server's output (own-process servers). */
  serverLogTail?: string;
  upstreamCalls: number;
  slotsCalls: number;
  callsPerOp: number;
  upstream429: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** 1 − slots calls ÷ the slots calls a cacheless client would have sent for the same operations. */
  hitRate: number;
  /** p95 of the booking operations' latency (ms); NaN without bookings. */
  criticalWaitP95Ms: number;
  /** Per `cpuScope`: the server's process group, this whole process, or (old approach) the client. */
  serverCpuMsPerOp: number;
  /** This process's CPU during the run: the client (+ slotgraph itself on in-process rows). */
  benchCpuMsPerOp: number;
  rssMb: number;
  /** Wall time of this system's share of the workload (s). */
  runSeconds: number;
}

async function row(workload: string, target: Target, tally: Tally): Promise<Row> {
  const stats = await admin(target.sim, 'GET', 'stats');
  const calls = await countCalls(target.sim);
  const n = tally.latencies.length;
  const benchCpu = tally.benchCpuUs / 1000 / n;
  return {
    workload,
    key: target.key,
    system: target.name,
    cpuScope: target.cpuScope,
    operations: n,
    errors: tally.errors,
    refused: tally.refused,
    ...(tally.firstError ? { firstError: tally.firstError } : {}),
    ...(tally.errors > 0 && target.logTail?.() ? { serverLogTail: target.logTail() } : {}),
    upstreamCalls: calls.total,
    slotsCalls: calls.slots,
    callsPerOp: calls.total / n,
    upstream429: stats.rateLimited,
    p50Ms: percentile(tally.latencies, 50),
    p95Ms: percentile(tally.latencies, 95),
    p99Ms: percentile(tally.latencies, 99),
    hitRate: tally.cachelessSlots > 0 ? 1 - calls.slots / tally.cachelessSlots : NaN,
    criticalWaitP95Ms: percentile(tally.bookingLatencies, 95),
    serverCpuMsPerOp: target.cpuScope === 'server' ? tally.serverCpuMs / n : benchCpu,
    benchCpuMsPerOp: benchCpu,
    rssMb: target.rssMb(),
    runSeconds: tally.wallMs / 1000,
  };
}

// ---------------------------------------------------------------------------------------------
// Workloads.

/**
 * A workload runs either against every system at once, interleaved (`together`: warm and cold,
 * where rounds alternate the systems so a noisy neighbour lands on all of them), or against one
 * system at a time (`alone`: the load is the subject), each started just before its turn and
 * stopped after it, so no idle system shares the machine or this process with it.
 */
interface Workload {
  id: string;
  title: string;
  /** The simulators' limit, and what to do on each simulator before its system starts. */
  start: StartOptions;
  settings: Record<string, unknown>;
  notes?: string[];
  together?(targets: Target[], today: DateTime): Promise<Row[]>;
  /** Runs the load against `target`, its operations into `tally` (metered and made a row by the caller). */
  alone?(target: Target, tally: Tally, today: DateTime): Promise<unknown>;
}

async function withTargets<T>(factories: Factory[], options: StartOptions, fn: (targets: Target[]) => Promise<T>): Promise<T> {
  const targets: Target[] = [];
  try {
    for (const f of factories) targets.push(await f(options));
    return await fn(targets);
  } finally {
    for (const t of targets) await t.close();
  }
}

/** Rounds alternate the order of the systems, so a noisy neighbour lands on all of them. */
const rotated = <T>(xs: T[], r: number) => xs.map((_, i) => xs[(i + r) % xs.length]!);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const localDay = (today: DateTime, days: number) => today.plus({ days }).toISODate()!;

const warmBurst: Workload = {
  id: 'warm-burst',
  title: `Warm burst: ${WARM_CLIENTS} concurrent clients, the same 7-day availability of event type ${DEMO.haircut}, ${WARM_ROUNDS} rounds after ${WARM_WARMUP_ROUNDS} warm-up rounds (rounds alternate the systems)`,
  start: { rateLimit: NO_LIMIT },
  settings: { clients: WARM_CLIENTS, warmupRounds: WARM_WARMUP_ROUNDS, rounds: WARM_ROUNDS, rateLimit: NO_LIMIT },
  notes: ['(a) has no cache: each of its operations is a call, through its limiter at the simulator\'s (here unlimited) limit.'],
  async together(targets, today) {
    const check: Check = { eventTypeId: DEMO.haircut, start: localDay(today, 1), end: localDay(today, 7), zone: BERLIN };
    const burst = (t: Target, tally: Tally) => Promise.all(Array.from({ length: WARM_CLIENTS }, () => timedOp(tally, 1, () => t.check(check))));
    for (let r = 0; r < WARM_WARMUP_ROUNDS; r++) for (const t of targets) await burst(t, newTally());
    for (const t of targets) await admin(t.sim, 'DELETE', 'stats');
    const tallies = new Map(targets.map((t) => [t, newTally()]));
    for (let r = 0; r < WARM_ROUNDS; r++) {
      for (const t of rotated(targets, r)) await metered(t, tallies.get(t)!, () => burst(t, tallies.get(t)!));
    }
    return Promise.all(targets.map((t) => row(warmBurst.id, t, tallies.get(t)!)));
  },
};

const cold: Workload = {
  id: 'cold',
  title: `Cold: ${COLD_QUERIES} distinct weeks of event type ${DEMO.haircut}, one at a time, empty caches (after ${COLD_WARMUP} weeks of event type ${DEMO.teamConsultation} as warm-up)`,
  start: { rateLimit: NO_LIMIT },
  settings: { queries: COLD_QUERIES, warmup: COLD_WARMUP, spacingDays: 14, rateLimit: NO_LIMIT },
  async together(targets, today) {
    // Weeks two weeks apart: slotgraph widens a fetch to whole 7-day blocks (and a local week spans
    // 8 UTC days), so adjacent weeks would partly be answered from the previous fetch.
    const week = (eventTypeId: number, zone: string, i: number): Check => ({ eventTypeId, start: localDay(today, 7 + 14 * i), end: localDay(today, 13 + 14 * i), zone });
    // Warm-up on another event type, the same kind of query (JIT of the cold path, connections),
    // then counters reset: every system is a fresh process or gateway here.
    for (const t of targets) {
      for (let i = 0; i < COLD_WARMUP; i++) await timedOp(newTally(), 1, () => t.check(week(DEMO.teamConsultation, NEW_YORK, i)));
      await admin(t.sim, 'DELETE', 'stats');
    }
    const tallies = new Map(targets.map((t) => [t, newTally()]));
    for (let i = 0; i < COLD_QUERIES; i++) {
      for (const t of rotated(targets, i)) await metered(t, tallies.get(t)!, () => timedOp(tallies.get(t)!, 1, () => t.check(week(DEMO.haircut, BERLIN, i))));
    }
    return Promise.all(targets.map((t) => row(cold.id, t, tallies.get(t)!)));
  },
};

const burst: Workload = {
  id: 'burst',
  title: `Burst 0→${BURST_CALLERS} callers (one more every ${BURST_RAMP_MS} ms), ${BURST_CHECKS} single-day checks each over 3 event types × 4 days, simulator at Cal.com's limit (${CALCOM_LIMIT.limit} per ${CALCOM_LIMIT.windowMs / 1000} s, then ${CALCOM_LIMIT.blockMs / 1000} s blocked)`,
  start: { rateLimit: CALCOM_LIMIT },
  settings: { callers: BURST_CALLERS, checksPerCaller: BURST_CHECKS, rampMs: BURST_RAMP_MS, rateLimit: CALCOM_LIMIT },
  alone(t, tally) {
    const types = [DEMO.haircut, DEMO.cutAndColour, DEMO.teamConsultation];
    const callerChecks = (i: number): Check[] =>
      Array.from({ length: BURST_CHECKS }, (_, j) => {
        const eventTypeId = types[(i + j) % types.length]!;
        const zone = eventTypeId === DEMO.teamConsultation ? NEW_YORK : BERLIN;
        const day = localDay(DateTime.now().setZone(zone).startOf('day'), 1 + ((i + 2 * j) % 4));
        return { eventTypeId, start: day, end: day, zone };
      });
    return Promise.all(
      Array.from({ length: BURST_CALLERS }, async (_, i) => {
        await sleep(i * BURST_RAMP_MS);
        for (const check of callerChecks(i)) await timedOp(tally, 1, () => t.check(check));
      }),
    );
  },
};

/** One action of a voice caller; every field is drawn whatever the kind, so the sequence is the same for every system. */
interface VoiceAction {
  kind: 'check' | 'alternatives' | 'booking';
  thinkMs: number;
  /** The day asked (a check), or looked at first by a booking without a slot on offer (the next weekday from that day). */
  check: Check;
  wish: Wish;
  /** Which offered slot a booking takes, as a fraction of the offered list. */
  pick: number;
}

/** A caller's seeded sequence of {@link VOICE_ACTIONS} actions, relative to `today` (Berlin). */
function voiceScript(caller: number, today: DateTime): VoiceAction[] {
  const random = rng(4242 + 7919 * caller);
  return Array.from({ length: VOICE_ACTIONS }, () => {
    const thinkMs = VOICE_THINK_MS.min + random() * (VOICE_THINK_MS.max - VOICE_THINK_MS.min);
    const roll = random();
    const kind = roll < 0.6 ? 'check' : roll < 0.8 ? 'alternatives' : 'booking';
    const eventTypeId = random() < 0.5 ? DEMO.haircut : DEMO.cutAndColour;
    let day = today.plus({ days: 1 + Math.floor(random() * 5) });
    const halfHours = Math.floor(random() * 17); // 09:00 .. 17:00
    const pick = random();
    const wishedLocal = day.set({ hour: 9 + Math.floor(halfHours / 2), minute: (halfHours % 2) * 30 }).toFormat("yyyy-MM-dd'T'HH:mm");
    if (kind === 'booking') while (day.weekday > 5) day = day.plus({ days: 1 });
    return { kind, thinkMs, check: { eventTypeId, start: day.toISODate()!, end: day.toISODate()!, zone: BERLIN }, wish: { eventTypeId, wishedLocal, zone: BERLIN }, pick };
  });
}

/** One voice caller: checks remember the offered slots; a booking takes one of them, or looks first. */
async function voiceCaller(t: Target, caller: number, script: VoiceAction[], tally: Tally) {
  const attendee = { name: `Caller ${caller + 1}`, email: `caller${caller + 1}@example.com`, timeZone: BERLIN, language: 'de' };
  let offered: { eventTypeId: number; starts: string[] } | undefined;
  const look = async (c: Check) => {
    const outcome = await t.check(c);
    if (outcome.result === 'ok') offered = { eventTypeId: c.eventTypeId, starts: outcome.starts ?? [] };
    return outcome;
  };
  for (const a of script) {
    await sleep(a.thinkMs);
    if (a.kind === 'check') await timedOp(tally, 1, () => look(a.check));
    else if (a.kind === 'alternatives') await timedOp(tally, 7, () => t.alternatives(a.wish));
    else {
      const mustLook = !offered?.starts.length;
      await timedOp(
        tally,
        mustLook ? 1 : 0,
        async () => {
          if (mustLook) {
            const looked = await look(a.check);
            if (looked.result !== 'ok') return looked;
          }
          // Every slot of the day it looked at is taken: refused as a taken slot is.
          if (!offered?.starts.length) return { result: 'refused' };
          const [start] = offered.starts.splice(Math.floor(a.pick * offered.starts.length), 1);
          return t.book({ eventTypeId: offered.eventTypeId, start: start!, attendee });
        },
        true,
      );
    }
  }
}

const voice: Workload = {
  id: 'voice',
  title: `Voice mix: ${VOICE_CALLERS} callers × ${VOICE_ACTIONS} seeded actions (think ${VOICE_THINK_MS.min / 1000}-${VOICE_THINK_MS.max / 1000} s): 60 % checks of one day in the next 1-5, 20 % alternatives, 20 % bookings of an offered slot; event types ${DEMO.haircut}/${DEMO.cutAndColour}, simulator at Cal.com's limit`,
  start: { rateLimit: CALCOM_LIMIT },
  settings: { callers: VOICE_CALLERS, actionsPerCaller: VOICE_ACTIONS, thinkMs: VOICE_THINK_MS, mix: { check: 0.6, alternatives: 0.2, booking: 0.2 }, rateLimit: CALCOM_LIMIT },
  notes: [
    'Operations: slotgraph availability / alternatives / createBooking (a new idempotency key each); Mesh its slots query / the old search\'s 7 slots queries in sequence / its POST /v2/bookings mutation; (a) 1 GET /v2/slots / 7 / 1 POST /v2/bookings.',
    'A booking takes one of the slots the caller\'s last availability answer offered (that slot is then no longer on offer to it); with none on offer it asks the day first (the next weekday from the action\'s day), as part of the booking operation.',
    'refused (slot taken): a booking whose slot someone had just taken: slotgraph SlotUnavailable, Cal.com (old, Mesh) its 409 or its 400 "already has booking"; also a booking that had to look first and found every slot of that day taken. Not counted as failed.',
    'critical wait p95: the p95 of the booking operations\' latency as the caller sees it (the look for a slot included when it had to), ms. slotgraph also gives bookings the critical priority in its quota scheduler; (a) and Mesh have none.',
  ],
  alone(t, tally, today) {
    return Promise.all(Array.from({ length: VOICE_CALLERS }, (_, caller) => voiceCaller(t, caller, voiceScript(caller, today), tally)));
  },
};

/** The cold-start event types: 30-min haircuts, each its own host, Europe/Berlin Mon-Fri 09:00-18:00. */
async function createColdstartTypes(sim: SimUrls) {
  const week = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'];
  await pool(
    Array.from({ length: COLDSTART_TYPES }, (_, i) => async () => {
      const id = COLDSTART_FIRST_ID + i;
      const created = await admin(sim, 'POST', 'event-types', {
        id,
        slug: `haircut-${id}`,
        title: `Haircut ${i + 1}`,
        lengthInMinutes: 30,
        ownerId: 50_000 + i,
        schedule: { timeZone: BERLIN, availability: [{ days: week, startTime: '09:00', endTime: '18:00' }], overrides: [] },
      });
      if (created?.id !== id) throw new Error(`creating event type ${id} failed: ${JSON.stringify(created).slice(0, 300)}`);
    }),
    10,
  );
}

const coldstart: Workload = {
  id: 'coldstart',
  title: `Cold start: ${COLDSTART_TYPES} new event types (${COLDSTART_FIRST_ID}-${COLDSTART_FIRST_ID + COLDSTART_TYPES - 1}, one host each), fresh servers, ${COLDSTART_TYPES * COLDSTART_DAYS} single-day checks (each type × ${COLDSTART_DAYS} days in the next 1-7, shuffled), ${COLDSTART_CONCURRENCY} at a time, simulator at Cal.com's limit`,
  start: { rateLimit: CALCOM_LIMIT, prepare: createColdstartTypes },
  settings: { eventTypes: COLDSTART_TYPES, firstId: COLDSTART_FIRST_ID, daysPerType: COLDSTART_DAYS, concurrency: COLDSTART_CONCURRENCY, rateLimit: CALCOM_LIMIT },
  notes: ['The event types are created through the simulator\'s admin API before each system starts: every server and cache starts empty (Redis: a fresh key prefix). No warm-up.'],
  alone(t, tally, today) {
    const random = rng(1729);
    const checks: Check[] = [];
    for (let i = 0; i < COLDSTART_TYPES; i++) {
      const days = [1, 2, 3, 4, 5, 6, 7];
      for (let d = 0; d < COLDSTART_DAYS; d++) {
        const [day] = days.splice(Math.floor(random() * days.length), 1);
        checks.push({ eventTypeId: COLDSTART_FIRST_ID + i, start: localDay(today, day!), end: localDay(today, day!), zone: BERLIN });
      }
    }
    for (let i = checks.length - 1; i > 0; i--) {
      const j = Math.floor(random() * (i + 1));
      [checks[i], checks[j]] = [checks[j]!, checks[i]!];
    }
    return pool(checks.map((c) => () => timedOp(tally, 1, () => t.check(c))), COLDSTART_CONCURRENCY);
  },
};

const WORKLOADS = [warmBurst, cold, burst, voice, coldstart];

// ---------------------------------------------------------------------------------------------
// Reporting.

/** A figure for the tables: n/a when not finite; 2 significant digits below 0.01, 2 decimals below 10, else 1. */
const fmt = (v: number) =>
  !Number.isFinite(v) ? 'n/a' : Number.isInteger(v) ? String(v) : Math.abs(v) < 0.01 ? v.toPrecision(2) : v.toFixed(Math.abs(v) < 10 ? 2 : 1);
const pct = (v: number) => (Number.isFinite(v) ? `${Math.round(v * 100)} %` : 'n/a');
const CPU_MARK: Record<Target['cpuScope'], string> = { server: '', bench: '*', client: ' (client)' };

function print(rows: Row[]) {
  const bookings = rows.some((r) => Number.isFinite(r.criticalWaitP95Ms));
  printTable(
    rows.map((r) => ({
      system: r.system,
      ops: r.operations,
      failed: r.errors,
      ...(bookings ? { 'refused (taken)': r.refused } : {}),
      'upstream calls': r.upstreamCalls,
      'of which slots': r.slotsCalls,
      'calls/op': fmt(r.callsPerOp),
      '429s': r.upstream429,
      'p50 ms': fmt(r.p50Ms),
      'p95 ms': fmt(r.p95Ms),
      'p99 ms': fmt(r.p99Ms),
      'hit rate': pct(r.hitRate),
      'critical wait p95 ms': fmt(r.criticalWaitP95Ms),
      'server CPU ms/op': `${fmt(r.serverCpuMsPerOp)}${CPU_MARK[r.cpuScope]}`,
      'bench CPU ms/op': fmt(r.benchCpuMsPerOp),
      'RSS MB': `${fmt(r.rssMb)}${r.cpuScope === 'bench' ? '*' : ''}`,
      'run s': r.runSeconds.toFixed(0),
    })),
  );
  for (const r of rows) {
    if (r.firstError) console.log(`${r.system}: ${r.errors} failed answers, the first: ${r.firstError.slice(0, 300)}`);
    if (r.serverLogTail) console.log(`  its server's output ends: ${r.serverLogTail.slice(-300)}`);
  }
}

const LEGEND = [
  'Every system has its own simulator in a process of its own (300 ms latency): upstream calls and 429s are its own, and no row includes the simulator\'s CPU.',
  'ops: operations (a check, a search, a booking); failed: operations without their answer (a booking refused because its slot was taken is "refused", not failed); latencies p50/p95/p99 over every operation as the caller sees it, failed ones included (ms).',
  'upstream calls: every /v2 request the system\'s simulator received (those answered 429 included); of which slots: GET /v2/slots; calls/op: upstream calls ÷ ops; 429s: the simulator\'s 429 answers.',
  'hit rate = 1 − slots calls ÷ the GET /v2/slots calls a client without a cache would have sent for the same operations (a check 1, a search 7, a booking 0, or 1 when it first looked for a slot); 0 % for (a) by construction, below 0 when a system sends more. Failed operations count too: one refused without a call (e.g. QUOTA_EXHAUSTED) looks like a hit, so read it with "failed".',
  'critical wait p95: p95 of the booking operations\' latency (voice only). run s: wall time of the system\'s share of the workload.',
  'server CPU ms/op: rows marked * run in this process (slotgraph via startGateway): CPU and RSS of the whole bench process (the client included); (client): (a) has no server, its figure is the client\'s CPU (this process), and no RSS; other rows (slotgraph via npm start, hive-gateway): the server\'s process group (from /proc). bench CPU ms/op: this process meanwhile (the client). In warm burst and cold, where the systems take turns, this process\'s figures (* and (client)) also carry the garbage collection and background work of the in-process slotgraph gateways; compare CPU and RSS on the own-process rows.',
  '(a) sends its calls through its fixed-window limiter (a count per calendar window of the simulator\'s limit; over it, it waits for the next window); it does not retry.',
];

interface Figure {
  label: string;
  value: (r: Row) => number;
  unit?: string;
  higherIsBetter?: boolean;
  percent?: boolean;
}
const FAILED: Figure = { label: 'failed', value: (r) => r.errors };
const CALLS: Figure = { label: 'calls/op', value: (r) => r.callsPerOp };
const RATE_LIMITED: Figure = { label: '429s', value: (r) => r.upstream429 };
const LATENCY: Figure[] = (['p50Ms', 'p95Ms', 'p99Ms'] as const).map((k) => ({ label: k.slice(0, 3), value: (r: Row) => r[k], unit: ' ms' }));
const VS_OLD: Figure[] = [
  FAILED,
  CALLS,
  RATE_LIMITED,
  ...LATENCY,
  { label: 'hit rate', value: (r) => r.hitRate, higherIsBetter: true, percent: true },
  { label: 'critical wait p95', value: (r) => r.criticalWaitP95Ms, unit: ' ms' },
  { label: 'CPU/op (slotgraph server vs (a) client)', value: (r) => r.serverCpuMsPerOp, unit: ' ms' },
];
const VS_MESH: Figure[] = [FAILED, CALLS, RATE_LIMITED, ...LATENCY];

/** "label a vs b (ratio) ✓": ✓ when slotgraph (`a`) is ahead, ✗ when behind, = when even. */
function compareFigure(f: Figure, sg: Row, other: Row): string | undefined {
  const [a, b] = [f.value(sg), f.value(other)];
  if (!Number.isFinite(a) || !Number.isFinite(b)) return undefined;
  const show = (v: number) => (f.percent ? pct(v) : fmt(v));
  const better = f.higherIsBetter ? a > b : a < b;
  const mark = a === b ? '=' : better ? '✓' : '✗';
  const times = !f.percent && a !== b && a > 0 && b > 0 ? ` (${f.higherIsBetter ? ratio(a, b) : ratio(b, a)})` : '';
  return `${f.label} ${show(a)} vs ${show(b)}${f.unit ?? ''}${times} ${mark}`;
}

/** The comparison lines of one workload: slotgraph (own process, else in-process) against (a) and each Mesh row. */
function comparisons(rows: Row[]): Record<string, string> {
  const sg = ['sg-process', 'sg-memory', 'sg-redis'].map((k) => rows.find((r) => r.key === k)).find(Boolean);
  const out: Record<string, string> = {};
  if (!sg) return out;
  for (const [key, figures] of [['old', VS_OLD], ['mesh-plain', VS_MESH], ['mesh-cached', VS_MESH]] as const) {
    const other = rows.find((r) => r.key === key);
    if (other) out[`${sg.system} vs ${other.system}`] = figures.map((f) => compareFigure(f, sg, other)).filter(Boolean).join(', ');
  }
  return out;
}

function machine() {
  const cpus = os.cpus();
  return { cpu: cpus[0]?.model ?? 'unknown', cores: cpus.length, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, totalMemMb: Math.round(os.totalmem() / 2 ** 20) };
}

// ---------------------------------------------------------------------------------------------

/**
 * Runs the workloads named in `ids` (all when empty; see the header for the ids), printing a
 * table and comparisons for each and writing bench/results/<id>.json.
 */
export async function runCompareScenario(ids: string[] = []) {
  const unknown = ids.filter((id) => !WORKLOADS.some((w) => w.id === id));
  if (unknown.length > 0) throw new Error(`unknown workload ${unknown.join(', ')}: one of ${WORKLOADS.map((w) => w.id).join(', ')}`);
  await withChildrenKilledOnSignal(() => compare(WORKLOADS.filter((w) => ids.length === 0 || ids.includes(w.id))));
}

async function compare(workloads: Workload[]) {
  const t0 = performance.now();
  console.log(`\n## Compare: (a) the old approach, (b) GraphQL Mesh + Hive Gateway over Cal.com's OpenAPI, and slotgraph (simulator latency ${SIMULATOR_LATENCY_MS} ms, loopback)\n`);
  let peer: Peer | undefined;
  let skipped: string | undefined;
  try {
    peer = await preparePeer();
    console.log(`Mesh peer: ${Object.entries(peer.versions).map(([k, v]) => `${k} ${v}`).join(', ')} (${peer.setup})`);
  } catch (err) {
    skipped = `could not install the peer: ${(err as Error).message}`;
    console.log(`Mesh rows SKIPPED, ${skipped}. The other systems' figures follow alone.`);
  }

  const redisUrl = process.env.REDIS_URL;
  const ours: Factory[] = [startOldApproach, slotgraphInProcess()];
  if (redisUrl) ours.push(slotgraphInProcess(redisUrl));
  ours.push(slotgraphProcess);
  const meshes = (): Factory[] => (peer && !skipped ? [startMesh(peer, 'plain'), startMesh(peer, 'cached')] : []);
  /** Runs `fn`, which involves Mesh's systems; when it fails (a gateway did not start or serve), they are dropped from here on and it resolves to undefined. */
  const withMesh = async <T>(fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      if (skipped) throw err;
      skipped = `Mesh gateway failed: ${(err as Error).message}`;
      console.log(`Mesh rows SKIPPED from here on (${skipped})`);
      return undefined;
    }
  };

  mkdirSync(RESULTS, { recursive: true });
  for (const [n, w] of workloads.entries()) {
    console.log(`\n### ${n + 1}. ${w.title}\n`);
    const started = performance.now();
    const today = DateTime.now().setZone(BERLIN).startOf('day');
    const rows: Row[] = [];
    if (w.together) {
      const together = (factories: Factory[]) => withTargets(factories, w.start, (targets) => w.together!(targets, today));
      const all = meshes().length > 0 ? await withMesh(() => together([...ours, ...meshes()])) : undefined;
      rows.push(...(all ?? (await together(ours))));
    } else {
      const alone = (f: Factory) =>
        withTargets([f], w.start, async ([t]) => {
          const tally = newTally();
          await admin(t!.sim, 'DELETE', 'stats');
          await metered(t!, tally, () => w.alone!(t!, tally, today));
          return row(w.id, t!, tally);
        });
      for (const f of ours) rows.push(await alone(f));
      for (const f of meshes()) {
        const r = await withMesh(() => alone(f));
        if (!r) break;
        rows.push(r);
      }
    }
    print(rows);
    const ratios = comparisons(rows);
    console.log('');
    for (const [k, v] of Object.entries(ratios)) console.log(`${k}: ${v}`);
    const seconds = (performance.now() - started) / 1000;
    const file = path.join(RESULTS, `${w.id}.json`);
    writeFileSync(
      file,
      `${JSON.stringify(
        {
          scenario: w.id,
          title: w.title,
          date: new Date().toISOString(),
          machine: machine(),
          peer: peer ? { versions: peer.versions } : null,
          meshSkipped: skipped ?? null,
          settings: { simulatorLatencyMs: SIMULATOR_LATENCY_MS, ...w.settings, redis: Boolean(redisUrl) },
          notes: [...LEGEND, ...(w.notes ?? [])],
          rows,
          ratios,
          seconds: Math.round(seconds),
        },
        (_key, v) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v),
        2,
      )}\n`,
    );
    console.log(`(${seconds.toFixed(0)} s; rows in bench/results/${w.id}.json)`);
  }
  console.log(`\n${LEGEND.join('\n')}`);
  console.log(`\ncompare: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
