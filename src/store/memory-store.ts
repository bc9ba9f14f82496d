/**
 * In-process {@link Store}: one gateway instance without Redis, or every instance while Redis is
 * away (src/store/failover-store.ts). Keys expire against an injectable clock on read and on a
 * timer (a sweep every `sweepIntervalMs`), so keys written once and never read again (a past
 * day's slot buckets, finished locks) do not pile up: memory stays flat however long it runs.
 */
import { EventEmitter } from 'node:events';
import type { LocalScriptOps, ScriptResult, SetOptions, Store, StoreHealth, StoreScript } from './store.js';

export interface MemoryStoreOptions {
  /** Clock in ms since the epoch; tests pass a controllable one. @default Date.now */
  now?: () => number;
  /** How often expired keys are swept (ms); 0 = only on read. @default 30000 */
  sweepIntervalMs?: number;
}

export interface MemoryStore extends Store {
  readonly kind: 'memory';
  /** Deletes every expired key now; returns how many. */
  sweep(): number;
  /** Keys held now (expired ones not swept yet included). */
  size(): number;
  /** Forgets every key (not the subscribers). */
  clear(): void;
}

export const DEFAULT_SWEEP_INTERVAL_MS = 30_000;

export function createMemoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number | null }>();
  const bus = new EventEmitter();
  let eventTarget: EventTarget | undefined;
  bus.setMaxListeners(0);
  const sweep = () => {
    const t = now();
    let n = 0;
    for (const [key, entry] of entries) {
      if (entry.expiresAt !== null && entry.expiresAt <= t) {
        entries.delete(key);
        n++;
      }
    }
    return n;
  };
  const sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  const sweeper = sweepIntervalMs > 0 ? setInterval(sweep, sweepIntervalMs) : undefined;
  sweeper?.unref?.();

  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt !== null && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const ops: LocalScriptOps = {
    get: (key) => live(key)?.value ?? null,
    set: (key, value, ttlMs) => void entries.set(key, { value, expiresAt: ttlMs === undefined ? null : now() + ttlMs }),
    del: (key) => (live(key) ? entries.delete(key) : false),
    pttl: (key) => {
      const entry = live(key);
      if (!entry) return -2;
      return entry.expiresAt === null ? -1 : entry.expiresAt - now();
    },
    now,
  };

  return {
    kind: 'memory',
    get: async (key) => ops.get(key),
    getMany: async (keys) => keys.map((key) => ops.get(key)),
    async set(key, value, { ttlMs, onlyIfAbsent }: SetOptions = {}) {
      if (onlyIfAbsent && live(key)) return false;
      ops.set(key, value, ttlMs);
      return true;
    },
    del: async (...keys) => keys.filter((key) => ops.del(key)).length,
    pttl: async (key) => ops.pttl(key),
    run: async <R extends ScriptResult>(script: StoreScript<R>, keys: string[], args: Array<string | number>) =>
      script.local(ops, keys, args.map(String)),
    async publish(channel, message) {
      // Delivered on a later tick, like Redis, so publishers never run subscribers inline.
      setImmediate(() => bus.emit(channel, message));
    },
    async subscribe(channel, onMessage) {
      bus.on(channel, onMessage);
      return async () => void bus.off(channel, onMessage);
    },
    eventTarget: () => (eventTarget ??= new EventTarget()),
    eventTargetReady: async () => {},
    ping: async () => true,
    health: (): StoreHealth => ({ kind: 'memory', ok: true, degraded: false }),
    sweep,
    size: () => entries.size,
    clear: () => entries.clear(),
    async close() {
      clearInterval(sweeper);
      entries.clear();
      bus.removeAllListeners();
    },
  };
}
