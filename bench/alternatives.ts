/**
 * Alternatives scenario (issue 5): the old system's five sequential strategies (7 `GET /v2/slots`
 * calls per search) against one `alternatives` query, side by side against one simulator with
 * 300-800 ms latency: with an empty cache for every search (a first caller), and with the cache
 * shared across searches (a busy line).
 */
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startGateway, type Gateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createMemoryStore } from '../src/store/index.js';
import { admin, countCalls, naiveSearch } from './naive.js';
import { pool, printTable, ratio, searchRow, timed } from './support.js';

const ZONE = 'Europe/Berlin';
const SEARCHES = 20;
const CONCURRENCY = 5;
const quiet = pino({ level: 'silent' });

async function alternativesQuery(gateway: Gateway, wished: DateTime) {
  const res = await fetch(gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      query: `{ alternatives(eventTypeId: ${DEMO.haircut}, wishedLocal: "${wished.toFormat("yyyy-MM-dd'T'HH:mm")}", timeZone: "${ZONE}", locale: "de") { wishedSlotAvailable alternatives { label } } }`,
    }),
  });
  const body = (await res.json()) as any;
  if (body.errors) throw new Error(JSON.stringify(body.errors));
  return body.data.alternatives;
}

export async function runAlternativesScenario() {
  const sim = await startCalcomSimulator({ port: 0 });
  const shared = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_alt' }, store: createMemoryStore(), log: quiet });
  try {
    await admin(sim, 'PUT', 'config', { latencyMs: { min: 300, max: 800 }, rateLimit: { limit: 100_000, windowMs: 60_000, blockMs: 60_000 } });
    const today = DateTime.now().setZone(ZONE).startOf('day');
    // Wishes at 10:00 (booked on the next demo days) and 15:30, on the next 14 days.
    const wishes = Array.from({ length: SEARCHES }, (_, i) => today.plus({ days: 1 + ((i * 3) % 14) }).set({ hour: i % 2 ? 15 : 10, minute: i % 2 ? 30 : 0 }));

    console.log(`\n## Alternatives: ${SEARCHES} searches, ${CONCURRENCY} at a time, simulator latency 300-800 ms\n`);
    await admin(sim, 'DELETE', 'stats');
    const naive = await pool(wishes.map((w) => () => timed(() => naiveSearch(sim, DEMO.haircut, w, ZONE))), CONCURRENCY);
    const naiveCalls = await countCalls(sim);

    await admin(sim, 'DELETE', 'stats');
    const cold = await pool(
      wishes.map((w) => async () => {
        const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_alt_cold' }, store: createMemoryStore(), log: quiet });
        try {
          return await timed(() => alternativesQuery(gateway, w));
        } finally {
          await gateway.close();
        }
      }),
      CONCURRENCY,
    );
    const coldCalls = await countCalls(sim);

    await admin(sim, 'DELETE', 'stats');
    const warm = await pool(wishes.map((w) => () => timed(() => alternativesQuery(shared, w))), CONCURRENCY);
    const warmCalls = await countCalls(sim);

    const row = (client: string, calls: { total: number; slots: number }, runs: Array<{ ms: number }>) => searchRow(client, calls, runs, SEARCHES);
    const rows = [
      row('naive: 5 strategies in sequence', naiveCalls, naive),
      row('slotgraph alternatives, cold cache each', coldCalls, cold),
      row('slotgraph alternatives, shared cache', warmCalls, warm),
    ];
    printTable(rows);
    for (const r of rows.slice(1)) {
      console.log(`naive/${r.client}: upstream calls ${ratio(naiveCalls.total, r['upstream calls'])}, slots calls ${ratio(naiveCalls.slots, r['of which slots'])}, p50 ${ratio(rows[0]!['p50 ms'], r['p50 ms'])}, p95 ${ratio(rows[0]!['p95 ms'], r['p95 ms'])}`);
    }
    const sample = await alternativesQuery(shared, wishes[0]!);
    console.log(`\nsample answer for ${wishes[0]!.toFormat("yyyy-MM-dd'T'HH:mm")} ${ZONE}: ${JSON.stringify(sample)}`);
  } finally {
    await shared.close();
    await sim.close();
  }
}
