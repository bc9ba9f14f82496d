/**
 * Quota admission (issue 13, part 2), against the simulator at a scaled-down limit:
 *
 * 1. Cold burst: 100 distinct cold `availability` queries at once, split over two gateway instances
 *    sharing one Redis (both in this process), against a limit of 20 per 10 s at a simulator in a
 *    process of its own. Figures: answered, upstream 429s, how fast a
 *    refusal comes and whether its `retryAfterSeconds` is truthful (a refused query asked again
 *    after that many seconds is answered).
 * 2. Sustained over-demand: the scheduler alone, fed faster than the budget for 20 windows of 1 s
 *    (limit 120 per window, as Cal.com's per minute, time 60× faster); admissions per window as a
 *    share of the budget, and 429s.
 *
 * Redis: REDIS_URL, else a throwaway redis-server on a free loopback port.
 */
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startRedis, stopRedis } from '../scripts/redis-server.js';
import { quotaShape, DEFAULT_QUOTA_LIMITS } from '../src/quota/admission-log.js';
import { createQuotaScheduler, QuotaExhaustedError } from '../src/quota/scheduler.js';
import { startGateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createRedisStore } from '../src/store/index.js';
import { createCalcomClient } from '../src/upstream/calcom-client.js';
import { createScheduledCalcom } from '../src/upstream/scheduled-calcom.js';
import { admin } from './naive.js';
import { percentile, printTable, startSimulatorProcess } from './support.js';

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
  query: string;
}

async function ask(url: string, query: string): Promise<Answer> {
  const t = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  const body = (await res.json()) as { data?: { availability: unknown }; errors?: Array<{ extensions?: { code?: string; retryAfterSeconds?: number } }> };
  const ext = body.errors?.[0]?.extensions;
  return { ok: body.data?.availability != null, code: ext?.code, retryAfterSeconds: ext?.retryAfterSeconds, ms: performance.now() - t, query };
}

async function coldBurst(redisUrl: string) {
  const limit = { limit: 20, windowMs: 10_000 };
  const sim = await startSimulatorProcess();
  await admin(sim, 'PUT', 'config', { latencyMs: { min: 20, max: 60 }, rateLimit: { ...limit, blockMs: 60_000 } });
  const prefix = `bench-admission-${process.pid}-${Date.now()}:`;
  const stores = [await createRedisStore({ url: redisUrl, keyPrefix: prefix }), await createRedisStore({ url: redisUrl, keyPrefix: prefix })];
  const gateways = await Promise.all(
    stores.map((store) => startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_admission' }, store, log: quiet, livePollMs: 0, quota: limit })),
  );
  try {
    // Instances that have been serving (JIT-compiled), not fresh: requests that cost no upstream call.
    for (const g of gateways) for (let i = 0; i < 200; i++) await ask(g.graphqlUrl, '{ quota { budget tokens } }');
    await admin(sim, 'DELETE', 'stats');
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const ids = [DEMO.haircut, DEMO.cutAndColour, DEMO.teamConsultation];
    const queries = Array.from({ length: 100 }, (_, i) => {
      const first = today.plus({ days: 7 * Math.floor(i / ids.length) });
      return `{ availability(eventTypeId: ${ids[i % ids.length]}, start: "${first.toISODate()}", end: "${first.plus({ days: 6 }).toISODate()}", timeZone: "${ZONE}") { days { date } } }`;
    });
    const answers = await Promise.all(queries.map((q, i) => ask(gateways[i % 2]!.graphqlUrl, q)));
    // Then, with the budget spent and the process no longer busy with the burst, one at a time.
    const later = [];
    for (let i = 0; i < 20; i++) {
      const first = today.plus({ days: 7 * (34 + i) });
      const q = `{ availability(eventTypeId: ${DEMO.haircut}, start: "${first.toISODate()}", end: "${first.plus({ days: 6 }).toISODate()}", timeZone: "${ZONE}") { days { date } } }`;
      later.push(await ask(gateways[i % 2]!.graphqlUrl, q));
    }
    const stats = (await admin(sim, 'GET', 'stats')) as { total: number; rateLimited: number };
    const refused = answers.filter((a) => !a.ok);
    const codes = new Map<string, number>();
    for (const a of refused) codes.set(a.code ?? 'none', (codes.get(a.code ?? 'none') ?? 0) + 1);
    // Truthful retryAfterSeconds: the soonest refusal's query, asked again after that many seconds.
    const soonest = refused.filter((a) => a.retryAfterSeconds !== undefined).sort((a, b) => a.retryAfterSeconds! - b.retryAfterSeconds!)[0];
    let retried: Answer | undefined;
    if (soonest) {
      await new Promise((r) => setTimeout(r, soonest.retryAfterSeconds! * 1000));
      retried = await ask(gateways[0]!.graphqlUrl, soonest.query);
    }
    const budget = quotaShape({ ...DEFAULT_QUOTA_LIMITS, ...limit }).budget;
    console.log(`\n## Cold burst: 100 distinct cold availability queries at once on two instances (one Redis), Cal.com limit 20 per 10 s (budget ${budget})\n`);
    printTable([
      {
        answered: answers.length - refused.length,
        'upstream calls': stats.total,
        'upstream 429s': stats.rateLimited,
        'refusal p50/p95 ms in the burst': `${percentile(
          refused.map((a) => a.ms),
          50,
        ).toFixed(0)}/${percentile(
          refused.map((a) => a.ms),
          95,
        ).toFixed(0)}`,
        'then one at a time: refused, p50/p95 ms': `${later.filter((a) => !a.ok).length}/${later.length}, ${percentile(
          later.filter((a) => !a.ok).map((a) => a.ms),
          50,
        ).toFixed(1)}/${percentile(
          later.filter((a) => !a.ok).map((a) => a.ms),
          95,
        ).toFixed(1)}`,
        'retryAfterSeconds range': refused.length ? `${Math.min(...refused.map((a) => a.retryAfterSeconds ?? NaN))}-${Math.max(...refused.map((a) => a.retryAfterSeconds ?? NaN))}` : '-',
        refusals: [...codes].map(([c, n]) => `${c}×${n}`).join(' ') || '-',
      },
    ]);
    if (soonest) console.log(`\nretryAfterSeconds truthful: asked again after ${soonest.retryAfterSeconds} s → ${retried?.ok ? 'answered' : `refused again (${retried?.code})`}`);
    console.log('goal: ≥ 15 answered, 0 upstream 429s, refusals within 100 ms (the simulator runs in a process of its own; both gateway instances share this one)');
  } finally {
    await Promise.all(gateways.map((g) => g.close()));
    await Promise.all(stores.map((s) => s.close()));
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
  await withRedis(async (url) => {
    await coldBurst(url);
    await sustained(url);
  });
}
