/** In-process {@link Store}: one gateway instance, no Redis. Expiry is lazy, against an injectable clock. */
import { EventEmitter } from 'node:events';
import type { LocalScriptOps, ScriptResult, SetOptions, Store, StoreScript } from './store.js';

export interface MemoryStoreOptions {
  /** Clock in ms since the epoch; tests pass a controllable one. @default Date.now */
  now?: () => number;
}

export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const now = options.now ?? Date.now;
  const entries = new Map<string, { value: string; expiresAt: number | null }>();
  const bus = new EventEmitter();
  let eventTarget: EventTarget | undefined;
  bus.setMaxListeners(0);

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
    async close() {
      entries.clear();
      bus.removeAllListeners();
    },
  };
}
