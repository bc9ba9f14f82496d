/**
 * Partial upstream failure (issue 13): the simulator answers 30 % of calls with a 500. The same
 * cold `availability` queries (every one needs its own `GET /v2/slots`: a week each, 52 weeks of
 * three event types, 4 clients at once) go to two gateways side by side, one after the other on
 * fresh stores: one whose breaker opens on weighted failures alone (before) and one that also
 * needs at least half of the window's attempts to fail at 95 % confidence (now; three runs, as the
 * simulator's failures are random and an unlucky start once opened a breaker that only looked at
 * the share). Reads are retried (GET only, up to three times, jittered backoff within the deadline) in both.
 */
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startGateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createMemoryStore } from '../src/store/index.js';
import { admin } from './naive.js';
import { percentile, pool, printTable } from './support.js';

const ERROR_RATE = 0.3;
const WEEKS = 52;
const EVENT_TYPES = [DEMO.haircut, DEMO.cutAndColour, DEMO.teamConsultation];
const CONCURRENCY = 4;
const ZONE = 'Europe/Berlin';

async function run(label: string, failureRatio: number) {
  const sim = await startCalcomSimulator({ port: 0 });
  const store = createMemoryStore();
  const gateway = await startGateway({
    port: 0,
    calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_failures' },
    store,
    log: pino({ level: 'silent' }),
    livePollMs: 0,
    scheduler: { breaker: { failureRatio } },
    // The quota is not what this measures (bench quota does): Cal.com's limit as the simulator's.
    quota: { limit: 100_000 },
  });
  try {
    await admin(sim, 'PUT', 'config', { latencyMs: { min: 5, max: 20 }, rateLimit: { limit: 100_000, windowMs: 60_000, blockMs: 60_000 } });
    // Learn the event types first (without failures), so only slot reads meet them.
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const queries = EVENT_TYPES.flatMap((id) =>
      Array.from({ length: WEEKS }, (_, w) => {
        const start = today.plus({ days: 7 * w }).toISODate()!;
        const end = today.plus({ days: 7 * w + 6 }).toISODate()!;
        return `{ availability(eventTypeId: ${id}, start: "${start}", end: "${end}", timeZone: "${ZONE}") { days { date } } }`;
      }),
    );
    for (const id of EVENT_TYPES) await post(gateway.graphqlUrl, `{ eventType(id: ${id}) { id } }`);
    await admin(sim, 'PUT', 'config', { errorRate: ERROR_RATE });
    const before = (await admin(sim, 'GET', 'stats')) as { total: number };
    const results = await pool(
      queries.map((query) => async () => {
        const t = performance.now();
        const body = (await post(gateway.graphqlUrl, query)) as { data?: { availability: unknown }; errors?: Array<{ extensions?: { code?: string } }> };
        return { ok: body.data?.availability != null, code: body.errors?.[0]?.extensions?.code, ms: performance.now() - t };
      }),
      CONCURRENCY,
    );
    const after = (await admin(sim, 'GET', 'stats')) as { total: number };
    const status = await gateway.services.scheduler.status();
    const codes = new Map<string, number>();
    for (const r of results) if (!r.ok) codes.set(r.code ?? 'none', (codes.get(r.code ?? 'none') ?? 0) + 1);
    return {
      system: label,
      queries: results.length,
      'answered %': (100 * results.filter((r) => r.ok).length) / results.length,
      'upstream calls': after.total - before.total,
      retries: status.retries,
      'breaker opens': status.breakers.reduce((n, b) => n + b.opens, 0),
      'p95 ms': percentile(
        results.map((r) => r.ms),
        95,
      ),
      failures: [...codes].map(([c, n]) => `${c}×${n}`).join(' ') || '-',
    };
  } finally {
    await gateway.close();
    await store.close();
    await sim.close();
  }
}

async function post(url: string, query: string): Promise<unknown> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) });
  return res.json();
}

export async function runFailuresScenario() {
  const rows = [await run('breaker on weighted score only (before)', 0)];
  for (let i = 1; i <= 3; i++) rows.push(await run(`breaker on score and failed share ≥ 0.5 at 95 % confidence (now, run ${i})`, 0.5));
  console.log(`\n## Partial failure: ${Math.round(ERROR_RATE * 100)} % of Cal.com answers are 500s; ${rows[0]!.queries} cold week queries, ${CONCURRENCY} at once\n`);
  printTable(rows);
  console.log(`\nanswered (now): ${rows.slice(1).map((r) => `${r['answered %'].toFixed(1)} %`).join(', ')} (goal ≥ 95 %)`);
}
