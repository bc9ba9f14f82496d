/**
 * Redis as a dependency, not a single point of failure: a {@link Store} that uses Redis while it is
 * reachable and this process's in-process store while it is not, and goes back to Redis by itself.
 *
 * - **Detection**: the command connection closing, or a command failing without an answer from
 *   Redis (connection lost, timeout after `commandTimeoutMs`), switches to memory at once; that
 *   command is run again in memory, so no caller sees the outage. An error Redis itself answers (a
 *   script's bug) is not an outage and is thrown as before.
 * - **Recovery**: ioredis keeps reconnecting; when the connection is ready again (and every
 *   `probeIntervalMs` while degraded) a PING decides. Before switching back, the keys written or
 *   deleted in memory during the outage are deleted in Redis (invalidations made meanwhile must not
 *   be undone by what Redis still holds); scripts' keys (quota, locks) are left as they are.
 * - **Scripts** run on whichever side is active. `outageArgs` may rewrite a script's arguments
 *   while it runs in memory: {@link quotaOutageArgs} gives the in-process admission log a
 *   conservative share of the budget, since every instance now spends on its own.
 * - **Pub/sub**: every subscriber listens on both sides; a message is published on the active one.
 *   Redis subscriptions wait for Redis and renew themselves. yoga's event target works the same
 *   way, so local subscribers keep getting this instance's events during the outage (other
 *   instances' events reach them again once Redis is back).
 *
 * The degradation is logged once (and the recovery once); {@link FailoverStore.health} reports it.
 */
import type { Redis } from 'ioredis';
import { createMemoryStore, type MemoryStore } from './memory-store.js';
import { isRedisReplyError, openRedisStore, type RedisStore, type RedisStoreOptions } from './redis-store.js';
import type { ScriptResult, SetOptions, Store, StoreHealth, StoreScript } from './store.js';

export interface FailoverLog {
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface FailoverStoreOptions extends Omit<RedisStoreOptions, 'offlineQueue'> {
  /** Degradation and recovery, once each. */
  log?: FailoverLog;
  /** The in-process side. @default a new memory store */
  memory?: MemoryStore;
  /** While degraded, PING Redis this often (ms). @default 1000 */
  probeIntervalMs?: number;
  /** Wait this long for the first connection before serving from memory (ms). @default 3000 */
  connectTimeoutMs?: number;
  /** Rewrites a script's arguments when it runs in memory during an outage. */
  outageArgs?: (script: StoreScript, keys: string[], args: Array<string | number>) => Array<string | number>;
  /** Told whenever the active side changes. */
  onSwitch?: (to: 'redis' | 'memory') => void;
  /** Most keys remembered for deletion in Redis after an outage. @default 50000 */
  maxDirtyKeys?: number;
}

export interface FailoverStore extends Store {
  readonly kind: 'redis';
  /** The side serving now. */
  active(): 'redis' | 'memory';
  health(): StoreHealth;
  readonly redis: RedisStore;
  readonly memory: MemoryStore;
}

/** Resolves when `promise` settles or after `ms`, whichever is first. */
function withTimeout(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise.then(
      () => {},
      () => {},
    ),
    new Promise<void>((resolve) => (timer = setTimeout(resolve, ms))),
  ]).finally(() => clearTimeout(timer));
}

/** Not an answer from Redis: the connection is gone, timed out or not there yet. */
const isOutage = (err: unknown) => !isRedisReplyError(err);

export async function createFailoverStore(options: FailoverStoreOptions): Promise<FailoverStore> {
  const memory = options.memory ?? createMemoryStore();
  let mode: 'redis' | 'memory' = 'memory';
  const redis = openRedisStore({
    ...options,
    offlineQueue: false,
    commandTimeoutMs: options.commandTimeoutMs ?? 1000,
    // While degraded, every reconnect attempt fails: that was said once, in the degradation's warning.
    onError: (err) => {
      if (mode === 'redis') options.onError?.(err);
    },
  });
  const client: Redis = redis.client;
  const probeIntervalMs = options.probeIntervalMs ?? 1000;
  const maxDirtyKeys = options.maxDirtyKeys ?? 50_000;
  let degradedSince: number | undefined = Date.now();
  let reason = 'connecting to Redis';
  let failovers = 0;
  let closed = false;
  let everConnected = false;
  let recovering: Promise<void> | undefined;
  /** Keys set or deleted in memory during the outage (deleted in Redis on recovery). */
  const dirty = new Set<string>();
  let dirtyOverflow = false;

  const degrade = (why: string) => {
    if (mode === 'memory' || closed) return;
    mode = 'memory';
    degradedSince = Date.now();
    reason = why;
    failovers += 1;
    options.log?.warn(
      { reason: why },
      'Redis is unreachable: serving shared state from this process (in-process store, a share of the quota budget) until it is back',
    );
    options.onSwitch?.('memory');
  };
  const markDirty = (...keys: string[]) => {
    if (mode !== 'memory') return;
    for (const key of keys) {
      if (dirty.size >= maxDirtyKeys) {
        dirtyOverflow = true;
        return;
      }
      dirty.add(key);
    }
  };

  async function recover(): Promise<void> {
    if (mode === 'redis' || closed || client.status !== 'ready') return;
    recovering ??= (async () => {
      try {
        if ((await client.ping()) !== 'PONG') return;
        const keys = [...dirty];
        for (let i = 0; i < keys.length; i += 500) await client.del(...keys.slice(i, i + 500));
        if (closed) return;
        const wasConnected = everConnected;
        everConnected = true;
        mode = 'redis';
        dirty.clear();
        if (dirtyOverflow) options.log?.warn({ maxDirtyKeys }, 'more keys changed during the Redis outage than are remembered; some cached slots may be stale until they expire');
        dirtyOverflow = false;
        memory.clear();
        const downMs = degradedSince === undefined ? 0 : Date.now() - degradedSince;
        degradedSince = undefined;
        reason = '';
        if (wasConnected) options.log?.info({ downMs }, 'Redis is back: shared state is in Redis again');
        options.onSwitch?.('redis');
      } catch {
        // still away; the next probe or ready event tries again
      } finally {
        recovering = undefined;
      }
    })();
    return recovering;
  }

  client.on('close', () => degrade('the Redis connection closed'));
  client.on('ready', () => void recover());
  const probe = setInterval(() => {
    if (mode === 'memory') void recover();
  }, probeIntervalMs);
  probe.unref?.();

  // The first connection: wait a little for it, then serve from memory until it comes.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, options.connectTimeoutMs ?? 3000);
    timer.unref?.();
    const ready = () => {
      clearTimeout(timer);
      void recover().then(resolve);
    };
    if (client.status === 'ready') ready();
    else client.once('ready', ready);
  });
  if (mode === 'memory') {
    failovers = 1;
    reason = `Redis not reachable at start (connection ${client.status})`;
    options.log?.warn({ reason }, 'Redis is unreachable: serving shared state from this process until it is back');
  }

  /** Runs `op` on Redis while it is active, in memory otherwise (and after an outage shows). */
  async function route<T>(onRedis: () => Promise<T>, onMemory: () => Promise<T>): Promise<T> {
    if (mode === 'redis') {
      try {
        return await onRedis();
      } catch (err) {
        if (!isOutage(err)) throw err;
        degrade((err as Error).message);
      }
    }
    return onMemory();
  }

  /** A listener on both sides' event targets; events go out on the active side. */
  let eventTarget: EventTarget | undefined;
  const makeEventTarget = (): EventTarget => {
    const local = memory.eventTarget();
    const shared = redis.eventTarget();
    return {
      addEventListener(type: string, listener: EventListenerOrEventListenerObject | null) {
        local.addEventListener(type, listener);
        shared.addEventListener(type, listener);
      },
      removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null) {
        local.removeEventListener(type, listener);
        shared.removeEventListener(type, listener);
      },
      dispatchEvent: (event: Event) => (mode === 'redis' ? shared.dispatchEvent(event) : local.dispatchEvent(event)),
    };
  };

  return {
    kind: 'redis',
    redis,
    memory,
    active: () => mode,
    get: (key) => route(() => redis.get(key), () => memory.get(key)),
    getMany: (keys) => route(() => redis.getMany(keys), () => memory.getMany(keys)),
    set: (key: string, value: string, setOptions?: SetOptions) =>
      route(
        () => redis.set(key, value, setOptions),
        () => {
          markDirty(key);
          return memory.set(key, value, setOptions);
        },
      ),
    del: (...keys) =>
      route(
        () => redis.del(...keys),
        () => {
          markDirty(...keys);
          return memory.del(...keys);
        },
      ),
    pttl: (key) => route(() => redis.pttl(key), () => memory.pttl(key)),
    run: <R extends ScriptResult>(script: StoreScript<R>, keys: string[], args: Array<string | number>) =>
      route(
        () => redis.run(script, keys, args),
        () => memory.run(script, keys, options.outageArgs ? options.outageArgs(script as StoreScript, keys, args) : args),
      ),
    publish: (channel, message) => route(() => redis.publish(channel, message), () => memory.publish(channel, message)),
    async subscribe(channel, onMessage) {
      const stopLocal = await memory.subscribe(channel, onMessage);
      // Redis's SUBSCRIBE waits for Redis (and is renewed on reconnect): wait for it only while it is up.
      let ended = false;
      let stopShared: (() => Promise<void>) | undefined;
      const shared = redis.subscribe(channel, onMessage).then(
        (stop) => {
          if (ended) void stop().catch(() => {});
          else stopShared = stop;
        },
        () => {},
      );
      if (mode === 'redis') await withTimeout(shared, 1000);
      return async () => {
        ended = true;
        await stopLocal();
        const stopping = stopShared?.().catch(() => {});
        if (stopping && mode === 'redis') await withTimeout(stopping, 1000);
      };
    },
    eventTarget: () => (eventTarget ??= makeEventTarget()),
    async eventTargetReady() {
      if (mode !== 'redis') return;
      await withTimeout(redis.eventTargetReady().catch(() => {}), 1000);
    },
    async ping() {
      return mode === 'redis' && (await redis.ping());
    },
    health(): StoreHealth {
      return {
        kind: 'redis',
        ok: mode === 'redis',
        degraded: mode === 'memory',
        ...(degradedSince !== undefined ? { degradedSince } : {}),
        ...(mode === 'memory' ? { reason: reason || 'Redis is unreachable' } : {}),
        failovers,
      };
    },
    async close() {
      closed = true;
      clearInterval(probe);
      await Promise.allSettled([redis.close(), memory.close()]);
    },
  };
}

/**
 * The quota scripts' arguments while they run in process during an outage: the budget scaled to
 * `share`, so that all instances on their own together stay within the one shared budget (`share`
 * = 1 / instances). It knows the argument layout of the admission log's scripts
 * (src/quota/admission-log.ts, `slotgraphQuotaLog*`: ARGV now, budget, windowMs, …; `take`'s
 * fourth is the critical reserve): the budget and the reserve are scaled, the window kept.
 *
 * A quota script of another layout runs unscaled; test/ops-memory-store.test.ts checks, through the
 * scheduler, that the burst it admits in an outage is the share of the usual one.
 */
export function quotaOutageArgs(share: number) {
  return (script: StoreScript, _keys: string[], args: Array<string | number>): Array<string | number> => {
    if (share >= 1 || args.length < 3 || !script.name.startsWith('slotgraphQuotaLog')) return args;
    const out = [...args];
    const budget = Math.max(1, Math.floor(Number(args[1]) * share));
    out[1] = budget;
    if (script.name === 'slotgraphQuotaLogTake' && args.length >= 5) out[3] = Math.min(budget - 1, Math.round(Number(args[3]) * share));
    return out;
  };
}
