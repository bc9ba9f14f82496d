/**
 * The per-credential admission log: the times (ms since the epoch) of every upstream request
 * admitted in the last `windowMs`, kept in the store so every gateway instance on one Redis shares
 * it (in-process without Redis). Each operation is one atomic script; the clock is passed in (ms).
 *
 * Why it keeps us under Cal.com's limit (docs/calcom-contract.md#rate-limits: `limit` requests per
 * `windowMs` per API key, counted in a fixed window from its first hit, then a 60 s block): a request
 * is admitted only while fewer than B = ⌊limit × admissionFraction⌋ admissions lie in the `windowMs`
 * before it, so *any* span of `windowMs` holds at most B < limit, however Cal.com's window falls. Unlike
 * a token bucket, the whole budget is usable at once and again every window: no burst cap, no
 * refill rate below the budget.
 *
 * State (one key): `pausedUntil|admitted|t1,t2,…`, where `admitted` counts every admission ever (to
 * tell how many requests were sent after a given one) and `t1…` are the admissions (and the stand-ins
 * a re-sync adds) still inside the window, ascending.
 */
import type { Store, StoreScript } from '../store/store.js';

export interface QuotaLimits {
  /** Requests Cal.com allows per window. @default 120 (docs/calcom-contract.md#rate-limits) */
  limit: number;
  /** Cal.com's window in ms. @default 60000 */
  windowMs: number;
  /** Share of `limit` we allow ourselves in any window (the budget). @default 0.9 */
  admissionFraction: number;
  /** Share of the budget only `critical` calls (bookings) may use. @default 0.03 (3 of 108) */
  criticalReserveFraction: number;
}

export const DEFAULT_QUOTA_LIMITS: QuotaLimits = {
  limit: 120,
  windowMs: 60_000,
  admissionFraction: 0.9,
  criticalReserveFraction: 0.03,
};

/** Derived admission parameters. */
export interface QuotaShape {
  /** Requests we allow ourselves in any span of `windowMs` (B). */
  budget: number;
  /** The largest burst: the whole budget. */
  capacity: number;
  /** The sustained rate, requests per ms: the budget per window. */
  refillPerMs: number;
  /** Admissions only critical calls may take. */
  criticalReserve: number;
  /** limit − budget: what Cal.com's Remaining header must keep free for us to go on. */
  margin: number;
}

export function quotaShape(l: QuotaLimits): QuotaShape {
  const budget = Math.max(2, Math.floor(l.limit * l.admissionFraction));
  return {
    budget,
    capacity: budget,
    refillPerMs: budget / l.windowMs,
    criticalReserve: Math.min(budget - 1, Math.max(0, Math.round(budget * l.criticalReserveFraction))),
    margin: Math.max(0, l.limit - budget),
  };
}

/** How many upcoming expiries a refused `take` reports (for predicting the queue's waits). */
const FREES_REPORTED = 64;

const LUA_LOAD = `
local now, budget, W = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local paused, admitted, log = 0, 0, {}
local raw = redis.call('GET', KEYS[1])
if raw then
  local a, b, rest = string.match(raw, '^([^|]*)|([^|]*)|(.*)$')
  paused, admitted = tonumber(a), tonumber(b)
  for t in string.gmatch(rest, '[^,]+') do
    local n = tonumber(t)
    if n + W > now then log[#log + 1] = n end
  end
  table.sort(log)
end
local function save(ttl)
  local parts = {}
  for i = 1, #log do parts[i] = string.format('%d', log[i]) end
  redis.call('SET', KEYS[1], string.format('%d|%d|', paused, admitted) .. table.concat(parts, ','), 'PX', ttl)
end
`;

interface LogState {
  paused: number;
  admitted: number;
  /** Ascending; only entries still inside the window. */
  log: number[];
}

function load(raw: string | null, now: number, windowMs: number): LogState {
  if (!raw) return { paused: 0, admitted: 0, log: [] };
  const [a, b, rest] = raw.split('|') as [string, string, string];
  const log = rest === '' ? [] : rest.split(',').map(Number).filter((t) => t + windowMs > now);
  log.sort((x, y) => x - y);
  return { paused: Number(a), admitted: Number(b), log };
}
const save = (s: LogState) => `${Math.trunc(s.paused)}|${Math.trunc(s.admitted)}|${s.log.map((t) => Math.trunc(t)).join(',')}`;

/**
 * Admits one request if fewer than `budget − reserve` admissions lie in the window and the
 * credential is not paused. ARGV: now, budget, windowMs, reserve, ttlMs.
 * Returns [admitted 0|1, waitMs, available, admittedCount, …frees]: `frees` are the ms until each of
 * the next admissions (after this one, in order) could go, as far as the log tells (0 while there is
 * room; then as the oldest admissions expire; at least the pause), admitted or not; when refused,
 * `waitMs` is the first of them.
 */
const takeScript: StoreScript<number[]> = {
  name: 'slotgraphQuotaLogTake',
  lua: `${LUA_LOAD}
local reserve = tonumber(ARGV[4])
local room = math.max(1, budget - reserve)
local ok, wait = 0, 0
local pausedFor = math.max(0, paused - now)
if pausedFor == 0 and #log < room then
  log[#log + 1] = now
  admitted = admitted + 1
  ok = 1
end
local frees = {}
for j = 0, ${FREES_REPORTED} - 1 do
  local idx = #log - room + j + 1
  if idx > #log then break end
  if idx < 1 then frees[#frees + 1] = pausedFor else frees[#frees + 1] = math.max(pausedFor, log[idx] + W - now) end
end
if ok == 0 then wait = frees[1] or pausedFor end
save(ARGV[5])
local out = {ok, wait, budget - #log, admitted}
for i = 1, #frees do out[#out + 1] = frees[i] end
return out`,
  local(ops, [key], [now, budget, windowMs, reserve, ttl]) {
    const t = Number(now);
    const w = Number(windowMs);
    const s = load(ops.get(key!), t, w);
    const room = Math.max(1, Number(budget) - Number(reserve));
    const pausedFor = Math.max(0, s.paused - t);
    let ok = 0;
    if (pausedFor === 0 && s.log.length < room) {
      s.log.push(t);
      s.admitted += 1;
      ok = 1;
    }
    const frees: number[] = [];
    for (let j = 0; j < FREES_REPORTED; j++) {
      const idx = s.log.length - room + j; // 0-based: the admission whose expiry lets the j-th next one go
      if (idx >= s.log.length) break;
      frees.push(idx < 0 ? pausedFor : Math.max(pausedFor, s.log[idx]! + w - t));
    }
    const wait = ok ? 0 : (frees[0] ?? pausedFor);
    ops.set(key!, save(s), Number(ttl));
    return [ok, wait, Number(budget) - s.log.length, s.admitted, ...frees];
  },
};

/**
 * Corrects the log from a response: Cal.com had `remaining` left when it answered the request that
 * was the `seq`-th admitted; requests admitted after it are not in that count yet. What Cal.com has
 * counted beyond our log is entered as stand-ins that expire when its window resets; when what is
 * left drops to the margin, every instance pauses until then.
 * ARGV: now, budget, windowMs, remaining, resetMs, margin, seq, ttlMs. Returns what is available.
 */
const syncScript: StoreScript<number> = {
  name: 'slotgraphQuotaLogSync',
  lua: `${LUA_LOAD}
local resetMs = tonumber(ARGV[5])
local left = tonumber(ARGV[4]) - tonumber(ARGV[6]) - math.max(0, admitted - tonumber(ARGV[7]))
if left <= 0 then
  paused = math.max(paused, now + resetMs)
else
  local excess = (budget - #log) - left
  if excess > 0 then
    local at = math.min(now, now + resetMs - W)
    for i = 1, excess do log[#log + 1] = at end
    table.sort(log)
  end
end
save(ARGV[8])
return budget - #log`,
  local(ops, [key], [now, budget, windowMs, remaining, resetMs, margin, seq, ttl]) {
    const t = Number(now);
    const w = Number(windowMs);
    const s = load(ops.get(key!), t, w);
    const left = Number(remaining) - Number(margin) - Math.max(0, s.admitted - Number(seq));
    if (left <= 0) s.paused = Math.max(s.paused, t + Number(resetMs));
    else {
      const excess = Number(budget) - s.log.length - left;
      if (excess > 0) {
        const at = Math.min(t, t + Number(resetMs) - w);
        for (let i = 0; i < excess; i++) s.log.push(at);
        s.log.sort((x, y) => x - y);
      }
    }
    ops.set(key!, save(s), Number(ttl));
    return Number(budget) - s.log.length;
  },
};

/**
 * Re-stamps one admission with the time its answer came back: Cal.com counted the request when it
 * arrived, somewhere between admission and answer, so an entry kept from the answer on never leaves
 * the log before Cal.com's count of it does, whatever the latency. An entry already gone (a call
 * slower than the window) is entered again. ARGV: now, budget, windowMs, admittedAt, ttl.
 */
const settleScript: StoreScript<number> = {
  name: 'slotgraphQuotaLogSettle',
  lua: `${LUA_LOAD}
local at = tonumber(ARGV[4])
local found = false
for i = 1, #log do
  if log[i] == at then log[i] = now; found = true; break end
end
if not found and at <= now then log[#log + 1] = now end
table.sort(log)
save(ARGV[5])
return budget - #log`,
  local(ops, [key], [now, budget, windowMs, admittedAt, ttl]) {
    const t = Number(now);
    const s = load(ops.get(key!), t, Number(windowMs));
    const i = s.log.indexOf(Number(admittedAt));
    if (i >= 0) s.log[i] = t;
    else if (Number(admittedAt) <= t) s.log.push(t);
    s.log.sort((x, y) => x - y);
    ops.set(key!, save(s), Number(ttl));
    return Number(budget) - s.log.length;
  },
};

/** Pauses the credential until ARGV[4] (ms since epoch). ARGV: now, budget, windowMs, until, ttl. */
const pauseScript: StoreScript<number> = {
  name: 'slotgraphQuotaLogPause',
  lua: `${LUA_LOAD}
paused = math.max(paused, tonumber(ARGV[4]))
save(ARGV[5])
return paused`,
  local(ops, [key], [now, _budget, windowMs, until, ttl]) {
    const s = load(ops.get(key!), Number(now), Number(windowMs));
    s.paused = Math.max(s.paused, Number(until));
    ops.set(key!, save(s), Number(ttl));
    return s.paused;
  },
};

/** Reads without changing. ARGV: now, budget, windowMs. Returns [available, pausedUntil, admitted]. */
const peekScript: StoreScript<number[]> = {
  name: 'slotgraphQuotaLogPeek',
  lua: `${LUA_LOAD}
return {budget - #log, paused, admitted}`,
  local(ops, [key], [now, budget, windowMs]) {
    const s = load(ops.get(key!), Number(now), Number(windowMs));
    return [Number(budget) - s.log.length, s.paused, s.admitted];
  },
};

export interface AdmitResult {
  admitted: boolean;
  /** When not admitted: ms until the next admission could go (or the pause ends). */
  waitMs: number;
  /** Admissions still available in the window now (before any reserve). */
  tokens: number;
  /** Admissions so far (all instances); the admitted request's sequence number. */
  seq: number;
  /** When admitted: the admission's time in the log (ms since the epoch), for {@link AdmissionLog.settle}. */
  admittedAt: number;
  /**
   * Ms until each of the next admissions (after this one) could go, in order, as far as the log
   * tells: 0 while the window has room (or the pause), then as its oldest admissions expire; when
   * not admitted the first is `waitMs`. At most 64; the last stands for those after it.
   */
  freesInMs: number[];
}

export interface AdmissionLog {
  readonly shape: QuotaShape;
  /** Admits one request unless that would leave fewer than `reserve` admissions in the window. */
  take(reserve: number): Promise<AdmitResult>;
  /** The answer to the request admitted at `admittedAt` came back now: keep it in the log from now. */
  settle(admittedAt: number): Promise<void>;
  /** Correct from `X-RateLimit-Remaining-Default` / `-Reset-Default` (seconds) of the `seq`-th request. */
  sync(remaining: number, resetSeconds: number, seq: number): Promise<void>;
  /** Stop every instance until `untilMs`. */
  pause(untilMs: number): Promise<void>;
  peek(): Promise<{ tokens: number; pausedUntil: number; admitted: number }>;
}

export function createAdmissionLog(options: { store: Store; key: string; limits: QuotaLimits; now: () => number }): AdmissionLog {
  const { store, key, limits, now } = options;
  const shape = quotaShape(limits);
  // Idle state is worth nothing after two windows; let Redis forget it.
  const ttl = 2 * limits.windowMs + 60_000;
  const base = () => [now(), shape.budget, limits.windowMs] as const;
  return {
    shape,
    async take(reserve) {
      const args = base();
      const [ok, wait, available, seq, ...frees] = await store.run(takeScript, [key], [...args, reserve, ttl]);
      return { admitted: ok === 1, waitMs: Number(wait), tokens: Number(available), seq: Number(seq), admittedAt: Math.trunc(args[0]), freesInMs: frees.map(Number) };
    },
    async settle(admittedAt) {
      await store.run(settleScript, [key], [...base(), admittedAt, ttl]);
    },
    async sync(remaining, resetSeconds, seq) {
      await store.run(syncScript, [key], [...base(), remaining, Math.ceil(resetSeconds * 1000), shape.margin, seq, ttl]);
    },
    async pause(untilMs) {
      await store.run(pauseScript, [key], [...base(), Math.ceil(untilMs), ttl]);
    },
    async peek() {
      const [available, pausedUntil, admitted] = await store.run(peekScript, [key], [...base()]);
      return { tokens: Number(available), pausedUntil: Number(pausedUntil), admitted: Number(admitted) };
    },
  };
}
