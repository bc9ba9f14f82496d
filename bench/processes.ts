/**
 * Child servers of the comparison harness (bench/mesh.ts): each in its own process group, so it and
 * anything it forks are measured (CPU, RSS from /proc) and stopped together, and killed when this
 * process exits or is interrupted.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';

/** A free loopback port (closed again: the child binds it). */
export const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** Live child servers, killed on exit whatever happens (see also {@link withChildrenKilledOnSignal}). */
const children = new Set<ChildProcess>();
function killChildren() {
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}
process.once('exit', killChildren);

/** Runs `fn`; Ctrl-C or a kill meanwhile must not leave child servers running in their own process groups. */
export async function withChildrenKilledOnSignal<T>(fn: () => Promise<T>): Promise<T> {
  const onSignal = (signal: NodeJS.Signals) => {
    killChildren();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

let clockTicks: number | undefined;
/** CPU ms and RSS (MB) of every process in a process group, from /proc (Linux); NaN elsewhere. */
export function groupUsage(pgid: number): { cpuMs: number; rssMb: number } {
  if (!existsSync('/proc/self/stat')) return { cpuMs: NaN, rssMb: NaN };
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  let ticks = 0;
  let rssKb = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] is field 3 (state): pgrp is field 5, utime..cstime fields 14..17.
      if (Number(f[2]) !== pgid) continue;
      ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
      const rss = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${entry}/status`, 'utf8'));
      rssKb += Number(rss?.[1] ?? 0);
    } catch {
      // exited meanwhile
    }
  }
  return { cpuMs: (ticks * 1000) / clockTicks, rssMb: rssKb / 1024 };
}

/** Children being stopped: their exit is expected. */
const stopping = new WeakSet<ChildProcess>();

/** Stops a child's process group: SIGTERM, SIGKILL after 5 s. */
export async function stopChild(child: ChildProcess) {
  stopping.add(child);
  if (child.exitCode !== null || child.signalCode !== null) return void children.delete(child);
  const exited = new Promise((r) => child.once('exit', r));
  try {
    process.kill(-child.pid!, 'SIGTERM');
  } catch {
    // already gone
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }, 5_000);
  await exited;
  clearTimeout(timer);
  children.delete(child);
}

/**
 * Spawns `node <args>` in its own process group on a free loopback port (`{port}` in `args` and in
 * `env`'s values is replaced by it; `PORT` is set too) and waits up to 60 s until `readyPath` answers 200.
 * `logTail()` is the end of what it printed (stdout and stderr, colours removed) since it was ready.
 */
export async function spawnServer(label: string, args: string[], cwd: string, env: NodeJS.ProcessEnv, readyPath: string) {
  const port = await freePort();
  const withPort = (v: string) => v.replaceAll('{port}', String(port));
  const childEnv = Object.fromEntries(Object.entries({ ...env, PORT: String(port) }).map(([k, v]) => [k, v === undefined ? v : withPort(v)]));
  const child = spawn(process.execPath, args.map(withPort), { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: childEnv });
  children.add(child);
  try {
    let log = '';
    /** What it printed since it was ready (undefined before). */
    let sinceReady: string | undefined;
    const keep = (b: Buffer) => {
      log = (log + b.toString()).slice(-4000);
      if (sinceReady !== undefined) sinceReady = (sinceReady + b.toString()).slice(-4000);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const url = `http://127.0.0.1:${port}`;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`${label} exited ${child.exitCode}: ${log.slice(-800)}`);
      if (Date.now() > deadline) throw new Error(`${label} not ready within 60 s: ${log.slice(-800)}`);
      if (await fetch(`${url}${readyPath}`).then((r) => r.ok, () => false)) {
        sinceReady = '';
        // Afterwards only an exit is reported, with the output's tail: a crash must not pass as a refused connection.
        child.once('exit', (code, signal) => {
          if (!stopping.has(child)) console.error(`${label} exited unexpectedly (${signal ?? code}): ${log.slice(-1500)}`);
        });
        return { child, url, logTail: () => sinceReady!.replace(/\x1b\[[0-9;]*m/g, '').trim().slice(-600) };
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stopChild(child);
    throw err;
  }
}
