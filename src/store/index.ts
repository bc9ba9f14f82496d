/** Picks the store: Redis (with an in-process fallback while it is away) when a URL is given, otherwise in-process. */
import type { FailoverLog } from './failover-store.js';
import { createFailoverStore, quotaOutageArgs } from './failover-store.js';
import { createMemoryStore } from './memory-store.js';
import type { Store } from './store.js';

export type { Store, StoreScript, LocalScriptOps, ScriptResult, SetOptions, StoreHealth } from './store.js';
export { createMemoryStore, type MemoryStore } from './memory-store.js';
export { createRedisStore, openRedisStore, redactUrl, type RedisStore } from './redis-store.js';
export { createFailoverStore, quotaOutageArgs, type FailoverStore } from './failover-store.js';

export interface CreateStoreOptions {
  redisUrl?: string | undefined;
  keyPrefix?: string;
  onError?: (err: Error) => void;
  /** Degradation to the in-process store and recovery, logged once each. */
  log?: FailoverLog;
  /** Share of the quota budget this instance spends on its own while Redis is away. @default 1 */
  outageBudgetShare?: number;
  /** A Redis command not answered within this long counts as an outage (ms). @default 1000 */
  commandTimeoutMs?: number;
}

export async function createStore(options: CreateStoreOptions): Promise<Store> {
  return options.redisUrl
    ? createFailoverStore({
        url: options.redisUrl,
        ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
        ...(options.log ? { log: options.log } : {}),
        ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
        outageArgs: quotaOutageArgs(options.outageBudgetShare ?? 1),
      })
    : createMemoryStore();
}
