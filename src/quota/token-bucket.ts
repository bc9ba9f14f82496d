/**
 * The per-credential token bucket, kept in the store so every gateway instance on one Redis shares
 * it (in-process without Redis). Each operation is one atomic script; the clock is passed in (ms).
 *
 * Why these numbers keep us under Cal.com's limit (docs/calcom-contract.md#rate-limits: `limit` requests per `windowMs`
 * per API key, counted in a fixed window from its first hit, then a 60 s block):
 * a bucket of capacity C refilled at r tokens/ms admits at most C + r·W requests in *any* span of W
 * ms. With the budget B = ⌊limit × admissionFraction⌋, C = ⌈B × burstFraction⌉ and r = (B − C) / W,
 * that is at most B < limit, however Cal.com's window falls.
 *
 * State (one key): `tokens|updatedAt|pausedUntil|admitted`, where `admitted` counts every token ever
 * taken (to tell how many requests were sent after a given one).
 */
import type { StoreScript, Store } from '../store/store.js';

export interface BucketLimits {
  /** Requests Cal.com allows per window. @default 120 (docs/calcom-contract.md#rate-limits) */
  limit: number;
  /** Cal.com's window in ms. @default 60000 */
  windowMs: number;
  /** Share of `limit` we allow ourselves. @default 0.9 */
  admissionFraction: number;
  /** Share of the budget that may go out at once (the bucket's capacity). @default 0.15 */
  burstFraction: number;
  /** Share of the capacity only `critical` requests may use. @default 0.2 */
  criticalReserveFraction: number;
}

export const DEFAULT_BUCKET_LIMITS: BucketLimits = {
  limit: 120,
  windowMs: 60_000,
  admissionFraction: 0.9,
  burstFraction: 0.15,
  criticalReserveFraction: 0.2,
};

/** Derived bucket parameters. */
export interface BucketShape {
  /** Requests per window we allow ourselves (B). */
  budget: number;
  /** Tokens the bucket holds at most (C). */
  capacity: number;
  /** Tokens added per ms (r). */
  refillPerMs: number;
  /** Tokens only critical requests may take. */
  criticalReserve: number;
  /** limit − budget: what Cal.com's Remaining header must keep free for us to go on. */
  margin: number;
}

export function bucketShape(l: BucketLimits): BucketShape {
  // At least 2, so the bucket both holds a token and refills.
  const budget = Math.max(2, Math.floor(l.limit * l.admissionFraction));
  const capacity = Math.min(budget - 1, Math.max(1, Math.ceil(budget * l.burstFraction)));
  return {
    budget,
    capacity,
    refillPerMs: (budget - capacity) / l.windowMs,
    criticalReserve: Math.min(capacity - 1, Math.round(capacity * l.criticalReserveFraction)),
    margin: Math.max(0, l.limit - budget),
  };
}

const LUA_LOAD = `
local now, cap, rate = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local tokens, updated, paused, admitted = cap, now, 0, 0
local raw = redis.call('GET', KEYS[1])
if raw then
  local a, b, c, d = string.match(raw, '^([^|]+)|([^|]+)|([^|]+)|([^|]+)$')
  tokens, updated, paused, admitted = tonumber(a), tonumber(b), tonumber(c), tonumber(d)
end
if now > updated then
  tokens = math.min(cap, tokens + (now - updated) * rate)
  updated = now
end
local function save(ttl)
  redis.call('SET', KEYS[1], string.format('%.6f|%d|%d|%d', tokens, updated, paused, admitted), 'PX', ttl)
end
`;

interface BucketState {
  tokens: number;
  updated: number;
  paused: number;
  admitted: number;
}

function load(raw: string | null, now: number, capacity: number, rate: number): BucketState {
  let s: BucketState = { tokens: capacity, updated: now, paused: 0, admitted: 0 };
  if (raw) {
    const [a, b, c, d] = raw.split('|').map(Number) as [number, number, number, number];
    s = { tokens: a, updated: b, paused: c, admitted: d };
  }
  if (now > s.updated) {
    s.tokens = Math.min(capacity, s.tokens + (now - s.updated) * rate);
    s.updated = now;
  }
  return s;
}
const save = (s: BucketState) => `${s.tokens.toFixed(6)}|${Math.trunc(s.updated)}|${Math.trunc(s.paused)}|${Math.trunc(s.admitted)}`;

/**
 * Takes one token if at least `reserve` stay behind and the credential is not paused.
 * ARGV: now, capacity, refillPerMs, reserve, ttlMs. Returns [admitted 0|1, waitMs, tokens, admittedCount].
 */
const takeScript: StoreScript<[number, number, string, number]> = {
  name: 'slotgraphQuotaTake',
  lua: `${LUA_LOAD}
local reserve = tonumber(ARGV[4])
local ok, wait = 0, 0
if paused > now then
  wait = paused - now
elseif tokens - 1 >= reserve then
  tokens = tokens - 1
  admitted = admitted + 1
  ok = 1
else
  wait = math.ceil((reserve + 1 - tokens) / rate)
end
save(ARGV[5])
return {ok, wait, string.format('%.6f', tokens), admitted}`,
  local(ops, [key], [now, cap, rate, reserve, ttl]) {
    const s = load(ops.get(key!), Number(now), Number(cap), Number(rate));
    let ok = 0;
    let wait = 0;
    if (s.paused > Number(now)) wait = s.paused - Number(now);
    else if (s.tokens - 1 >= Number(reserve)) {
      s.tokens -= 1;
      s.admitted += 1;
      ok = 1;
    } else wait = Math.ceil((Number(reserve) + 1 - s.tokens) / Number(rate));
    ops.set(key!, save(s), Number(ttl));
    return [ok, wait, s.tokens.toFixed(6), s.admitted];
  },
};

/**
 * Corrects the bucket from a response: Cal.com had `remaining` left when it answered the request
 * that was the `seq`-th admitted; requests admitted after it are not in that count yet. When what is
 * left drops to the margin, pause until Cal.com's window resets.
 * ARGV: now, capacity, refillPerMs, remaining, resetMs, margin, seq, ttlMs. Returns tokens.
 */
const syncScript: StoreScript<string> = {
  name: 'slotgraphQuotaSync',
  lua: `${LUA_LOAD}
local left = tonumber(ARGV[4]) - tonumber(ARGV[6]) - math.max(0, admitted - tonumber(ARGV[7]))
if left <= 0 then
  paused = math.max(paused, now + tonumber(ARGV[5]))
  tokens = 0
elseif tokens > left then
  tokens = left
end
save(ARGV[8])
return string.format('%.6f', tokens)`,
  local(ops, [key], [now, cap, rate, remaining, resetMs, margin, seq, ttl]) {
    const s = load(ops.get(key!), Number(now), Number(cap), Number(rate));
    const left = Number(remaining) - Number(margin) - Math.max(0, s.admitted - Number(seq));
    if (left <= 0) {
      s.paused = Math.max(s.paused, Number(now) + Number(resetMs));
      s.tokens = 0;
    } else if (s.tokens > left) s.tokens = left;
    ops.set(key!, save(s), Number(ttl));
    return s.tokens.toFixed(6);
  },
};

/** Pauses the credential until ARGV[4] (ms since epoch) and empties the bucket. ARGV: now, cap, rate, until, ttl. */
const pauseScript: StoreScript<number> = {
  name: 'slotgraphQuotaPause',
  lua: `${LUA_LOAD}
paused = math.max(paused, tonumber(ARGV[4]))
tokens = 0
save(ARGV[5])
return paused`,
  local(ops, [key], [now, cap, rate, until, ttl]) {
    const s = load(ops.get(key!), Number(now), Number(cap), Number(rate));
    s.paused = Math.max(s.paused, Number(until));
    s.tokens = 0;
    ops.set(key!, save(s), Number(ttl));
    return s.paused;
  },
};

/** Reads without changing: ARGV now, cap, rate. Returns [tokens, pausedUntil, admitted]. */
const peekScript: StoreScript<[string, number, number]> = {
  name: 'slotgraphQuotaPeek',
  lua: `${LUA_LOAD}
return {string.format('%.6f', tokens), paused, admitted}`,
  local(ops, [key], [now, cap, rate]) {
    const s = load(ops.get(key!), Number(now), Number(cap), Number(rate));
    return [s.tokens.toFixed(6), s.paused, s.admitted];
  },
};

export interface TakeResult {
  admitted: boolean;
  /** When not admitted: ms until a token could be there (or the pause ends). */
  waitMs: number;
  tokens: number;
  /** Tokens taken so far (all instances); the admitted request's sequence number. */
  seq: number;
}

export interface TokenBucket {
  readonly shape: BucketShape;
  take(reserve: number): Promise<TakeResult>;
  /** Correct from `X-RateLimit-Remaining-Default` / `-Reset-Default` (seconds) of the `seq`-th request. */
  sync(remaining: number, resetSeconds: number, seq: number): Promise<void>;
  /** Stop every instance until `untilMs`. */
  pause(untilMs: number): Promise<void>;
  peek(): Promise<{ tokens: number; pausedUntil: number; admitted: number }>;
}

export function createTokenBucket(options: { store: Store; key: string; limits: BucketLimits; now: () => number }): TokenBucket {
  const { store, key, limits, now } = options;
  const shape = bucketShape(limits);
  // Idle state is worth nothing after two windows; let Redis forget it.
  const ttl = 2 * limits.windowMs + 60_000;
  const base = () => [now(), shape.capacity, shape.refillPerMs] as const;
  return {
    shape,
    async take(reserve) {
      const [ok, wait, tokens, seq] = await store.run(takeScript, [key], [...base(), reserve, ttl]);
      return { admitted: ok === 1, waitMs: Number(wait), tokens: Number(tokens), seq: Number(seq) };
    },
    async sync(remaining, resetSeconds, seq) {
      await store.run(syncScript, [key], [...base(), remaining, Math.ceil(resetSeconds * 1000), shape.margin, seq, ttl]);
    },
    async pause(untilMs) {
      await store.run(pauseScript, [key], [...base(), Math.ceil(untilMs), ttl]);
    },
    async peek() {
      const [tokens, pausedUntil, admitted] = await store.run(peekScript, [key], [...base()]);
      return { tokens: Number(tokens), pausedUntil: Number(pausedUntil), admitted: Number(admitted) };
    },
  };
}
