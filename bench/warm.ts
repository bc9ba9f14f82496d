/**
 * Warm path (issue 13): a cached 7-day `availability` through slotgraph against bare graphql-yoga
 * serving the same JSON from memory, side by side in one process: latency percentiles and CPU per
 * request (process CPU time over the run, client included for both, so the ratio understates the
 * server's difference rather than overstating it).
 */
import { DateTime } from 'luxon';
import { createSchema, createYoga } from 'graphql-yoga';
import { createServer } from 'node:http';
import { pino } from 'pino';
import { closeServer, listen } from '../src/http-server.js';
import { startGateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createMemoryStore } from '../src/store/index.js';
import { admin } from './naive.js';
import { percentile, printTable, ratio } from './support.js';

const ROUNDS = 10;
const PER_ROUND = 200;
const REQUESTS = ROUNDS * PER_ROUND;
const FIELDS = 'eventTypeId timeZone fetchedAt stale days { date past slots { start end localDate localTime utcOffset } }';

interface Tally {
  latencies: number[];
  cpuUs: number;
  wallMs: number;
}

const post = (url: string, body: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body }).then((r) => r.text());

/** One round of sequential requests to one server, added to its tally. */
async function round(url: string, body: string, tally: Tally) {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < PER_ROUND; i++) {
    const t = performance.now();
    await post(url, body);
    tally.latencies.push(performance.now() - t);
  }
  tally.wallMs += performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  tally.cpuUs += cpu.user + cpu.system;
}

/**
 * Side by side: rounds alternate between the servers, so a noisy neighbour on this shared machine
 * lands on both rather than on whichever ran second.
 */
async function measureSideBySide(urls: readonly [string, string], body: string) {
  // Warm up (JIT, keep-alive, caches).
  for (const url of urls) for (let i = 0; i < 200; i++) await post(url, body);
  const tallies: [Tally, Tally] = [
    { latencies: [], cpuUs: 0, wallMs: 0 },
    { latencies: [], cpuUs: 0, wallMs: 0 },
  ];
  for (let r = 0; r < ROUNDS; r++) {
    const first = r % 2;
    await round(urls[first]!, body, tallies[first]!);
    await round(urls[1 - first]!, body, tallies[1 - first]!);
  }
  return tallies.map((t) => ({
    p50: percentile(t.latencies, 50),
    p95: percentile(t.latencies, 95),
    cpuMsPerRequest: t.cpuUs / 1000 / REQUESTS,
    rps: (REQUESTS / t.wallMs) * 1000,
  })) as [Summary, Summary];
}

interface Summary {
  p50: number;
  p95: number;
  cpuMsPerRequest: number;
  rps: number;
}

export async function runWarmScenario() {
  const sim = await startCalcomSimulator({ port: 0 });
  const store = createMemoryStore();
  const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_warm' }, store, log: pino({ level: 'silent' }), livePollMs: 0 });
  try {
    await admin(sim, 'PUT', 'config', { latencyMs: { min: 0, max: 0 }, rateLimit: { limit: 100_000, windowMs: 60_000, blockMs: 60_000 } });
    const today = DateTime.now().setZone('Europe/Berlin');
    const query = `{ availability(eventTypeId: ${DEMO.haircut}, start: "${today.plus({ days: 1 }).toISODate()}", end: "${today.plus({ days: 7 }).toISODate()}", timeZone: "Europe/Berlin") { ${FIELDS} } }`;
    const body = JSON.stringify({ query });
    const answer = (await (await fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).json()) as any;
    const slots = answer.data.availability.days.reduce((n: number, d: any) => n + d.slots.length, 0);

    // Bare yoga: the same answer from memory, through the same kind of schema shape.
    const bare = createYoga({
      schema: createSchema({
        typeDefs: `type Slot { start: String! end: String! localDate: String! localTime: String! utcOffset: String! }
          type Day { date: String! past: Boolean! slots: [Slot!]! }
          type Availability { eventTypeId: Int! timeZone: String! fetchedAt: String! stale: Boolean! days: [Day!]! }
          type Query { availability(eventTypeId: Int!, start: String!, end: String!, timeZone: String!): Availability }`,
        resolvers: { Query: { availability: () => answer.data.availability } },
      }),
      logging: false,
    });
    const bareServer = createServer(bare);
    const { url: bareUrl } = await listen(bareServer, 0, '127.0.0.1');
    try {
      const [slotgraph, plain] = await measureSideBySide([gateway.graphqlUrl, `${bareUrl}/graphql`], body);
      console.log(`\n## Warm path: a cached 7-day availability (${slots} slots), ${REQUESTS} sequential requests each in ${ROUNDS} alternating rounds, one process\n`);
      printTable([
        { server: 'bare graphql-yoga (same JSON from memory)', 'p50 ms': plain.p50, 'p95 ms': plain.p95, 'CPU ms/request': plain.cpuMsPerRequest, 'requests/s': plain.rps },
        { server: 'slotgraph (warm slot cache)', 'p50 ms': slotgraph.p50, 'p95 ms': slotgraph.p95, 'CPU ms/request': slotgraph.cpuMsPerRequest, 'requests/s': slotgraph.rps },
      ]);
      console.log(
        `\nslotgraph/bare: p50 ${ratio(slotgraph.p50, plain.p50)}, CPU per request ${ratio(slotgraph.cpuMsPerRequest, plain.cpuMsPerRequest)} (goal ≤ 1.5x; both include the client's CPU)`,
      );
    } finally {
      await closeServer(bareServer);
    }
  } finally {
    await gateway.close();
    await store.close();
    await sim.close();
  }
}
