/**
 * Loader scenario (issue 3): the old system's alternative search, one `GET /v2/slots` call per day
 * and per strategy, in sequence, against slotgraph's one GraphQL request per search, side by side
 * against one simulator with 300-800 ms latency. Also 100 concurrent availability requests in four
 * zones: one upstream call each (naive) against slotgraph's coalesced calls.
 */
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { startGateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator, type CalcomSimulator } from '../src/sim/server.js';
import { createMemoryStore } from '../src/store/index.js';
import { admin, countCalls, naiveSearch, naiveSlots } from './naive.js';
import { percentile, pool, printTable, ratio, searchRow, timed } from './support.js';

const ZONE = 'Europe/Berlin';
const SEARCHES = 20;
const CONCURRENCY = 5;

/** slotgraph: the same days in one GraphQL request. */
function slotgraphSearch(graphqlUrl: string, wished: DateTime) {
  const fields = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => {
    const d = wished.plus({ days: i }).toISODate();
    return `d${i}: availability(eventTypeId: ${DEMO.haircut}, start: "${d}", end: "${d}", timeZone: "${ZONE}") { days { slots { localTime } } }`;
  });
  return fetch(graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: `{ ${fields.join(' ')} }` }),
  }).then(async (r) => {
    const body = (await r.json()) as any;
    if (body.errors) throw new Error(JSON.stringify(body.errors));
  });
}

export async function runLoaderScenario() {
  const sim = await startCalcomSimulator({ port: 0 });
  const store = createMemoryStore();
  const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_slotgraph' }, store, log: pino({ level: 'silent' }) });
  try {
    // The quota is the quota scenario's subject; here it must not interfere.
    await admin(sim, 'PUT', 'config', { latencyMs: { min: 300, max: 800 }, rateLimit: { limit: 100_000, windowMs: 60_000, blockMs: 60_000 } });
    const today = DateTime.now().setZone(ZONE).startOf('day');
    const wishes = Array.from({ length: SEARCHES }, (_, i) => today.plus({ days: 1 + ((i * 5) % 14) }));

    console.log(`\n## Loader: ${SEARCHES} alternative searches (wished day, next 7 days, same weekday next week), ${CONCURRENCY} at a time, simulator latency 300-800 ms\n`);
    await admin(sim, 'DELETE', 'stats');
    const naive = await pool(wishes.map((w) => () => timed(() => naiveSearch(sim, DEMO.haircut, w, ZONE))), CONCURRENCY);
    const naiveCalls = await countCalls(sim);
    await admin(sim, 'DELETE', 'stats');
    const sg = await pool(wishes.map((w) => () => timed(() => slotgraphSearch(gateway.graphqlUrl, w))), CONCURRENCY);
    const sgCalls = await countCalls(sim);
    // The same searches, each against a new gateway with an empty cache: what a first caller waits.
    await admin(sim, 'DELETE', 'stats');
    const cold = await pool(
      wishes.map((w) => async () => {
        const fresh = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_cold' }, store: createMemoryStore(), log: pino({ level: 'silent' }) });
        try {
          return await timed(() => slotgraphSearch(fresh.graphqlUrl, w));
        } finally {
          await fresh.close();
        }
      }),
      CONCURRENCY,
    );
    const coldCalls = await countCalls(sim);
    const row = (client: string, calls: { total: number; slots: number }, runs: Array<{ ms: number }>) => searchRow(client, calls, runs, SEARCHES);
    const rows = [
      row('naive (old system)', naiveCalls, naive),
      row('slotgraph (shared cache)', sgCalls, sg),
      row('slotgraph (cold cache each)', coldCalls, cold),
    ];
    printTable(rows);
    for (const row of rows.slice(1)) {
      console.log(
        `naive/${row.client}: upstream calls ${ratio(naiveCalls.total, row['upstream calls'])}, slots calls ${ratio(naiveCalls.slots, row['of which slots'])}, p50 ${ratio(rows[0]!['p50 ms'], row['p50 ms'])}, p95 ${ratio(rows[0]!['p95 ms'], row['p95 ms'])}`,
      );
    }

    console.log('\n## Loader: 100 concurrent availability requests for overlapping 2-day windows in 4 zones (cold cache)\n');
    const zones = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'UTC'];
    const base = today.plus({ days: 20 });
    const requests = Array.from({ length: 100 }, (_, i) => ({ start: base.plus({ days: i % 3 }), zone: zones[i % 4]! }));
    await admin(sim, 'DELETE', 'stats');
    const naiveBurst = await Promise.all(
      requests.map((r) =>
        timed(() => naiveSlots(sim, DEMO.cutAndColour, r.start, r.zone, 2)),
      ),
    );
    const naiveBurstCalls = await countCalls(sim);
    await admin(sim, 'DELETE', 'stats');
    const sgBurst = await Promise.all(
      requests.map((r) =>
        timed(() =>
          fetch(gateway.graphqlUrl, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({
              query: `{ availability(eventTypeId: ${DEMO.cutAndColour}, start: "${r.start.toISODate()}", end: "${r.start.plus({ days: 1 }).toISODate()}", timeZone: "${r.zone}") { days { slots { localTime } } } }`,
            }),
          }).then((res) => res.json()),
        ),
      ),
    );
    const sgBurstCalls = await countCalls(sim);
    printTable([
      { client: 'naive (one call per request)', 'upstream calls': naiveBurstCalls.total, 'of which slots': naiveBurstCalls.slots, 'p50 ms': percentile(naiveBurst.map((r) => r.ms), 50), 'p95 ms': percentile(naiveBurst.map((r) => r.ms), 95) },
      { client: 'slotgraph', 'upstream calls': sgBurstCalls.total, 'of which slots': sgBurstCalls.slots, 'p50 ms': percentile(sgBurst.map((r) => r.ms), 50), 'p95 ms': percentile(sgBurst.map((r) => r.ms), 95) },
    ]);
    console.log(`\nnaive/slotgraph: upstream calls ${ratio(naiveBurstCalls.total, sgBurstCalls.total)}, slots calls ${ratio(naiveBurstCalls.slots, sgBurstCalls.slots)}`);
    const stats = gateway.services.slotCache.stats();
    const lookups = stats.bucketHits + stats.bucketStaleHits + stats.bucketMisses;
    console.log(
      `slotgraph slot cache over both parts: ${stats.upstreamCalls} upstream calls, bucket hit rate ${((100 * (stats.bucketHits + stats.bucketStaleHits)) / lookups).toFixed(1)} % of ${lookups} lookups, ${stats.coalescedWaits} coalesced waits, ranges fetched by days ${JSON.stringify(stats.rangeDays)}`,
    );
  } finally {
    await gateway.close();
    await store.close();
    await sim.close();
  }
}
