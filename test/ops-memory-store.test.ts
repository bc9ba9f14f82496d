/**
 * The in-process store frees what nobody reads again: keys expire on a timer as well as on read, so
 * a day of traffic across changing dates (slot buckets of ever new days, locks, quota state)
 * leaves the map no larger than what is alive. Clock injected, timers faked: a simulated day in
 * milliseconds.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { acquireEachLock } from '../src/store/locks.js';
import { createMemoryStore, type ScriptResult, type Store, type StoreScript } from '../src/store/index.js';
import { pino } from 'pino';
import { createQuotaScheduler, type SchedulerOptions } from '../src/quota/scheduler.js';
import { quotaOutageArgs } from '../src/store/failover-store.js';

afterEach(() => {
  vi.useRealTimers();
});

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** One simulated minute of a busy gateway: 40 slot buckets of dates that move with the clock, 5 locks. */
async function minuteOfTraffic(store: ReturnType<typeof createMemoryStore>, t: number) {
  const today = new Date(t).toISOString().slice(0, 10);
  const minute = Math.floor(t / MINUTE);
  for (let i = 0; i < 40; i++) {
    await store.set(`slots:v1:${today}:${minute}:${i}`, '{"slots":[]}', { ttlMs: 5 * MINUTE });
  }
  await store.run(acquireEachLock, Array.from({ length: 5 }, (_, i) => `lock:${minute}:${i}`), ['token', 10_000]);
}

describe('the in-process store over a simulated day', () => {
  it('stays flat: expired keys are swept on a timer, though never read again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    let now = Date.parse('2025-10-25T00:00:00Z');
    const store = createMemoryStore({ now: () => now, sweepIntervalMs: 30_000 });
    let peak = 0;
    for (let t = 0; t < DAY; t += MINUTE) {
      await minuteOfTraffic(store, now);
      now += MINUTE;
      vi.advanceTimersByTime(MINUTE); // two sweeps per simulated minute
      peak = Math.max(peak, store.size());
    }
    // 1440 minutes × 45 keys were written; alive at any time: 5 minutes of buckets (+ one sweep's lag).
    expect(peak).toBeLessThanOrEqual(6 * 45);
    expect(store.size()).toBeLessThanOrEqual(6 * 45);
    await store.close();
  });

  it('would not without the timer: the map keeps every key nobody reads again', async () => {
    let now = Date.parse('2025-10-25T00:00:00Z');
    const store = createMemoryStore({ now: () => now, sweepIntervalMs: 0 });
    for (let t = 0; t < 2 * 60 * MINUTE; t += MINUTE) {
      await minuteOfTraffic(store, now);
      now += MINUTE;
    }
    expect(store.size()).toBe(120 * 45);
    expect(store.sweep()).toBeGreaterThan(110 * 45);
    await store.close();
  });
});

describe('the quota while Redis is away', () => {
  /** How many of 200 interactive calls the scheduler admits at once (a frozen clock: no refill), over `store`. */
  async function burst(store: Store): Promise<{ admitted: number; capacity: number }> {
    const now = Date.parse('2025-10-25T00:00:00Z');
    const limits: SchedulerOptions['limits'] = { limit: 120, windowMs: 60_000, admissionFraction: 0.9, criticalReserveFraction: 0.2 };
    const scheduler = createQuotaScheduler({ store, credentialId: 't', limits, log: pino({ level: 'silent' }), now: () => now, deadlinesMs: { interactive: 50 } });
    const task = { group: 'slots' as const, method: 'GET' as const, run: async () => ({ value: 1, rateLimit: {} }) };
    const results = await Promise.allSettled(Array.from({ length: 200 }, () => scheduler.schedule(task)));
    const { shape } = await scheduler.status();
    scheduler.close();
    return { admitted: results.filter((r) => r.status === 'fulfilled').length, capacity: shape.capacity };
  }

  it('admits the configured share of the usual burst (the scheduler over the in-process store, as during an outage)', async () => {
    const usual = await burst(createMemoryStore({ sweepIntervalMs: 0 }));
    const memory = createMemoryStore({ sweepIntervalMs: 0 });
    const share = quotaOutageArgs(0.5);
    // What the failover store does with every script it runs in process during an outage.
    const outage: Store = {
      ...memory,
      run: <R extends ScriptResult>(script: StoreScript<R>, keys: string[], args: Array<string | number>) => memory.run(script, keys, share(script as StoreScript, keys, args)),
    };
    const degraded = await burst(outage);
    expect(usual.admitted).toBeGreaterThan(2);
    expect(degraded.admitted).toBeGreaterThan(0);
    expect(degraded.admitted).toBeLessThanOrEqual(Math.ceil(usual.admitted * 0.5));
    expect(degraded.admitted).toBeGreaterThanOrEqual(Math.floor(usual.admitted * 0.5) - 1);
  });
});
