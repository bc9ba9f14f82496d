/**
 * The quota scheduler (issue 4) against the simulator with its limit scaled down, and a real Redis
 * shared by two scheduler instances. Where timing matters the limits are small and the assertions
 * are on counts and order, never on durations.
 */
import { describe, expect, it } from 'vitest';
import { createBreaker, failureWeight } from '../src/quota/breaker.js';
import { CallCancelledError, QuotaExhaustedError, createQuotaScheduler, type Priority, type UpstreamTask } from '../src/quota/scheduler.js';
import { createAdmissionLog, quotaShape as bucketShape, DEFAULT_QUOTA_LIMITS as DEFAULT_BUCKET_LIMITS } from '../src/quota/admission-log.js';
import { createCalcomClient } from '../src/upstream/calcom-client.js';
import { createScheduledCalcom } from '../src/upstream/scheduled-calcom.js';
import { UpstreamError } from '../src/upstream/errors.js';
import { DEMO } from '../src/sim/demo.js';
import type { Store } from '../src/store/store.js';
import { onCleanup, quietLog, simAdmin, startSimulator, startStack, startStore, uniquePrefix, until } from './support/stack.js';

/** A scheduler + Cal.com client for `apiKey` against `sim`, closed after the file. */
function scheduledClient(apiUrl: string, store: Store, limits: { limit: number; windowMs: number }, apiKey = 'cal_quota_test', credentialId = 'quota-test') {
  const raw = createCalcomClient({ apiUrl, apiKey });
  const scheduler = createQuotaScheduler({ store, credentialId, limits: { ...DEFAULT_BUCKET_LIMITS, ...limits }, log: quietLog });
  onCleanup(async () => {
    scheduler.close();
    raw.close();
  });
  return { scheduler, api: createScheduledCalcom(raw, scheduler) };
}

/** A task that records when it ran and needs no upstream. */
function recordingTask(log: string[], name: string): UpstreamTask<string> {
  return { group: 'eventTypes', method: 'GET', run: async () => (log.push(name), { value: name, rateLimit: {} }) };
}

describe('the admission log', () => {
  it('allows the whole budget at once and per window, keeps a reserve for critical calls', () => {
    const shape = bucketShape(DEFAULT_BUCKET_LIMITS);
    expect(shape).toMatchObject({ budget: 108, capacity: 108, criticalReserve: 3, margin: 12 });
    expect(shape.refillPerMs * 60_000).toBeCloseTo(108, 6);
  });

  it('admits at most the budget in any window, under any arrival pattern, on both stores', async () => {
    for (const kind of ['memory', 'redis'] as const) {
      let now = 1_700_000_000_000;
      const limits = { ...DEFAULT_BUCKET_LIMITS, limit: 20, windowMs: 10_000 }; // budget 18, reserve 1
      const log = createAdmissionLog({ store: await startStore(kind, kind === 'redis' ? uniquePrefix() : undefined), key: 'quota:any-window', limits, now: () => now });
      const admitted: number[] = [];
      // A deterministic pseudo-random walk: bursts and gaps over ten windows.
      let seed = 7;
      const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
      for (let i = 0; i < 600; i++) {
        now += Math.floor(next() ** 3 * 1500);
        const critical = next() < 0.1;
        const r = await log.take(critical ? 0 : log.shape.criticalReserve);
        if (r.admitted) admitted.push(now);
        else {
          expect(r.waitMs).toBeGreaterThan(0);
          expect(r.freesInMs[0]).toBe(r.waitMs);
        }
      }
      for (const t of admitted) expect(admitted.filter((u) => u >= t && u < t + limits.windowMs).length).toBeLessThanOrEqual(18);
      // The whole budget at once: 18 in one instant after a quiet window.
      now += 20_000;
      const burst = await Promise.all(Array.from({ length: 19 }, () => log.take(0)));
      expect(burst.filter((r) => r.admitted)).toHaveLength(18);
      expect((await log.peek()).tokens).toBe(0);
    }
  });
});

describe('bursts', () => {
  it('a burst of 5× the budget reaches Cal.com without a single 429', async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.configure({ rateLimit: { limit: 20, windowMs: 500, blockMs: 500 } });
    const { scheduler, api } = scheduledClient(sim.apiUrl, await startStore('memory'), { limit: 20, windowMs: 500 });
    const budget = bucketShape({ ...DEFAULT_BUCKET_LIMITS, limit: 20, windowMs: 500 }).budget;
    const calls = Array.from({ length: 5 * budget }, () => api.getEventType(DEMO.haircut, { priority: 'background' }));
    const results = await Promise.allSettled(calls);
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await admin.stats()).toMatchObject({ total: 5 * budget, rateLimited: 0 });
    const status = await scheduler.status();
    expect(status.upstream429s).toBe(0);
    expect(status.queues.find((q) => q.priority === 'background')!.admitted).toBe(5 * budget);
  });

  it('two instances on one Redis share the budget: together still no 429', async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.configure({ rateLimit: { limit: 20, windowMs: 500, blockMs: 500 } });
    const prefix = uniquePrefix();
    const storeA = await startStore('redis', prefix);
    const a = scheduledClient(sim.apiUrl, storeA, { limit: 20, windowMs: 500 });
    const b = scheduledClient(sim.apiUrl, await startStore('redis', prefix), { limit: 20, windowMs: 500 });
    const calls = Array.from({ length: 80 }, (_, i) => (i % 2 ? a : b).api.getEventType(DEMO.haircut, { priority: 'background' }));
    expect((await Promise.allSettled(calls)).filter((r) => r.status === 'rejected')).toEqual([]);
    expect(await admin.stats()).toMatchObject({ total: 80, rateLimited: 0 });
    // One bucket counted every admission of both.
    expect((await storeA.get('quota:quota-test'))?.split('|')[1]).toBe('80');
    const [sa, sb] = [await a.scheduler.status(), await b.scheduler.status()];
    expect(sa.queues[3]!.admitted + sb.queues[3]!.admitted).toBe(80);
    expect(sa.queues[3]!.admitted).toBeGreaterThan(0);
    expect(sb.queues[3]!.admitted).toBeGreaterThan(0);
  });
});

describe('priorities', () => {
  it('a critical call overtakes queued background ones; FIFO within a class; background work leaves half the budget free', async () => {
    // A budget of 2 per second, no critical reserve at this size; background may take 1 of it.
    const scheduler = createQuotaScheduler({ store: await startStore('memory'), credentialId: 'prio', limits: { ...DEFAULT_BUCKET_LIMITS, limit: 2, windowMs: 1000 }, log: quietLog });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    const background = ['bg1', 'bg2', 'bg3'].map((name) => scheduler.schedule(recordingTask(order, name), { priority: 'background' }));
    await background[0]; // the half of the budget background work may use
    expect((await scheduler.status()).queues.find((q) => q.priority === 'background')!.depth).toBe(2);
    await scheduler.schedule(recordingTask(order, 'normal'), { priority: 'normal' }); // the other half: at once
    const critical = scheduler.schedule(recordingTask(order, 'critical'), { priority: 'critical' });
    const queued = await scheduler.status();
    expect(queued.queues.map((q) => [q.priority, q.depth])).toEqual([
      ['critical', 1],
      ['interactive', 0],
      ['normal', 0],
      ['background', 2],
    ]);
    await critical;
    await Promise.all(background);
    expect(order).toEqual(['bg1', 'normal', 'critical', 'bg2', 'bg3']);
  });

  it('keeps a reserve only critical calls may use', async () => {
    const store = await startStore('memory');
    // Non-critical calls may fill the log up to the reserve, not further.
    // A 10-minute window, so nothing leaves the log while the test looks.
    const limits = { ...DEFAULT_BUCKET_LIMITS, windowMs: 600_000 };
    const { budget, criticalReserve } = bucketShape(limits);
    const usable = budget - criticalReserve;
    const scheduler = createQuotaScheduler({ store, credentialId: 'reserve', limits, log: quietLog });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    const interactive = Array.from({ length: usable + 1 }, (_, i) => scheduler.schedule(recordingTask(order, `i${i}`), { priority: 'interactive', deadlineMs: 700_000 }));
    await Promise.all(interactive.slice(0, usable));
    expect((await scheduler.status()).queues[1]!.depth).toBe(1); // the last one waits for the window
    await scheduler.schedule(recordingTask(order, 'booking'), { priority: 'critical' });
    expect(order.at(-1)).toBe('booking');
    expect(order).not.toContain(`i${usable}`);
    scheduler.close();
    await expect(interactive[usable]).rejects.toBeInstanceOf(CallCancelledError);
  });

  it('takes the class from the operation; a header may lower it but never raise it', async () => {
    const stack = await startStack();
    await stack.admin.reset(false);
    const query = `{ eventType(id: ${DEMO.haircut}) { id } }`;
    const post = (headers: Record<string, string>, id: number) =>
      fetch(stack.gateway.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: JSON.stringify({ query: query.replace(String(DEMO.haircut), String(id)) }),
      });
    await post({}, DEMO.haircut);
    await post({ 'x-slotgraph-priority': 'background' }, DEMO.cutAndColour);
    await post({ 'x-slotgraph-priority': 'critical' }, DEMO.teamConsultation);
    const admitted = Object.fromEntries((await stack.gateway.services.scheduler.status()).queues.map((q) => [q.priority, q.admitted])) as Record<Priority, number>;
    expect(admitted).toEqual({ critical: 0, interactive: 2, normal: 0, background: 1 });
  });
});

describe('429s, deadlines and cancellation', () => {
  it('a 429 pauses every instance on the credential; the call is put back and goes through after the block', async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.configure({ rateLimit: { limit: 3, windowMs: 3000, blockMs: 3000 } });
    const prefix = uniquePrefix();
    const a = scheduledClient(sim.apiUrl, await startStore('redis', prefix), { limit: 100, windowMs: 3000 });
    const b = scheduledClient(sim.apiUrl, await startStore('redis', prefix), { limit: 100, windowMs: 3000 });
    // Another client of the same key spends Cal.com's window (the gateway thinks it has 100).
    for (let i = 0; i < 4; i++) {
      await fetch(`${sim.apiUrl}/event-types/${DEMO.haircut}`, { headers: { authorization: 'Bearer cal_quota_test', 'cal-api-version': '2024-06-14' } });
    }
    const first = a.api.getEventType(DEMO.haircut, { priority: 'interactive', deadlineMs: 10_000 });
    // Once A has seen its 429, B finds the credential paused.
    await until(async () => (await a.scheduler.status()).upstream429s > 0);
    const statusB = await b.scheduler.status();
    expect(statusB.pausedUntil).toBeGreaterThan(Date.now());
    const second = b.api.getEventType(DEMO.cutAndColour, { priority: 'interactive', deadlineMs: 10_000 });
    await expect(first).resolves.toMatchObject({ id: DEMO.haircut });
    await expect(second).resolves.toMatchObject({ id: DEMO.cutAndColour });
    // The other client's 4th call and A's one call were refused; B never asked during the pause.
    expect(await admin.stats()).toMatchObject({ rateLimited: 2, total: 7 });
    expect((await b.scheduler.status()).upstream429s).toBe(0);
  });

  it('a call still queued at its deadline fails with QUOTA_EXHAUSTED and retryAfterSeconds', async () => {
    const scheduler = createQuotaScheduler({ store: await startStore('memory'), credentialId: 'deadline', limits: { ...DEFAULT_BUCKET_LIMITS, limit: 3, windowMs: 60_000 }, log: quietLog });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    await scheduler.schedule(recordingTask(order, 'first'), { priority: 'critical' });
    await scheduler.schedule(recordingTask(order, 'second'), { priority: 'critical' }); // the budget of 2
    const late = scheduler.schedule(recordingTask(order, 'late'), { priority: 'interactive', deadlineMs: 50 });
    const error = await late.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect((error as QuotaExhaustedError).reason).toBe('deadline');
    expect((error as QuotaExhaustedError).retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(order).toEqual(['first', 'second']);
    expect((await scheduler.status()).queues[1]).toMatchObject({ depth: 0, deadlineExpired: 1 });
  });

  it('refuses at once, with the predicted wait, a call that could not get a token before its deadline', async () => {
    const scheduler = createQuotaScheduler({ store: await startStore('memory'), credentialId: 'hopeless', limits: { ...DEFAULT_BUCKET_LIMITS, limit: 3, windowMs: 60_000 }, log: quietLog });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    await scheduler.schedule(recordingTask(order, 'first'), { priority: 'critical' });
    await scheduler.schedule(recordingTask(order, 'second'), { priority: 'critical' });
    // The next admission is a minute away (budget 2); a 30 s deadline cannot be met, so the
    // refusal comes from the prediction, long before the deadline timer could fire.
    const error = await scheduler.schedule(recordingTask(order, 'hopeless'), { priority: 'normal', deadlineMs: 30_000 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QuotaExhaustedError);
    expect((error as QuotaExhaustedError).reason).toBe('deadline');
    expect((error as QuotaExhaustedError).retryAfterSeconds).toBeGreaterThan(30);
    expect((error as QuotaExhaustedError).retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(order).toEqual(['first', 'second']);
    expect((await scheduler.status()).queues[2]).toMatchObject({ depth: 0, deadlineExpired: 1 });
  });

  it('refuses the calls a burst cannot fit at its first take, not after the takes of every call ahead', async () => {
    const store = await startStore('memory');
    let takes = 0;
    const counting: Store = Object.assign(Object.create(store) as Store, {
      run: ((script, keys, args) => {
        if (script.name.includes('Take')) takes += 1;
        return store.run(script, keys, args);
      }) as Store['run'],
    });
    const limits = { ...DEFAULT_BUCKET_LIMITS, limit: 20, windowMs: 60_000 }; // budget 18, critical reserve 1
    const scheduler = createQuotaScheduler({ store: counting, credentialId: 'burst', limits, log: quietLog });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    const takesAtRefusal: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        scheduler.schedule(recordingTask(order, `call ${i}`), { priority: 'normal', deadlineMs: 5_000 }).then(
          () => 'ok',
          (e: unknown) => (takesAtRefusal.push(takes), e),
        ),
      ),
    );
    // 17 normal calls fit, in arrival order; the other 23 are refused, a minute from admission.
    expect(order).toEqual(Array.from({ length: 17 }, (_, i) => `call ${i}`));
    const refused = outcomes.filter((o) => o instanceof QuotaExhaustedError) as QuotaExhaustedError[];
    expect(refused).toHaveLength(23);
    for (const e of refused) expect(e.retryAfterSeconds).toBe(60);
    // All of them as soon as a take that saw them queued told how full the window is (the first take
    // goes out with the first call alone), not at the 18th, refused, take.
    expect(Math.max(...takesAtRefusal)).toBeLessThanOrEqual(2);
  });

  it('knows, from the takes so far and without a round trip, that the next hopeless call would be refused; forgets it as the log ages', async () => {
    let clock = Date.parse('2025-10-20T08:00:00Z');
    const store = await startStore('memory');
    const scheduler = createQuotaScheduler({ store, credentialId: 'outlook', limits: { ...DEFAULT_BUCKET_LIMITS, limit: 3, windowMs: 60_000 }, log: quietLog, now: () => clock });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    expect(scheduler.refusalFor({ priority: 'normal' })).toBeUndefined(); // nothing known yet
    await scheduler.schedule(recordingTask(order, 'first'), { priority: 'critical' });
    expect(scheduler.refusalFor({ priority: 'normal', deadlineMs: 30_000 })).toBeUndefined(); // one admission left (budget 2)
    await scheduler.schedule(recordingTask(order, 'second'), { priority: 'critical' });
    // The second take told that the next admission waits for the first to expire: a minute.
    expect(scheduler.refusalFor({ priority: 'normal', deadlineMs: 30_000 })).toBeInstanceOf(QuotaExhaustedError);
    await expect(scheduler.schedule(recordingTask(order, 'hopeless'), { priority: 'normal', deadlineMs: 30_000 })).rejects.toBeInstanceOf(QuotaExhaustedError);
    const predicted = scheduler.refusalFor({ priority: 'normal', deadlineMs: 30_000 });
    expect(predicted).toBeInstanceOf(QuotaExhaustedError);
    expect(predicted!.retryAfterSeconds).toBe(60);
    expect(scheduler.refusalFor({ priority: 'normal', deadlineMs: 90_000 })).toBeUndefined(); // a longer deadline can wait
    clock += 45_000; // the first admission expires in 15 s now
    expect(scheduler.refusalFor({ priority: 'normal', deadlineMs: 30_000 })).toBeUndefined();
    expect(order).toEqual(['first', 'second']);
  });

  it('a cancelled call leaves the queue without spending a token', async () => {
    const scheduler = createQuotaScheduler({ store: await startStore('memory'), credentialId: 'cancel', limits: { ...DEFAULT_BUCKET_LIMITS, limit: 3, windowMs: 60_000 }, log: quietLog });
    onCleanup(async () => scheduler.close());
    const order: string[] = [];
    await scheduler.schedule(recordingTask(order, 'first'), { priority: 'critical' });
    await scheduler.schedule(recordingTask(order, 'second'), { priority: 'critical' });
    const controller = new AbortController();
    const cancelled = scheduler.schedule(recordingTask(order, 'never'), { priority: 'interactive', signal: controller.signal, deadlineMs: 120_000 });
    controller.abort();
    await expect(cancelled).rejects.toBeInstanceOf(CallCancelledError);
    const status = await scheduler.status();
    expect(status.queues[1]).toMatchObject({ depth: 0, cancelled: 1, admitted: 0 });
    expect(order).toEqual(['first', 'second']);
    // Only the first two calls were admitted: the log holds them and nothing else.
    expect(status.tokens).toBe(0);
    expect((await scheduler.status()).queues[0]!.admitted).toBe(2);
  });

  it('a client that hangs up while its query waits takes its upstream call with it', async () => {
    // A budget of 2, the next admission 1.2 s later: within the interactive deadline, so the third query waits.
    const stack = await startStack({ quota: { limit: 2, windowMs: 1_200 } });
    await stack.admin.reset(false);
    await stack.client.request(`{ eventType(id: ${DEMO.haircut}) { id } }`);
    await stack.client.request(`{ eventType(id: ${DEMO.teamConsultation}) { id } }`); // the budget
    const controller = new AbortController();
    const pending = fetch(stack.gateway.graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ eventType(id: ${DEMO.cutAndColour}) { id } }` }),
      signal: controller.signal,
    }).catch((e: unknown) => e);
    await until(async () => (await stack.gateway.services.scheduler.status()).queues[1]!.depth === 1);
    controller.abort();
    await pending;
    await until(async () => (await stack.gateway.services.scheduler.status()).queues[1]!.depth === 0);
    expect((await stack.gateway.services.scheduler.status()).queues[1]).toMatchObject({ cancelled: 1, admitted: 2 });
    expect((await stack.admin.stats()).total).toBe(2);
  });
});

describe('breaker and retries', () => {
  it('weighs 429 over 503/timeouts over 500, and doubles the open time on each re-open', () => {
    expect([429, 503, 0, 500, 404].map(failureWeight)).toEqual([3, 2, 2, 1, 0]);
    let now = 0;
    const breaker = createBreaker({ threshold: 6, windowMs: 30_000, openMs: 1000, maxOpenMs: 8000 }, () => now);
    breaker.failure(429);
    expect(breaker.snapshot().state).toBe('CLOSED');
    breaker.failure(429); // 3 + 3
    expect(breaker.snapshot()).toMatchObject({ state: 'OPEN', openUntil: 1000, opens: 1 });
    expect(breaker.allow()).toBe(false);
    now = 1000;
    expect(breaker.allow()).toBe(true); // the probe
    expect(breaker.allow()).toBe(false); // only one
    breaker.failure(500);
    expect(breaker.snapshot()).toMatchObject({ state: 'OPEN', openUntil: 3000, opens: 2 });
    now = 3000;
    expect(breaker.allow()).toBe(true);
    breaker.success();
    expect(breaker.snapshot().state).toBe('CLOSED');
    for (let i = 0; i < 5; i++) breaker.failure(500);
    expect(breaker.snapshot().state).toBe('CLOSED'); // 5 × 1 < 6
    breaker.failure(500);
    expect(breaker.snapshot()).toMatchObject({ state: 'OPEN', openUntil: 3000 + 4000 });
  });

  it('stays closed under partial failure (30 % 500s, as retries save those reads) and opens on sustained failure', () => {
    let now = 0;
    const breaker = createBreaker({ threshold: 6, windowMs: 30_000, openMs: 1000 }, () => now);
    // 100 attempts over 25 s, every third or so a 500: a score far above 6, a ratio of 0.3.
    for (let i = 0; i < 100; i++) {
      now += 250;
      if (i % 10 < 3) breaker.failure(500);
      else breaker.success();
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'CLOSED', opens: 0 });
    expect(breaker.snapshot().score).toBeGreaterThan(6);
    expect(breaker.snapshot().failureRatio).toBeCloseTo(0.3, 1);
    // Then Cal.com fails every call: once failures are half of the window, it opens.
    let failuresUntilOpen = 0;
    while (breaker.snapshot().state === 'CLOSED') {
      now += 250;
      breaker.failure(503);
      failuresUntilOpen += 1;
    }
    expect(breaker.snapshot().state).toBe('OPEN');
    expect(breaker.snapshot().failureRatio).toBe(0); // the window starts over
    expect(failuresUntilOpen).toBeGreaterThan(10);
    expect(failuresUntilOpen).toBeLessThan(100);
  });

  it('does not open when the first attempts of a partial failure happen to fail', () => {
    let now = 0;
    const breaker = createBreaker({ threshold: 6, windowMs: 30_000, openMs: 1000 }, () => now);
    // 30 % 500s, unluckily front-loaded: 6 of the first 10 attempts fail (a ratio of 0.6 on 10).
    for (const failed of [1, 1, 0, 1, 1, 0, 1, 0, 1, 0]) {
      now += 100;
      if (failed) breaker.failure(500);
      else breaker.success();
    }
    expect(breaker.snapshot()).toMatchObject({ state: 'CLOSED', opens: 0, score: 6 });
    // Six 500s in a row on a fresh breaker are sure enough.
    const fresh = createBreaker({ threshold: 6, windowMs: 30_000, openMs: 1000 }, () => now);
    for (let i = 0; i < 6; i++) fresh.failure(500);
    expect(fresh.snapshot().state).toBe('OPEN');
  });

  it('an open breaker fails calls fast without spending tokens', async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.configure({ errorRate: 1 });
    const raw = createCalcomClient({ apiUrl: sim.apiUrl, apiKey: 'cal_breaker' });
    const scheduler = createQuotaScheduler({
      store: await startStore('memory'),
      credentialId: 'breaker',
      limits: DEFAULT_BUCKET_LIMITS,
      log: quietLog,
      retries: { maxRetries: 0 },
      // Four 500s in a row: the fewest with which "at least half fail" holds at 95 % confidence.
      breaker: { threshold: 4, openMs: 60_000 },
    });
    onCleanup(async () => (scheduler.close(), raw.close()));
    const api = createScheduledCalcom(raw, scheduler);
    for (let i = 0; i < 4; i++) await expect(api.getEventType(DEMO.haircut)).rejects.toBeInstanceOf(UpstreamError);
    await expect(api.getEventType(DEMO.haircut)).rejects.toMatchObject({ name: 'CircuitOpenError', group: 'eventTypes' });
    expect((await admin.stats()).total).toBe(4);
    expect((await scheduler.status()).breakers.find((b) => b.group === 'eventTypes')!.state).toBe('OPEN');
    // Other endpoint groups are not affected.
    expect((await scheduler.status()).breakers.find((b) => b.group === 'slots')!.state).toBe('CLOSED');
  });

  it('retries reads on 5xx, each retry through the bucket, and never retries a POST', async () => {
    const scheduler = createQuotaScheduler({ store: await startStore('memory'), credentialId: 'retry', limits: DEFAULT_BUCKET_LIMITS, log: quietLog, retries: { maxRetries: 2, baseDelayMs: 1 } });
    onCleanup(async () => scheduler.close());
    const failing = (method: 'GET' | 'POST') => {
      let runs = 0;
      const task: UpstreamTask<never> = {
        group: 'bookings',
        method,
        run: async () => {
          runs += 1;
          throw new UpstreamError({ endpoint: 'bookings', status: 502, calcomCode: 'HTTP_502', message: 'bad gateway', rateLimit: {} });
        },
      };
      return { task, runs: () => runs };
    };
    const get = failing('GET');
    await expect(scheduler.schedule(get.task)).rejects.toBeInstanceOf(UpstreamError);
    expect(get.runs()).toBe(3);
    const post = failing('POST');
    await expect(scheduler.schedule(post.task, { priority: 'critical' })).rejects.toBeInstanceOf(UpstreamError);
    expect(post.runs()).toBe(1);
    const status = await scheduler.status();
    expect(status.retries).toBe(2);
    expect(status.queues[0]!.admitted + status.queues[1]!.admitted).toBe(4); // every attempt took a token
  });
});

describe('the quota query', () => {
  it('reports the budget, tokens, queues and breakers without an upstream call', async () => {
    const stack = await startStack();
    const body = await stack.post('{ quota { limit windowSeconds budget capacity criticalReserve tokens pausedUntil upstream429s queues { priority depth admitted } breakers { group state } } }');
    expect(body.errors).toBeUndefined();
    expect(body.data.quota).toMatchObject({ limit: 120, windowSeconds: 60, budget: 108, capacity: 108, criticalReserve: 3, tokens: 108, pausedUntil: null, upstream429s: 0 });
    expect(body.data.quota.queues.map((q: any) => q.priority)).toEqual(['CRITICAL', 'INTERACTIVE', 'NORMAL', 'BACKGROUND']);
    expect(body.data.quota.breakers).toHaveLength(4);
    expect((await stack.admin.stats()).total).toBe(0);
  });
});
