/**
 * `npm run bench -- rss`: resident memory of one gateway process, idle and after load, for the
 * compiled build (`npm run build` → `node dist/main.js`, as the Dockerfile runs it) and for
 * `node --import tsx src/main.ts` (TypeScript compiled at run time). Each runs with its embedded
 * simulator; RSS is read from the gateway's own /metrics (`process_resident_memory_bytes`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { pool, printTable } from './support.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REQUESTS = 3000;
const CONCURRENCY = 20;
const ZONES = ['Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Asia/Kolkata'];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function rssOf(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const match = /^process_resident_memory_bytes (\d+)/m.exec(text);
  return match ? Number(match[1]) / (1024 * 1024) : NaN;
}

async function measure(label: string, args: string[]) {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', PORT: '0', LOG_LEVEL: 'info', NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const ready = /GraphiQL at (http:\/\/[^,\s]+)\/graphql/.exec(output);
      if (ready) resolve(ready[1]!);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => reject(new Error(`${label} exited with ${code}:\n${output}`)));
  });
  await sleep(3000);
  const idle = await rssOf(url);
  const today = DateTime.now();
  const tasks = Array.from({ length: REQUESTS }, (_, i) => async () => {
    const zone = ZONES[i % ZONES.length]!;
    const start = today.plus({ days: i % 60 }).setZone(zone).toISODate();
    const end = today.plus({ days: (i % 60) + 2 }).setZone(zone).toISODate();
    const res = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-slotgraph-priority': 'background' },
      body: JSON.stringify({ query: `{ availability(eventTypeId: 1001, start: "${start}", end: "${end}", timeZone: "${zone}") { days { slots { localTime } } } }` }),
    });
    return res.ok;
  });
  const startedAt = performance.now();
  const ok = (await pool(tasks, CONCURRENCY)).filter(Boolean).length;
  const seconds = (performance.now() - startedAt) / 1000;
  await sleep(2000);
  const loaded = await rssOf(url);
  child.kill('SIGTERM');
  const code = await exited;
  return { run: label, 'idle RSS MiB': idle, 'after load MiB': loaded, requests: `${ok}/${REQUESTS}`, 'req/s': REQUESTS / seconds, 'exit on SIGTERM': String(code) };
}

export async function runRssScenario(): Promise<void> {
  console.log(`\n## RSS: compiled build vs tsx (embedded simulator, ${REQUESTS} availability queries, ${CONCURRENCY} at a time)\n`);
  const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const compiled = await measure('node dist/main.js', ['dist/main.js']);
  const tsx = await measure('node --import tsx src/main.ts', ['--import', 'tsx', 'src/main.ts']);
  printTable([compiled, tsx]);
  console.log(`\ncompiled saves ${(tsx['idle RSS MiB'] - compiled['idle RSS MiB']).toFixed(0)} MiB idle, ${(tsx['after load MiB'] - compiled['after load MiB']).toFixed(0)} MiB after load`);
}
