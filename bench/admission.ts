/**
 * Quota admission (issue 13, part 2), against the simulator at a scaled-down limit:
 *
 * 1. Cold burst: 100 distinct cold `availability` queries at once, split over two gateway instances
 *    in processes of their own (`npm start`'s entry) sharing one Redis, against a limit of 20 per
 *    10 s at a simulator in a process of its own. Figures: answered, upstream 429s, how fast a
 *    refusal comes (beside bare graphql-yoga refusing the same 100 documents at once: the floor of
 *    HTTP + GraphQL on this machine) and whether its `retryAfterSeconds` is truthful (a refused
 *    query asked again after that many seconds is answered).
 * 2. Sustained over-demand: the scheduler alone, fed faster than the budget for 20 windows of 1 s
 *    (limit 120 per window, as Cal.com's per minute, time 60× faster); admissions per window as a
 *    share of the budget, and 429s.
 *
 * Redis: REDIS_URL, else a throwaway redis-server on a free loopback port. For looking closer:
 * BENCH_ADMISSION_PART=burst|sustained runs one part; BENCH_DUMP=1 prints every answer's time;
 * BENCH_CPU_PROF_DIR=<dir> has each instance write a V8 CPU profile there when stopped;
 * BENCH_NODE_FLAGS="--trace-gc …" passes flags to the instances' node.
 */
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startRedis, stopRedis } from '../scripts/redis-server.js';
import { quotaShape, DEFAULT_QUOTA_LIMITS } from '../src/quota/admission-log.js';
import { createQuotaScheduler, QuotaExhaustedError } from '../src/quota/scheduler.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createRedisStore } from '../src/store/index.js';
import { createCalcomClient } from '../src/upstream/calcom-client.js';
import { createScheduledCalcom } from '../src/upstream/scheduled-calcom.js';
import { admin } from './naive.js';
import { spawnServer, stopChild, withChildrenKilledOnSignal } from './processes.js';
import { percentile, printTable, ratio, startSimulatorProcess } from './support.js';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const quiet = pino({ level: 'silent' });
const ZONE = 'Europe/Berlin';

async function withRedis<T>(fn: (url: string) => Promise<T>): Promise<T> {
  if (process.env.REDIS_URL) return fn(process.env.REDIS_URL);
  const redis = await startRedis();
  try {
    return await fn(redis.url);
  } finally {
    await stopRedis(redis.child);
  }
}

interface Answer {
  ok: boolean;
  code: string | undefined;
  retryAfterSeconds: number | undefined;
  ms: number;
  /** The server's own time (its `Server-Timing: gateway;dur=`), ms; NaN without one. */
  serverMs: number;
  query: string;
}

async function ask(url: string, query: string): Promise<Answer> {
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: { availability: unknown }; errors?: Array<{ extensions?: { code?: string; retryAfterSeconds?: number } }> };
  const ext = body.errors?.[0]?.extensions;
  const serverMs = Number(/gateway;dur=([\d.]+)/.exec(res.headers.get('server-timing') ?? '')?.[1] ?? NaN);
  return { ok: body.data?.availability != null, code: ext?.code, retryAfterSeconds: ext?.retryAfterSeconds, ms: performance.now() - t, serverMs, query };
}

/** Two gateway instances as `npm start` runs them (own processes, one Redis), at a limit of 20 per 10 s. */
async function startInstances(sim: { apiUrl: string }, redisUrl: string, limit: { limit: number; windowMs: number }) {
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    HOST: '127.0.0.1',
    CALCOM_API_URL: sim.apiUrl,
    CALCOM_API_KEY: 'cal_bench_admission',
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: `bench-admission-${process.pid}-${Date.now()}:`,
    CALCOM_RATE_LIMIT: String(limit.limit),
    CALCOM_RATE_WINDOW_MS: String(limit.windowMs),
    SLOTGRAPH_ALLOW_ANONYMOUS: 'true',
    AVAILABILITY_LIVE_POLL_MS: '0',
    LOG_LEVEL: 'warn',
  };
  const instances = [];
  // BENCH_CPU_PROF_DIR=<dir>: each instance writes a V8 CPU profile there when it is stopped.
  const prof = process.env.BENCH_CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF_DIR}`] : [];
  if (process.env.BENCH_NODE_FLAGS) prof.push(...process.env.BENCH_NODE_FLAGS.split(' '));
  for (const name of ['instance A', 'instance B']) instances.push(await spawnServer(`slotgraph ${name}`, [...prof, '--import', 'tsx', 'src/main.ts'], ROOT, env, '/readyz'));
  return instances;
}

/** `{ availability(...) }` of one local week, as literals (each query a document of its own). */
const weekQuery = (eventTypeId: number, first: DateTime) =>
  `{ availability(eventTypeId: ${eventTypeId}, start: "${first.toISODate()}", end: "${first.plus({ days: 6 }).toISODate()}", timeZone: "${ZONE}") { days { date } } }`;

/** What the refusals of a burst took, ms. */
const spread = (answers: Answer[]) => {
  const ms = answers.map((a) => a.ms);
  return ms.length ? `${percentile(ms, 50).toFixed(0)}/${percentile(ms, 95).toFixed(0)}/${Math.max(...ms).toFixed(0)}` : '-';
};

async function coldBurst(redisUrl: string) {
  const limit = { limit: 20, windowMs: 10_000 };
  const budget = quotaShape({ ...DEFAULT_QUOTA_LIMITS, ...limit }).budget;
  const sim = await startSimulatorProcess();
  await admin(sim, 'PUT', 'config', { latencyMs: { min: 20, max: 60 }, rateLimit: { ...limit, blockMs: 60_000 } });
  const instances = await startInstances(sim, redisUrl, limit);
  const floor: Array<Awaited<ReturnType<typeof spawnServer>>> = [];
  for (const name of ['A', 'B']) floor.push(await spawnServer(`bare yoga ${name}`, ['--import', 'tsx', 'bench/bare-yoga-server.ts'], ROOT, { PATH: process.env.PATH, HOME: process.env.HOME }, '/ready'));
  const urls = instances.map((i) => `${i.url}/graphql`);
  try {
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const ids = [DEMO.haircut, DEMO.cutAndColour, DEMO.teamConsultation];
    // Instances that have been serving, as in production: bursts of cold queries far ahead (answered
    // and mostly refused: both paths JIT-compiled, the event types' hosts learned), the floor servers
    // given the same documents, then the log left to empty.
    const warmups = Array.from({ length: 150 }, (_, i) => weekQuery(ids[i % ids.length]!, today.plus({ days: 7 * (40 + (Math.floor(i / ids.length) % 10)) + Math.floor(i / 30) })));
    for (let wave = 0; wave < 3; wave++) {
      const docs = warmups.slice(wave * 50, wave * 50 + 50);
      await Promise.all(docs.map((q, i) => ask(urls[i % 2]!, q)));
      await Promise.all(docs.map((q, i) => ask(`${floor[i % 2]!.url}/graphql`, q)));
    }
    for (const url of [...urls, ...floor.map((f) => `${f.url}/graphql`)]) for (let i = 0; i < 100; i++) await ask(url, '{ __typename }');
    // Until the shared log is empty and neither instance has anything queued (/status.json).
    const idle = async (url: string) => {
      const status = (await (await fetch(`${url}/status.json`)).json()) as { tenants: Array<{ quota: { tokens: number } | null; queues: Array<{ depth: number }> }> };
      const t = status.tenants[0]!;
      return (t.quota?.tokens ?? 0) >= budget && t.queues.every((q) => q.depth === 0);
    };
    while (!(await idle(instances[0]!.url)) || !(await idle(instances[1]!.url))) await new Promise((r) => setTimeout(r, 250));
    await admin(sim, 'DELETE', 'stats');
    const queries = Array.from({ length: 100 }, (_, i) => weekQuery(ids[i % ids.length]!, today.plus({ days: 7 * Math.floor(i / ids.length) })));
    const answers = await Promise.all(queries.map((q, i) => ask(urls[i % 2]!, q)));
    // BENCH_DUMP=1: each answer in arrival order, A(nswered) or r(efused), with its ms.
    if (process.env.BENCH_DUMP) console.log(answers.map((a, i) => `${i}:${a.ok ? 'A' : 'r'}${a.ms.toFixed(0)}`).join(' '));
    const stats = (await admin(sim, 'GET', 'stats')) as { total: number; rateLimited: number };
    // The same 100 documents at once against bare yoga, refusing each at once: the HTTP + GraphQL floor here.
    const bare = await Promise.all(queries.map((q, i) => ask(`${floor[i % 2]!.url}/graphql`, q)));
    // Then, with the budget spent and the instances no longer busy with the burst, one at a time.
    const later = [];
    for (let i = 0; i < 20; i++) later.push(await ask(urls[i % 2]!, weekQuery(DEMO.haircut, today.plus({ days: 7 * (34 + (i % 6)) + 1 }))));
    const refused = answers.filter((a) => !a.ok);
    const codes = new Map<string, number>();
    for (const a of refused) codes.set(a.code ?? 'none', (codes.get(a.code ?? 'none') ?? 0) + 1);
    // Truthful retryAfterSeconds: the soonest refusal's query, asked again after that many seconds.
    const soonest = refused.filter((a) => a.retryAfterSeconds !== undefined).sort((a, b) => a.retryAfterSeconds! - b.retryAfterSeconds!)[0];
    let retried: Answer | undefined;
    if (soonest) {
      await new Promise((r) => setTimeout(r, soonest.retryAfterSeconds! * 1000));
      retried = await ask(urls[0]!, soonest.query);
    }
    const laterRefused = later.filter((a) => !a.ok);
    console.log(`\n## Cold burst: 100 distinct cold availability queries at once on two instances (own processes, one Redis), Cal.com limit 20 per 10 s (budget ${budget})\n`);
    printTable([
      {
        answered: answers.length - refused.length,
        'upstream calls': stats.total,
        'upstream 429s': stats.rateLimited,
        'refusals p50/p95/max ms': spread(refused),
        'of which in the gateway (Server-Timing) p50/p95/max ms': spread(refused.map((a) => ({ ...a, ms: a.serverMs }))),
        'bare yoga, same burst, p50/p95/max ms': spread(bare),
        'then one at a time: refused, p50/p95/max ms': `${laterRefused.length}/${later.length}, ${spread(laterRefused)}`,
        'retryAfterSeconds range': refused.length ? `${Math.min(...refused.map((a) => a.retryAfterSeconds ?? NaN))}-${Math.max(...refused.map((a) => a.retryAfterSeconds ?? NaN))}` : '-',
        refusals: [...codes].map(([c, n]) => `${c}×${n}`).join(' ') || '-',
      },
    ]);
    console.log(
      `\nrefusal p50 / bare yoga p50 in the same burst: ${ratio(percentile(refused.map((a) => a.ms), 50), percentile(bare.map((a) => a.ms), 50))}; p95: ${ratio(percentile(refused.map((a) => a.ms), 95), percentile(bare.map((a) => a.ms), 95))}`,
    );
    if (soonest) console.log(`retryAfterSeconds truthful: asked again after ${soonest.retryAfterSeconds} s → ${retried?.ok ? 'answered' : `refused again (${retried?.code})`}`);
    console.log('goal: ≥ 15 answered, 0 upstream 429s, refusals within 100 ms (2 instances, the client, the simulator and Redis share this machine\'s cores: bare yoga shows the floor as the client sees it, Server-Timing the part spent in the gateway)');
  } finally {
    for (const f of [...instances, ...floor]) await stopChild(f.child);
    await sim.close();
  }
}

async function sustained(redisUrl: string) {
  const WINDOW_MS = 1000;
  const WINDOWS = 20;
  const limits = { ...DEFAULT_QUOTA_LIMITS, limit: 120, windowMs: WINDOW_MS };
  const sim = await startCalcomSimulator({ port: 0 });
  await admin(sim, 'PUT', 'config', { latencyMs: { min: 2, max: 8 }, rateLimit: { limit: 120, windowMs: WINDOW_MS, blockMs: 60_000 } });
  const store = await createRedisStore({ url: redisUrl, keyPrefix: `bench-sustained-${process.pid}-${Date.now()}:` });
  const raw = createCalcomClient({ apiUrl: sim.apiUrl, apiKey: 'cal_bench_sustained' });
  const scheduler = createQuotaScheduler({ store, credentialId: 'sustained', limits, log: quiet });
  const api = createScheduledCalcom(raw, scheduler);
  try {
    await admin(sim, 'DELETE', 'stats');
    const admittedAt: number[] = [];
    const start = performance.now();
    const end = start + WINDOWS * WINDOW_MS;
    let refusals = 0;
    // 200 callers, each asking again as soon as it is answered or refused: far over the budget.
    await Promise.all(
      Array.from({ length: 200 }, async () => {
        while (performance.now() < end) {
          try {
            await api.getEventType(DEMO.haircut, { priority: 'normal', deadlineMs: 3 * WINDOW_MS });
            admittedAt.push(performance.now());
          } catch (err) {
            if (!(err instanceof QuotaExhaustedError)) throw err;
            refusals += 1;
            await new Promise((r) => setTimeout(r, 20));
          }
        }
      }),
    );
    const stats = (await admin(sim, 'GET', 'stats')) as { total: number; rateLimited: number };
    const budget = quotaShape(limits).budget;
    // BENCH_DUMP=1: answers per 100 ms since the start.
    if (process.env.BENCH_DUMP) {
      const per100 = new Map<number, number>();
      for (const t of admittedAt) per100.set(Math.floor((t - start) / 100), (per100.get(Math.floor((t - start) / 100)) ?? 0) + 1);
      console.log([...per100].sort((a, b) => a[0] - b[0]).map(([k, v]) => `${k * 100}:${v}`).join(' '));
    }
    // Whole windows after the first (the first is the burst anyone gets).
    const perWindow = Array.from({ length: WINDOWS - 1 }, (_, w) => admittedAt.filter((t) => t >= start + (w + 1) * WINDOW_MS && t < start + (w + 2) * WINDOW_MS).length);
    const sustainedShare = perWindow.reduce((a, b) => a + b, 0) / perWindow.length / budget;
    console.log(`\n## Sustained over-demand: 200 callers for ${WINDOWS} windows of ${WINDOW_MS} ms, limit 120 per window (budget ${budget}), one Redis\n`);
    printTable([
      {
        admitted: admittedAt.length,
        'per window (min/median/max)': `${Math.min(...perWindow)}/${percentile(perWindow, 50)}/${Math.max(...perWindow)}`,
        'share of budget': `${(100 * sustainedShare).toFixed(1)} %`,
        'fast refusals': refusals,
        'upstream 429s': stats.rateLimited,
      },
    ]);
    console.log('goal: ≥ 95 % of the budget sustained, 0 upstream 429s');
  } finally {
    scheduler.close();
    raw.close();
    await store.close();
    await sim.close();
  }
}

export async function runAdmissionScenario() {
  await withChildrenKilledOnSignal(() =>
    withRedis(async (url) => {
      if (process.env.BENCH_ADMISSION_PART !== 'sustained') await coldBurst(url);
      if (process.env.BENCH_ADMISSION_PART !== 'burst') await sustained(url);
    }),
  );
}
