/**
 * Short-lived locks in the store, shared by every instance on one Redis: a lock is a key holding
 * the owner's random token with a TTL, so a crashed owner's lock frees itself. Each operation is one
 * {@link StoreScript} (Lua for Redis, TypeScript in process), so it is atomic on both.
 */
import type { StoreScript } from './store.js';

/** Sets every key's lock to ARGV[1] for ARGV[2] ms where it is free; returns 1/0 per key. */
export const acquireEachLock: StoreScript<number[]> = {
  name: 'slotgraphAcquireLocks',
  lua: `local out = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, ARGV[1], 'PX', ARGV[2], 'NX') then out[i] = 1 else out[i] = 0 end
end
return out`,
  local(ops, keys, [token, ttl]) {
    return keys.map((key) => {
      if (ops.get(key) !== null) return 0;
      ops.set(key, token!, Number(ttl));
      return 1;
    });
  },
};

/**
 * {@link acquireEachLock} for the first ARGV[3] KEYS, and in the same step the values of the other
 * KEYS (a holder's double-check read, one round trip instead of two). Returns 1/0 per lock, then
 * each value (null where absent).
 */
export const acquireEachLockAndGet: StoreScript<Array<number | string | null>> = {
  name: 'slotgraphAcquireLocksAndGet',
  lua: `local n = tonumber(ARGV[3])
local out = {}
for i = 1, n do
  if redis.call('SET', KEYS[i], ARGV[1], 'PX', ARGV[2], 'NX') then out[i] = 1 else out[i] = 0 end
end
for i = n + 1, #KEYS do
  local v = redis.call('GET', KEYS[i])
  if v then out[i] = v else out[i] = false end
end
return out`,
  local(ops, keys, [token, ttl, count]) {
    const n = Number(count);
    return keys.map((key, i) => {
      if (i >= n) return ops.get(key);
      if (ops.get(key) !== null) return 0;
      ops.set(key, token!, Number(ttl));
      return 1;
    });
  },
};

/** Takes every lock of KEYS with token ARGV[1] for ARGV[2] ms, or none when any is held; returns 1/0. */
export const acquireAllLocks: StoreScript<number> = {
  name: 'slotgraphAcquireAllLocks',
  lua: `for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then return 0 end
end
for _, key in ipairs(KEYS) do redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end
return 1`,
  local(ops, keys, [token, ttl]) {
    if (keys.some((key) => ops.get(key) !== null)) return 0;
    for (const key of keys) ops.set(key, token!, Number(ttl));
    return 1;
  },
};

/** Deletes the locks still held with token ARGV[1]; returns how many. */
export const releaseLocks: StoreScript<number> = {
  name: 'slotgraphReleaseLocks',
  lua: `local n = 0
for _, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('DEL', key); n = n + 1 end
end
return n`,
  local(ops, keys, [token]) {
    let n = 0;
    for (const key of keys) if (ops.get(key) === token && ops.del(key)) n++;
    return n;
  },
};
