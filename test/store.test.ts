/** The same behaviour from both stores: in-process and a real Redis. */
import { describe, expect, it } from 'vitest';
import { writeBuckets } from '../src/loaders/slot-cache/buckets.js';
import { createMemoryStore, type StoreScript } from '../src/store/index.js';
import { acquireEachLockAndGet } from '../src/store/locks.js';
import { startStore } from './support/stack.js';

/** Adds ARGV[1] to a counter and returns the new value (an atomic read-modify-write). */
const incrementBy: StoreScript<number> = {
  name: 'testIncrementBy',
  lua: `local v = tonumber(redis.call('GET', KEYS[1]) or '0') + tonumber(ARGV[1])
redis.call('SET', KEYS[1], tostring(v))
return v`,
  local(ops, keys, args) {
    const v = Number(ops.get(keys[0]!) ?? '0') + Number(args[0]);
    ops.set(keys[0]!, String(v));
    return v;
  },
};

describe.each(['memory', 'redis'] as const)('%s store', (kind) => {
  it('gets, sets with a TTL, sets only if absent and deletes', async () => {
    const store = await startStore(kind);
    expect(await store.get('a')).toBeNull();
    expect(await store.set('a', '1', { ttlMs: 60_000 })).toBe(true);
    expect(await store.get('a')).toBe('1');
    const ttl = await store.pttl('a');
    expect(ttl).toBeGreaterThan(50_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.set('a', '2', { onlyIfAbsent: true })).toBe(false);
    expect(await store.get('a')).toBe('1');
    expect(await store.set('b', 'x')).toBe(true);
    expect(await store.pttl('b')).toBe(-1);
    expect(await store.pttl('missing')).toBe(-2);
    expect(await store.getMany(['b', 'missing', 'a'])).toEqual(['x', null, '1']);
    expect(await store.getMany([])).toEqual([]);
    expect(await store.del('a', 'b', 'missing')).toBe(2);
    expect(await store.get('a')).toBeNull();
  });

  it('writes a fetch\'s day buckets in one script, except days invalidated after the fetch began', async () => {
    const store = await startStore(kind);
    await store.set('tomb-2', '150');
    await store.set('bucket-3', JSON.stringify({ other: '{"x":1}' }));
    const written = await store.run(writeBuckets, ['bucket-1', 'tomb-1', 'bucket-2', 'tomb-2', 'bucket-3', 'tomb-3'], ['default@UTC', 60_000, 100, '{"a":1}', '{"a":2}', '{"a":3}']);
    expect(written).toBe(2);
    const stored = (await store.getMany(['bucket-1', 'bucket-2', 'bucket-3'])).map((raw) => (raw === null ? null : JSON.parse(raw)));
    expect(stored).toEqual([{ 'default@UTC': '{"a":1}' }, null, { other: '{"x":1}', 'default@UTC': '{"a":3}' }]);
    expect(await store.pttl('bucket-1')).toBeGreaterThan(50_000);
  });

  it('takes free locks and reads other keys in one script, the same on both stores', async () => {
    const store = await startStore(kind);
    await store.set('lock:held', 'someone', { ttlMs: 60_000 });
    await store.set('bucket:a', '{"x":"1"}');
    const out = await store.run(acquireEachLockAndGet, ['lock:free', 'lock:held', 'bucket:a', 'bucket:missing', 'bucket:b'], ['me', 10_000, 2]);
    expect(out).toEqual([1, 0, '{"x":"1"}', null, null]);
    expect(await store.get('lock:free')).toBe('me');
    expect(await store.get('lock:held')).toBe('someone');
    expect(await store.run(acquireEachLockAndGet, ['lock:free'], ['other', 10_000, 1])).toEqual([0]);
  });

  it('runs a script atomically: 50 concurrent increments lose none', async () => {
    const store = await startStore(kind);
    const results = await Promise.all(Array.from({ length: 50 }, () => store.run(incrementBy, ['counter'], [2])));
    expect(new Set(results).size).toBe(50);
    expect(Math.max(...results)).toBe(100);
    expect(await store.get('counter')).toBe('100');
  });

  it('publishes to every subscriber until it unsubscribes', async () => {
    const store = await startStore(kind);
    const received: string[] = [];
    let resolveTwo!: () => void;
    const gotTwo = new Promise<void>((resolve) => (resolveTwo = resolve));
    const stop = await store.subscribe('events', (message) => {
      received.push(message);
      if (received.length === 2) resolveTwo();
    });
    await store.publish('events', 'one');
    await store.publish('events', 'two');
    await gotTwo;
    expect(received).toEqual(['one', 'two']);
    await stop();
    expect(await store.ping()).toBe(true);
  });
});

describe('memory store expiry', () => {
  it('expires keys against its clock', async () => {
    let now = 1_000;
    const store = createMemoryStore({ now: () => now });
    await store.set('k', 'v', { ttlMs: 500 });
    now += 499;
    expect(await store.get('k')).toBe('v');
    expect(await store.pttl('k')).toBe(1);
    now += 1;
    expect(await store.get('k')).toBeNull();
    expect(await store.set('k', 'w', { onlyIfAbsent: true })).toBe(true);
  });
});
