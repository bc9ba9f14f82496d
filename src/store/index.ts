/** Picks the store: Redis when a URL is given, otherwise in-process. */
import { createMemoryStore } from './memory-store.js';
import { createRedisStore } from './redis-store.js';
import type { Store } from './store.js';

export type { Store, StoreScript, LocalScriptOps, ScriptResult, SetOptions } from './store.js';
export { createMemoryStore } from './memory-store.js';
export { createRedisStore, redactUrl } from './redis-store.js';

export async function createStore(options: { redisUrl?: string | undefined; keyPrefix?: string; onError?: (err: Error) => void }): Promise<Store> {
  return options.redisUrl
    ? createRedisStore({
        url: options.redisUrl,
        ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}),
        ...(options.onError ? { onError: options.onError } : {}),
      })
    : createMemoryStore();
}
