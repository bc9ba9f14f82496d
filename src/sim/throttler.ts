/**
 * Cal.com's rate limiting as the simulator models it: apps/api/v2/src/lib/throttler-guard.ts
 * (`CustomThrottlerGuard`, a global guard, so it runs on every matched `/v2` route before its own
 * guards and pipes) over the storage of @nest-lab/throttler-storage-redis
 * (packages/throttler-storage-redis/src/throttler-storage-redis.service.ts), with an in-memory map
 * in place of Redis and an injectable clock.
 */
import { createHash } from 'node:crypto';
import type { SimRateLimit } from './model.js';

export type TrackerKind = 'api_key' | 'access_token' | 'oauth_client' | 'ip' | 'unknown';

export interface Tracker {
  kind: TrackerKind;
  /** Cal.com's tracker string, e.g. `api_key_<sha256 of the key without "cal_">`. */
  id: string;
  /** For `api_key`: the key as sent (`cal_…`), to check against the configured keys. */
  apiKey?: string;
}

const sha256 = (v: string) => createHash('sha256').update(v).digest('hex');

/**
 * throttler-guard.ts getTracker: the Authorization header (with "Bearer " removed) if any, an API
 * key when it starts with `cal_` and an access token otherwise, even a garbage one; else the
 * `x-cal-client-id` header; else the client IP (`cf-connecting-ip` first); else "unknown".
 */
export function trackerOf(headers: Record<string, string | string[] | undefined>, ip: string | undefined): Tracker {
  const auth = String(headers['authorization'] ?? '').replace('Bearer ', '');
  if (auth) {
    // lib/api-key: isApiKey = startsWith("cal_"), stripApiKey = replace("cal_", "").
    return auth.startsWith('cal_')
      ? { kind: 'api_key', id: `api_key_${sha256(auth.replace('cal_', ''))}`, apiKey: auth }
      : { kind: 'access_token', id: `access_token_${sha256(auth)}` };
  }
  const clientId = headers['x-cal-client-id'];
  if (typeof clientId === 'string' && clientId) return { kind: 'oauth_client', id: `oauth_client_${sha256(clientId)}` };
  const cfIp = headers['cf-connecting-ip'];
  const address = typeof cfIp === 'string' && cfIp ? cfIp : ip;
  if (address) return { kind: 'ip', id: `ip_${sha256(address)}` };
  return { kind: 'unknown', id: 'unknown' };
}

/** throttler-guard.ts getDefaultLimit: API key 120, OAuth client 500, access token 500, else 120 (configurable here). */
export function limitFor(kind: TrackerKind, rl: SimRateLimit): number {
  switch (kind) {
    case 'api_key':
      return rl.limit;
    case 'access_token':
      return rl.accessTokenLimit;
    case 'oauth_client':
      return rl.oauthClientLimit;
    default:
      return rl.ipLimit;
  }
}

export interface StorageRecord {
  totalHits: number;
  /** Seconds, rounded up. */
  timeToExpire: number;
  isBlocked: boolean;
  /** Seconds, rounded up; 0 when not blocked. */
  timeToBlockExpire: number;
}

/**
 * The Redis storage's `increment` script, key for key: a fixed window opened by the first hit
 * (PEXPIRE ttl only when the hit key has no TTL), every request INCRs the hits even while blocked,
 * the hit that makes hits > limit sets a block of `blockDuration`, and after the block expires the
 * next hit is judged against the hits of the current window.
 */
export function createThrottleStorage(now: () => number = Date.now) {
  const entries = new Map<string, { hits: number; hitsExpireAt: number | null; blockedUntil: number | null }>();

  function increment(key: string, ttl: number, limit: number, blockDuration: number, throttlerName: string): StorageRecord {
    const t = now();
    const k = `{${key}:${throttlerName}}`;
    let e = entries.get(k);
    if (!e) {
      e = { hits: 0, hitsExpireAt: null, blockedUntil: null };
      entries.set(k, e);
    }
    // Redis expiry: an expired key is gone.
    if (e.hitsExpireAt !== null && e.hitsExpireAt <= t) {
      e.hits = 0;
      e.hitsExpireAt = null;
    }
    if (e.blockedUntil !== null && e.blockedUntil <= t) e.blockedUntil = null;

    e.hits += 1; // INCR hitKey
    let timeToExpire = e.hitsExpireAt === null ? -1 : e.hitsExpireAt - t; // PTTL hitKey
    if (timeToExpire <= 0) {
      e.hitsExpireAt = t + ttl;
      timeToExpire = ttl;
    }
    let isBlocked = e.blockedUntil !== null;
    let timeToBlockExpire = 0;
    if (isBlocked) {
      timeToBlockExpire = e.blockedUntil! - t;
    } else if (e.hits > limit) {
      e.blockedUntil = t + blockDuration;
      isBlocked = true;
      timeToBlockExpire = blockDuration;
    }
    if (isBlocked && timeToBlockExpire <= 0) {
      // The script's reset branch (a block without TTL; here only with a zero block duration).
      e.blockedUntil = null;
      e.hits = 1;
      e.hitsExpireAt = t + ttl;
      timeToExpire = ttl;
      isBlocked = false;
    }
    return {
      totalHits: e.hits,
      timeToExpire: Math.ceil(timeToExpire / 1000),
      isBlocked,
      timeToBlockExpire: Math.ceil(timeToBlockExpire / 1000),
    };
  }

  return { increment, reset: () => entries.clear() };
}

export interface ThrottleDecision {
  allowed: boolean;
  /** `X-RateLimit-{Limit,Remaining,Reset}-<Name>`; sent on 429s too. No Retry-After. */
  headers: Record<string, string>;
}

/**
 * throttler-guard.ts handleApiKeyRequest / handleNonApiKeyRequest with the default limit of the
 * tracker's kind: storage key `${tracker}:${limit}:${ttl}`, headers set before the 429 is thrown,
 * Remaining 0 while blocked, Reset in seconds (block time left while blocked, window time left otherwise).
 */
export function createThrottler(getLimits: () => SimRateLimit, now: () => number = Date.now) {
  const storage = createThrottleStorage(now);

  function hit(tracker: Tracker): ThrottleDecision {
    const rl = getLimits();
    const limit = limitFor(tracker.kind, rl);
    const record = storage.increment(`${tracker.id}:${limit}:${rl.windowMs}`, rl.windowMs, limit, rl.blockMs, rl.name);
    const suffix = rl.name.charAt(0).toUpperCase() + rl.name.slice(1);
    return {
      allowed: !record.isBlocked,
      headers: {
        [`X-RateLimit-Limit-${suffix}`]: String(limit),
        [`X-RateLimit-Remaining-${suffix}`]: String(record.timeToBlockExpire ? 0 : Math.max(0, limit - record.totalHits)),
        [`X-RateLimit-Reset-${suffix}`]: String(record.timeToBlockExpire || record.timeToExpire),
      },
    };
  }

  return { hit, reset: storage.reset };
}
