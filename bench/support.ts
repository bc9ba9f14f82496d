import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
/** Small helpers shared by the benchmark scenarios. */

/** The p-th percentile (0..100) of `values`, nearest-rank; NaN for none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1]!;
}

/** A deterministic pseudo-random sequence in [0, 1) from `seed`, so every side of a scenario gets the same callers. */
export function rng(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

/** Runs `tasks` with at most `concurrency` at once; resolves to their results in order. */
export async function pool<T>(tasks: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, tasks.length) }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}

/** Milliseconds `fn` takes, with its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

/** Prints rows as a fixed-width table. */
export function printTable(rows: Array<Record<string, string | number>>): void {
  const headers = Object.keys(rows[0] ?? {});
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(1)) : v);
  const widths = headers.map((h) => Math.max(h.length, ...rows.map((r) => cell(r[h]!).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i]!)).join('  ');
  console.log(line(headers));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const row of rows) console.log(line(headers.map((h) => cell(row[h]!))));
}

export const ratio = (a: number, b: number) => (b === 0 ? '∞' : `${(a / b).toFixed(1)}x`);

/**
 * One table row of a search scenario: upstream calls in all (event-type lookups for the host index
 * included: background, once per event type and day), the `GET /v2/slots` calls among them (the
 * ones on an answer's path), calls per search, and latency percentiles.
 */
export function searchRow(client: string, calls: { total: number; slots: number }, runs: Array<{ ms: number }>, searches: number) {
  return {
    client,
    'upstream calls': calls.total,
    'of which slots': calls.slots,
    'calls/search': calls.total / searches,
    'p50 ms': percentile(runs.map((r) => r.ms), 50),
    'p95 ms': percentile(runs.map((r) => r.ms), 95),
  };
}

/**
 * The simulator in a process of its own (`npm run sim`'s entry point on a free loopback port), so
 * its CPU does not queue behind the gateway's, nor the gateway's behind it.
 */
export async function startSimulatorProcess(): Promise<{ url: string; apiUrl: string; close(): Promise<void> }> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as { port: number }).port;
  await new Promise((r) => probe.close(r));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/main.ts'], {
    env: { ...process.env, SIM_PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', CALCOM_API_KEY: '' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`the simulator process exited (${child.exitCode})`);
    const up = await fetch(`${url}/_sim/stats`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) break;
    if (i > 200) throw new Error('the simulator process did not start within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    apiUrl: `${url}/v2`,
    async close() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
