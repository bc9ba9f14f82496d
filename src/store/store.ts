/**
 * The shared-state interface: what later issues need (slot cache, coalescing locks, the quota's
 * admission log, invalidation fan-out) and nothing more. Two implementations behave alike and are
 * run by the same tests: Redis (several gateway instances) and in-process (one instance).
 */

/** Operations a {@link StoreScript}'s in-process half may use; all synchronous, so the script is atomic. */
export interface LocalScriptOps {
  get(key: string): string | null;
  /** `ttlMs` omitted = keep no expiry. */
  set(key: string, value: string, ttlMs?: number): void;
  del(key: string): boolean;
  /** Remaining time to live in ms: -1 without expiry, -2 when the key does not exist (Redis PTTL). */
  pttl(key: string): number;
  /** The store's clock, ms since the epoch. */
  now(): number;
}

/** A value a script may return; Redis turns Lua numbers into integers, tables into arrays, nil into null. */
export type ScriptResult = number | string | null | ScriptResult[];

/**
 * An atomic read-modify-write, written twice: once in Lua for Redis (`KEYS`/`ARGV` as usual; the
 * clock, when needed, is passed in `ARGV`), once in TypeScript for the in-process store. Both must
 * return the same values for the same inputs; the store tests run each script against both.
 */
export interface StoreScript<R extends ScriptResult = ScriptResult> {
  /** Unique name; becomes a Redis command via `defineCommand`. */
  name: string;
  lua: string;
  local(ops: LocalScriptOps, keys: string[], args: string[]): R;
}

export interface SetOptions {
  /** Time to live in ms. Omitted = no expiry. */
  ttlMs?: number;
  /** Only set when the key does not exist (Redis `NX`). */
  onlyIfAbsent?: boolean;
}

export interface Store {
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip (Redis `MGET`), in order; null where absent. */
  getMany(keys: readonly string[]): Promise<Array<string | null>>;
  /** @returns false when `onlyIfAbsent` was set and the key existed. */
  set(key: string, value: string, options?: SetOptions): Promise<boolean>;
  /** @returns how many of the keys existed. */
  del(...keys: string[]): Promise<number>;
  /** Remaining time to live in ms; -1 without expiry, -2 when absent. */
  pttl(key: string): Promise<number>;
  /** Runs a script atomically (Redis: EVALSHA; in-process: synchronously). */
  run<R extends ScriptResult>(script: StoreScript<R>, keys: string[], args: Array<string | number>): Promise<R>;
  /** Delivers `message` to every subscriber of `channel`, in this and (Redis) every other instance. */
  publish(channel: string, message: string): Promise<void>;
  /** @returns a function that ends the subscription. */
  subscribe(channel: string, onMessage: (message: string) => void): Promise<() => Promise<void>>;
  /**
   * The event target for yoga's pubsub (subscriptions): in process for the memory store; for Redis,
   * a Redis pub/sub event target on two connections of its own (src/store/redis-store.ts), its channels namespaced like the
   * store's keys, so an event published on one instance reaches every instance exactly once.
   * One per store, made on first use, closed with the store.
   */
  eventTarget(): EventTarget;
  /**
   * Resolves once every listener added to {@link eventTarget} so far receives what is published
   * from now on (Redis: the subscriptions sent have been confirmed).
   */
  eventTargetReady(): Promise<void>;
  /** Answers true when the backend is reachable (a round trip). */
  ping(): Promise<boolean>;
  /** The store's state as last seen, without a round trip (/healthz, /readyz, metrics). */
  health?(): StoreHealth;
  close(): Promise<void>;
}

/** What {@link Store.health} reports. */
export interface StoreHealth {
  /** The configured backend. */
  kind: 'memory' | 'redis';
  /** The configured backend is usable now. */
  ok: boolean;
  /** Redis is configured but away: shared state is served from this process's memory (src/store/failover-store.ts). */
  degraded: boolean;
  /** Since when degraded (ms since the epoch). */
  degradedSince?: number;
  /** Why, in words without secrets (no URL). */
  reason?: string;
  /** Times this process fell back to its in-process store. */
  failovers?: number;
}
