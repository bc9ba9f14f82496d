/**
 * Idempotency keys for mutations, shared by every instance through the store.
 *
 * A record per (credential, key) holds a fingerprint of the request (the mutation and its input)
 * and, once done, its outcome, for {@link IdempotencyOptions.recordTtlMs} (24 h):
 *
 * - **same key, same input, done** → the first outcome again, without a second upstream call;
 * - **same key, other input** → `InvalidInput` naming `idempotencyKey`;
 * - **same key while the first is in flight** (on any instance) → waits for it, then its outcome;
 * - **outcome unknown** (Cal.com timed out after the request may have been processed) → the record
 *   says so, and the next request with the key runs with `prior: "unknown"`, so the work looks the
 *   first write up before writing again; a request in flight longer than
 *   {@link IdempotencyOptions.pendingStaleMs} (its instance died) is treated the same way;
 * - **transient failures** (no quota, Cal.com down before anything was sent) are not kept: a repeat
 *   tries again.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from '../logger.js';
import type { Store, StoreScript } from '../store/store.js';
import { BookingFailure, fromStored, InvalidInput, toStored, UpstreamUnavailable, type StoredFailure } from './errors.js';

export interface IdempotencyOptions {
  store: Store;
  /** Namespaces keys per tenant. */
  credentialId: string;
  log: Logger;
  /** ms since the epoch. @default Date.now */
  now?: () => number;
  /** How long a record lives (ms). @default 86400000 (24 h) */
  recordTtlMs?: number;
  /** A request in flight longer than this (ms) is presumed dead; its key may be taken over. @default 60000 */
  pendingStaleMs?: number;
  /** How long a duplicate waits for the request in flight (ms) before answering UpstreamUnavailable. @default 30000 */
  waitMs?: number;
}

/** What the work was told about earlier attempts with the same key. */
export type Prior = 'unknown' | null;

export interface Idempotency {
  /**
   * Runs `work` once per (key, fingerprint): see the module comment.
   * @throws InvalidInput (the key was used with another fingerprint), whatever `work` throws
   */
  run<T>(key: string, fingerprint: string, work: (prior: Prior) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

type IdemRecord =
  | { s: 'pending'; fp: string; token: string; at: number }
  | { s: 'unknown'; fp: string; token: string; at: number }
  | { s: 'done'; fp: string; token: string; ok: true; value: unknown }
  | { s: 'done'; fp: string; token: string; ok: false; failure: StoredFailure };

/**
 * KEYS[1] the record. ARGV: [1] the pending record to write, [2] TTL ms, [3] fingerprint, [4] now
 * ms, [5] stale ms. Claims a free key, or takes over one of the same fingerprint whose outcome is
 * unknown or whose owner is presumed dead. Returns `{"claimed"}`, `{"takeover", old}` or `{"exists", old}`.
 */
const claimScript: StoreScript<string[]> = {
  name: 'slotgraphIdempotencyClaim',
  lua: `local cur = redis.call('GET', KEYS[1])
if not cur then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'claimed'}
end
local rec = cjson.decode(cur)
if rec.fp == ARGV[3] and (rec.s == 'unknown' or (rec.s == 'pending' and tonumber(ARGV[4]) - tonumber(rec.at) > tonumber(ARGV[5]))) then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return {'takeover', cur}
end
return {'exists', cur}`,
  local(ops, [key], [pending, ttl, fp, now, stale]) {
    const cur = ops.get(key!);
    if (cur === null) {
      ops.set(key!, pending!, Number(ttl));
      return ['claimed'];
    }
    const rec = JSON.parse(cur) as IdemRecord;
    if (rec.fp === fp && (rec.s === 'unknown' || (rec.s === 'pending' && Number(now) - rec.at > Number(stale)))) {
      ops.set(key!, pending!, Number(ttl));
      return ['takeover', cur];
    }
    return ['exists', cur];
  },
};

/** KEYS[1] the record. ARGV: [1] owner token, [2] new record ('' deletes), [3] TTL ms. Only the owner may finish. */
const finishScript: StoreScript<number> = {
  name: 'slotgraphIdempotencyFinish',
  lua: `local cur = redis.call('GET', KEYS[1])
if not cur then return 0 end
local rec = cjson.decode(cur)
if rec.token ~= ARGV[1] then return 0 end
if ARGV[2] == '' then redis.call('DEL', KEYS[1]) else redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3]) end
return 1`,
  local(ops, [key], [token, next, ttl]) {
    const cur = ops.get(key!);
    if (cur === null || (JSON.parse(cur) as IdemRecord).token !== token) return 0;
    if (next === '') ops.del(key!);
    else ops.set(key!, next!, Number(ttl));
    return 1;
  },
};

export function createIdempotency(options: IdempotencyOptions): Idempotency {
  const { store, credentialId, log } = options;
  const now = options.now ?? Date.now;
  const recordTtlMs = options.recordTtlMs ?? 24 * 60 * 60_000;
  const pendingStaleMs = options.pendingStaleMs ?? 60_000;
  const waitMs = options.waitMs ?? 30_000;
  const recordKey = (key: string) => `idempotency:${credentialId}:${key}`;
  const channel = `idempotency-done:${credentialId}`;
  const waiters = new Map<string, Set<() => void>>();
  let subscription: Promise<() => Promise<void>> | undefined;

  const listen = () =>
    (subscription ??= store.subscribe(channel, (key) => {
      for (const wake of waiters.get(key) ?? []) wake();
    }));

  /** Resolves on the next finish announcement for `key`, or after `ms`. */
  function nextFinish(key: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = waiters.get(key);
      if (!set) waiters.set(key, (set = new Set()));
      const wake = () => {
        clearTimeout(timer);
        set.delete(wake);
        if (set.size === 0) waiters.delete(key);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      set.add(wake);
    });
  }

  const reuse = <T>(rec: Extract<IdemRecord, { s: 'done' }>): T => {
    if (rec.ok) return rec.value as T;
    throw fromStored(rec.failure);
  };

  async function finish(key: string, token: string, next: IdemRecord | null) {
    await store.run(finishScript, [recordKey(key)], [token, next ? JSON.stringify(next) : '', recordTtlMs]);
    await store.publish(channel, key);
  }

  return {
    async run(key, fingerprint, work) {
      await listen(); // before claiming: a finish announced meanwhile must reach a waiter
      const deadline = now() + waitMs;
      for (;;) {
        const token = randomUUID();
        const pending: IdemRecord = { s: 'pending', fp: fingerprint, token, at: now() };
        const [state, old] = await store.run(claimScript, [recordKey(key)], [JSON.stringify(pending), recordTtlMs, fingerprint, now(), pendingStaleMs]);
        const previous = old ? (JSON.parse(old) as IdemRecord) : null;
        if (state === 'exists') {
          if (previous!.fp !== fingerprint) {
            throw new InvalidInput('idempotencyKey', 'This idempotency key was already used for a different request (another mutation or other input). Use a new key.');
          }
          if (previous!.s === 'done') return reuse(previous!);
          // In flight elsewhere: wait for its outcome (or for it to be presumed dead).
          if (now() >= deadline) {
            throw new UpstreamUnavailable('The first request with this idempotency key is still in flight; retry with the same key.', 2);
          }
          await nextFinish(key, Math.min(1_000, Math.max(1, deadline - now())));
          continue;
        }
        const prior: Prior = state === 'takeover' ? 'unknown' : null;
        try {
          const value = await work(prior);
          await finish(key, token, { s: 'done', fp: fingerprint, token, ok: true, value });
          return value;
        } catch (err) {
          const stored = err instanceof BookingFailure && err.final ? toStored(err) : null;
          const unknown = err instanceof UpstreamUnavailable && err.outcomeUnknown;
          const next: IdemRecord | null = stored
            ? { s: 'done', fp: fingerprint, token, ok: false, failure: stored }
            : unknown || prior === 'unknown'
              ? { s: 'unknown', fp: fingerprint, token, at: now() }
              : null;
          await finish(key, token, next).catch((e: unknown) => log.warn({ err: (e as Error).message }, 'could not record an idempotent outcome'));
          throw err;
        }
      }
    },

    async close() {
      if (subscription) await (await subscription)();
    },
  };
}
