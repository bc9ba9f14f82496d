/**
 * The stored day buckets: reading (with the decoded form of each stored string kept while the string
 * is unchanged), writing a fetch's days in one atomic script, witness checks for the answer cache,
 * and deletion with tombstones.
 *
 * A bucket (KEYS `slots:<credential>:<event type>:<UTC day>`) is a JSON object of JSON strings, one
 * per variant (`default@UTC`, `45@Asia/Kolkata`): entries stay strings inside, so Redis's cjson never
 * touches their numbers or empty arrays.
 */
import type { WitnessCheck } from '../../answer-cache.js';
import type { Store, StoreScript } from '../../store/store.js';
import { variantKey, type SlotKeys, type Variant } from './keys.js';
import type { BucketEntry } from './types.js';

/**
 * Writes one variant's entries into day buckets: KEYS are pairs (bucket, tombstone), ARGV the
 * variant key, the TTL (ms), the fetch's start (ms) and one entry per pair. A day whose tombstone is
 * at or after the fetch's start was invalidated meanwhile and is not written. Returns how many were.
 */
export const writeBuckets: StoreScript<number> = {
  name: 'slotgraphWriteBuckets',
  lua: `local written = 0
for i = 1, #KEYS, 2 do
  local tomb = redis.call('GET', KEYS[i + 1])
  if not (tomb and tonumber(tomb) >= tonumber(ARGV[3])) then
    local cur = redis.call('GET', KEYS[i])
    local obj = {}
    if cur then obj = cjson.decode(cur) end
    obj[ARGV[1]] = ARGV[3 + (i + 1) / 2]
    redis.call('SET', KEYS[i], cjson.encode(obj), 'PX', ARGV[2])
    written = written + 1
  end
end
return written`,
  local(ops, keys, [variant, ttl, startedAt, ...entries]) {
    let written = 0;
    for (let i = 0; i < keys.length; i += 2) {
      const tomb = ops.get(keys[i + 1]!);
      if (tomb !== null && Number(tomb) >= Number(startedAt)) continue;
      const cur = ops.get(keys[i]!);
      const obj = cur ? (JSON.parse(cur) as Record<string, string>) : {};
      obj[variant!] = entries[i / 2]!;
      ops.set(keys[i]!, JSON.stringify(obj), Number(ttl));
      written += 1;
    }
    return written;
  },
};

/** What a read saw: each day's entry (when stored for the variant), and the keys and strings read. */
export interface BucketRead {
  entries: Map<string, BucketEntry>;
  keys: string[];
  raws: Array<string | null>;
}

/** Decoded buckets kept per process: about 8 KiB each for a busy day. */
const DECODED_BUCKETS_MAX = 2048;

export function createStoredBuckets(store: Store, keys: SlotKeys, ttlMs: number, onWitnessHit: (buckets: number) => void) {
  /**
   * Decoded buckets by store key, each with the raw value it was decoded from: a warm read compares
   * the stored string (the same reference for the in-process store, equal content for Redis) and
   * parses nothing. Bounded; the oldest decoded key goes first. Entries are shared: read-only.
   */
  const decoded = new Map<string, { raw: string; variants: Map<string, BucketEntry | null> }>();
  function decode(storeKey: string, raw: string, variant: string): BucketEntry | undefined {
    let d = decoded.get(storeKey);
    if (!d || d.raw !== raw) {
      decoded.delete(storeKey);
      if (decoded.size >= DECODED_BUCKETS_MAX) decoded.delete(decoded.keys().next().value!);
      d = { raw, variants: new Map() };
      decoded.set(storeKey, d);
    }
    let entry = d.variants.get(variant);
    if (entry === undefined) {
      const inner = (JSON.parse(raw) as Record<string, string>)[variant];
      entry = inner ? (JSON.parse(inner) as BucketEntry) : null;
      d.variants.set(variant, entry);
    }
    return entry ?? undefined;
  }

  /** The store keys of `days`' buckets, in order. */
  const keysOf = (v: Variant, days: readonly string[]) => days.map((day) => keys.bucket(v.eventTypeId, day));

  /** A read from strings got elsewhere (e.g. with a lock script): `raws[i]` is `bucketKeys[i]`'s value. */
  function decodeRead(v: Variant, days: readonly string[], bucketKeys: string[], raws: Array<string | null>): BucketRead {
    const entries = new Map<string, BucketEntry>();
    const variant = variantKey(v);
    days.forEach((day, i) => {
      const raw = raws[i];
      if (!raw) return;
      const entry = decode(bucketKeys[i]!, raw, variant);
      if (entry) entries.set(day, entry);
    });
    return { entries, keys: bucketKeys, raws };
  }

  return {
    /** The variant's entries of `days` (those stored), with the keys and strings read. */
    async read(v: Variant, days: readonly string[]): Promise<BucketRead> {
      const bucketKeys = keysOf(v, days);
      return decodeRead(v, days, bucketKeys, await store.getMany(bucketKeys));
    },

    keysOf,
    decodeRead,

    /** Writes every day of one fetch (empty ones too), except days invalidated since `startedAt` (ms). */
    async write(v: Variant, byDay: ReadonlyMap<string, BucketEntry>, startedAt: number): Promise<void> {
      const pairs = [...byDay.keys()].flatMap((day) => [keys.bucket(v.eventTypeId, day), keys.tomb(v.eventTypeId, day)]);
      const entries = [...byDay.values()].map((entry) => JSON.stringify(entry));
      await store.run(writeBuckets, pairs, [variantKey(v), ttlMs, startedAt, ...entries]);
    },

    /**
     * A witness check: the store still holds exactly these strings under these keys (so an answer
     * built from them stands). Counted as bucket hits when it passes, as a warm read would be.
     */
    unchanged(bucketKeys: readonly string[], raws: ReadonlyArray<string | null>): WitnessCheck {
      return async () => {
        const now = await store.getMany(bucketKeys);
        const same = now.every((raw, i) => raw === raws[i]);
        if (same) onWitnessHit(bucketKeys.length);
        return same;
      };
    },

    /** Every variant cached now for these days of one event type: variant key → day → entry. */
    async variants(eventTypeId: number, days: readonly string[]): Promise<Map<string, Map<string, BucketEntry>>> {
      const cached = new Map<string, Map<string, BucketEntry>>();
      const raws = await store.getMany(days.map((day) => keys.bucket(eventTypeId, day)));
      days.forEach((day, i) => {
        if (!raws[i]) return;
        for (const [key, inner] of Object.entries(JSON.parse(raws[i]!) as Record<string, string>)) {
          let byDay = cached.get(key);
          if (!byDay) cached.set(key, (byDay = new Map()));
          byDay.set(day, JSON.parse(inner) as BucketEntry);
        }
      });
      return cached;
    },

    /**
     * Deletes the buckets of these event types' days and leaves tombstones at `at` (ms) for
     * `tombTtlMs`, so a fetch that began earlier cannot write its older answer back.
     * @returns how many buckets existed
     */
    async drop(eventTypeIds: readonly number[], days: readonly string[], at: number, tombTtlMs: number): Promise<number> {
      const pairs = eventTypeIds.flatMap((id) => days.map((day) => [id, day] as const));
      if (pairs.length === 0) return 0;
      await Promise.all(pairs.map(([id, day]) => store.set(keys.tomb(id, day), String(at), { ttlMs: tombTtlMs })));
      return store.del(...pairs.map(([id, day]) => keys.bucket(id, day)));
    },
  };
}
export type StoredBuckets = ReturnType<typeof createStoredBuckets>;
