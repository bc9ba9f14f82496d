/**
 * Quota scenario (issue 4): 25 simulated voice-agent callers (60 % availability checks, 20 %
 * alternative searches, 20 % bookings) for 2 simulated minutes, side by side against a simulator
 * with Cal.com's real limit (120 per window, then a block): the old system's calls through its
 * fixed one-minute-window limiter; the same calls through slotgraph's quota scheduler; and
 * slotgraph as deployed (GraphQL queries through the slot cache and the scheduler).
 *
 * Time runs 10× faster than life (window and block 6 s, latency 30-80 ms, think times and
 * deadlines scaled alike) so 2 simulated minutes take 12 s. Both sides send the same upstream
 * calls the old system sent: a check = 1 `GET /v2/slots`, a search = 7, a booking = 1 call at
 * booking priority (the simulator has no `POST /v2/bookings` yet, so a booking is stood in for by
 * `GET /v2/event-types/{id}` at the same priority).
 */
import { DateTime } from 'luxon';
import { pino } from 'pino';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createQuotaScheduler } from '../src/quota/scheduler.js';
import { startGateway, type Gateway } from '../src/server.js';
import { DEFAULT_QUOTA_LIMITS } from '../src/quota/admission-log.js';
import { createMemoryStore } from '../src/store/index.js';
import { createCalcomClient, type CalcomClient } from '../src/upstream/calcom-client.js';
import { UpstreamError } from '../src/upstream/errors.js';
import { localDaysToRange } from '../src/time.js';
import { admin, fixedWindowGate, type Gate } from './naive.js';
import { percentile, printTable, rng } from './support.js';

const SPEED = 10;
const WINDOW_MS = 60_000 / SPEED;
const CALLERS = 25;
const DURATION_MS = 120_000 / SPEED;
const ZONE = 'Europe/Berlin';
const quiet = pino({ level: 'silent' });

type Action = 'availability' | 'alternatives' | 'booking';
interface Outcome {
  action: Action;
  /** Wall time of the whole action, ms (real). */
  ms: number;
  /** ms waited for admission by the limiter or scheduler, per upstream call. */
  waits: number[];
  ok: boolean;
  shed: boolean;
  rateLimited: number;
}

/** Performs one caller action; returns its outcome (without `action`). */
type Perform = (action: Action, day: DateTime) => Promise<Omit<Outcome, 'action' | 'ms'>>;

/** The old system's upstream calls for an action, each let through by `gate`. */
function throughGate(client: CalcomClient, gate: Gate): Perform {
  const slots = (day: DateTime) => () => client.getSlots({ eventTypeId: DEMO.haircut, range: localDaysToRange(day.toISODate()!, day.toISODate()!, ZONE) });
  const booking = () => client.getEventType(DEMO.haircut);
  return async (action, day) => {
    const calls =
      action === 'availability'
        ? [slots(day)]
        : action === 'booking'
          ? [booking]
          : [slots(day), slots(day), slots(day.plus({ days: 1 })), slots(day.plus({ days: 2 })), slots(day.plus({ days: 3 })), slots(day.plus({ days: 7 })), slots(day.plus({ days: 1 }))];
    const outcome = { waits: [] as number[], ok: true, shed: false, rateLimited: 0 };
    for (const call of calls) {
      try {
        outcome.waits.push(await gate(action === 'booking' ? 'critical' : 'interactive', call));
      } catch (err) {
        outcome.ok = false;
        if (err instanceof UpstreamError && err.status === 429) outcome.rateLimited += 1;
        else if ((err as Error).name === 'QuotaExhaustedError') outcome.shed = true;
        break;
      }
    }
    return outcome;
  };
}

/** slotgraph as deployed: checks and searches are GraphQL queries (slot cache + scheduler); a booking is one critical call. */
function throughGateway(gateway: Gateway): Perform {
  const query = async (q: string) => {
    const res = await fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: q }) });
    const body = (await res.json()) as any;
    return body.errors?.[0]?.extensions?.code as string | undefined;
  };
  return async (action, day) => {
    let code: string | undefined;
    if (action === 'booking') {
      code = await gateway.services.calcom.getEventType(DEMO.haircut, { priority: 'critical' }).then(
        () => undefined,
        (err: Error) => (err.name === 'QuotaExhaustedError' ? 'QUOTA_EXHAUSTED' : 'UPSTREAM'),
      );
    } else if (action === 'availability') {
      code = await query(`{ availability(eventTypeId: ${DEMO.haircut}, start: "${day.toISODate()}", end: "${day.toISODate()}", timeZone: "${ZONE}") { stale } }`);
    } else {
      code = await query(`{ alternatives(eventTypeId: ${DEMO.haircut}, wishedLocal: "${day.toISODate()}T10:00", timeZone: "${ZONE}") { wishedSlotAvailable } }`);
    }
    return { waits: [], ok: code === undefined, shed: code === 'QUOTA_EXHAUSTED', rateLimited: 0 };
  };
}

async function runCallers(perform: Perform): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  const end = Date.now() + DURATION_MS;
  const today = DateTime.now().setZone(ZONE).startOf('day');
  await Promise.all(
    Array.from({ length: CALLERS }, async (_, caller) => {
      const random = rng(caller + 1);
      while (Date.now() < end) {
        await new Promise((r) => setTimeout(r, ((5 + random() * 20) * 1000) / SPEED)); // think 5-25 s
        const roll = random();
        const action: Action = roll < 0.6 ? 'availability' : roll < 0.8 ? 'alternatives' : 'booking';
        const day = today.plus({ days: 1 + Math.floor(random() * 10) });
        const started = performance.now();
        const outcome = await perform(action, day);
        outcomes.push({ action, ms: performance.now() - started, ...outcome });
      }
    }),
  );
  return outcomes;
}

/** Lock-outs: runs of 429s separated by at least one block. */
function lockouts(times: number[]): number {
  let count = 0;
  let last = -Infinity;
  for (const t of times.sort((a, b) => a - b)) {
    if (t - last > WINDOW_MS) count += 1;
    last = t;
  }
  return count;
}

export async function runQuotaScenario() {
  console.log(`\n## Quota: ${CALLERS} voice-agent callers (60 % checks, 20 % searches of 7 calls, 20 % bookings), 2 simulated minutes at ${SPEED}x speed, Cal.com limit 120 per window\n`);
  const rows = [];
  for (const side of ['old fixed-window limiter', 'slotgraph quota scheduler, same calls', 'slotgraph gateway (cache + scheduler)'] as const) {
    const sim = await startCalcomSimulator({ port: 0 });
    await admin(sim, 'PUT', 'config', { latencyMs: { min: 30, max: 80 }, rateLimit: { limit: 120, windowMs: WINDOW_MS, blockMs: WINDOW_MS } });
    const client = createCalcomClient({ apiUrl: sim.apiUrl, apiKey: `cal_bench_quota_${side.length}` });
    const rateLimitedAt: number[] = [];
    const note = (e: unknown) => {
      if (e instanceof UpstreamError && e.status === 429) rateLimitedAt.push(Date.now());
      return Promise.reject(e);
    };
    const counted: CalcomClient = {
      ...client,
      getSlots: (q, o) => client.getSlots(q, o).catch(note),
      getEventType: (id, o) => client.getEventType(id, o).catch(note),
    };
    const scaledScheduler = {
      limits: { ...DEFAULT_QUOTA_LIMITS, limit: 120, windowMs: WINDOW_MS },
      deadlinesMs: { critical: 10_000 / SPEED, interactive: 2_000 / SPEED, normal: 5_000 / SPEED, background: 30_000 / SPEED },
    };
    let perform: Perform;
    let close = async () => {};
    if (side === 'old fixed-window limiter') {
      perform = throughGate(counted, fixedWindowGate(120, WINDOW_MS));
    } else if (side === 'slotgraph quota scheduler, same calls') {
      const scheduler = createQuotaScheduler({ store: createMemoryStore(), credentialId: 'bench', log: quiet, retries: { maxRetries: 0 }, ...scaledScheduler });
      close = async () => scheduler.close();
      perform = throughGate(counted, (priority, call) => {
        const queued = performance.now();
        let waited = 0;
        return scheduler
          .schedule({ group: 'slots', method: 'GET', run: async () => ((waited = performance.now() - queued), await call(), { value: null, rateLimit: {} }) }, { priority })
          .then(() => waited);
      });
    } else {
      const gateway = await startGateway({
        port: 0,
        calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_bench_quota_gateway' },
        store: createMemoryStore(),
        log: quiet,
        quota: scaledScheduler.limits,
        scheduler: { deadlinesMs: scaledScheduler.deadlinesMs },
        slotCache: { freshTtlMs: 30_000 / SPEED, maxAgeMs: 300_000 / SPEED },
      });
      close = () => gateway.close();
      perform = throughGateway(gateway);
    }
    const started = Date.now();
    const outcomes = await runCallers(perform);
    const elapsedMin = ((Date.now() - started) * SPEED) / 60_000;
    const stats = await admin(sim, 'GET', 'stats');
    await close();
    client.close();
    await sim.close();
    const of = (a: Action) => outcomes.filter((o) => o.action === a);
    const okRate = (a: Action) => `${of(a).filter((o) => o.ok).length}/${of(a).length}`;
    const p = (a: Action) => {
      const ms = of(a).map((o) => (o.ms * SPEED) / 1000);
      return `${percentile(ms, 50).toFixed(1)}/${percentile(ms, 95).toFixed(1)}`;
    };
    rows.push({
      side,
      'upstream calls': stats.total,
      'calls/sim-min': Math.round(stats.total / elapsedMin),
      '429s': stats.rateLimited,
      'lock-outs': lockouts(rateLimitedAt),
      'bookings ok': okRate('booking'),
      'checks ok': okRate('availability'),
      'searches ok': okRate('alternatives'),
      shed: outcomes.filter((o) => o.shed).length,
      'booking p50/p95 s': p('booking'),
      'check p50/p95 s': p('availability'),
      'search p50/p95 s': p('alternatives'),
    });
  }
  printTable(rows);
  console.log(
    '(times: whole actions in simulated seconds; "ok" = the action got its answer; "shed" = the scheduler answered QUOTA_EXHAUSTED because a live caller could not be admitted within its 2 s deadline (at once when the admission log predicts it), rather than let Cal.com lock the key)',
  );
}
