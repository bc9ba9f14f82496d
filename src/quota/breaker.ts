/**
 * A circuit breaker per upstream endpoint group, with weighted failures (a 429 counts more than a
 * 503 or timeout, which count more than a 500: they say more about Cal.com's state), an open time
 * that doubles on each re-open, and one half-open probe at a time. It opens on *sustained* failure
 * only: the weighted score must reach the threshold while the window's failed share is at least
 * `failureRatio` with 95 % confidence (the Wilson score interval's lower bound, each failure counted
 * by its weight), so a partial failure (say 30 % of answers are 500s) stays with the retries that
 * save those reads, even when the first few attempts happen to fail, while six failures in a row
 * (two 429s, three 503s) still open it at once.
 *
 * Written here rather than taken from opossum or cockatiel: neither weighs failures by kind, which is
 * the point of this one; it is small and has no timers of its own (state follows the clock).
 */

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

export interface BreakerOptions {
  /** Weighted failures within `windowMs` that open the breaker. @default 6 */
  threshold: number;
  /**
   * Share of the attempts within `windowMs` (failures weighted) that must have failed, at 95 %
   * confidence, for it to open (0..1). @default 0.5
   */
  failureRatio: number;
  /** Only outcomes this recent count (ms). @default 30000 */
  windowMs: number;
  /** First open period (ms); doubles on each re-open. @default 5000 */
  openMs: number;
  /** Longest open period (ms). @default 60000 */
  maxOpenMs: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = { threshold: 6, failureRatio: 0.5, windowMs: 30_000, openMs: 5_000, maxOpenMs: 60_000 };

/** Failure weight of an upstream outcome: HTTP status, or 0 for a timeout/network error. */
export function failureWeight(status: number): number {
  if (status === 429) return 3;
  if (status === 0 || status === 503 || status === 504) return 2;
  if (status >= 500) return 1;
  return 0; // a 4xx answer means Cal.com is up
}

export interface BreakerSnapshot {
  state: BreakerState;
  /** Times opened since start. */
  opens: number;
  /** When an open breaker lets a probe through (ms since the epoch); 0 when closed. */
  openUntil: number;
  /** Weighted failures in the window. */
  score: number;
  /** Share of the window's attempts that failed (0 without attempts). */
  failureRatio: number;
}

export interface Breaker {
  /** May a request go now? Half-open: true for one probe until it reports. */
  allow(): boolean;
  /** ms until a request may go (0 when it may). */
  retryInMs(): number;
  success(): void;
  /** Reports a failed call with its HTTP status (0 = no answer). */
  failure(status: number): void;
  snapshot(): BreakerSnapshot;
}

export function createBreaker(options: Partial<BreakerOptions> = {}, now: () => number = Date.now): Breaker {
  const o = { ...DEFAULT_BREAKER_OPTIONS, ...options };
  /** Every attempt in the window, oldest first; weight 0 = a success. */
  let outcomes: Array<{ at: number; weight: number }> = [];
  let state: BreakerState = 'CLOSED';
  let openUntil = 0;
  let consecutiveOpens = 0;
  let opens = 0;
  let probing = false;
  let successesSinceOpen = 0;

  const prune = () => {
    const since = now() - o.windowMs;
    let i = 0;
    while (i < outcomes.length && outcomes[i]!.at < since) i++;
    if (i > 0) outcomes = outcomes.slice(i);
  };
  const score = () => {
    prune();
    return outcomes.reduce((sum, f) => sum + f.weight, 0);
  };
  const ratio = () => {
    prune();
    return outcomes.length === 0 ? 0 : outcomes.filter((f) => f.weight > 0).length / outcomes.length;
  };
  /**
   * Lower bound of the 95 % Wilson score interval of the window's failed share, each failure counted
   * `weight` times: how sure the window is that at least this share of attempts fails.
   */
  const confidentRatio = () => {
    prune();
    let k = 0;
    let n = 0;
    for (const f of outcomes) {
      k += f.weight;
      n += Math.max(1, f.weight);
    }
    if (n === 0) return 0;
    const z2 = 1.96 ** 2;
    const p = k / n;
    return (p + z2 / (2 * n) - Math.sqrt((p * (1 - p)) / n * z2 + z2 * z2 / (4 * n * n))) / (1 + z2 / n);
  };
  const record = (weight: number) => {
    outcomes.push({ at: now(), weight });
    if (outcomes.length > 10_000) outcomes.shift();
  };
  const open = () => {
    consecutiveOpens += 1;
    opens += 1;
    state = 'OPEN';
    openUntil = now() + Math.min(o.maxOpenMs, o.openMs * 2 ** (consecutiveOpens - 1));
    probing = false;
    outcomes = [];
  };
  const refresh = () => {
    if (state === 'OPEN' && now() >= openUntil) state = 'HALF_OPEN';
  };

  return {
    allow() {
      refresh();
      if (state === 'CLOSED') return true;
      if (state === 'HALF_OPEN' && !probing) {
        probing = true;
        return true;
      }
      return false;
    },
    retryInMs() {
      refresh();
      return state === 'OPEN' ? openUntil - now() : 0;
    },
    success() {
      refresh();
      if (state === 'HALF_OPEN') {
        state = 'CLOSED';
        probing = false;
        openUntil = 0;
        successesSinceOpen = 0;
      } else if (state === 'CLOSED') {
        record(0);
        if (++successesSinceOpen >= 10) consecutiveOpens = 0; // healthy again: the next open starts short
      }
    },
    failure(status) {
      refresh();
      const weight = failureWeight(status);
      if (weight === 0) return this.success();
      if (state === 'HALF_OPEN') return open();
      if (state === 'OPEN') return;
      successesSinceOpen = 0;
      record(weight);
      if (score() >= o.threshold && confidentRatio() >= o.failureRatio) open();
    },
    snapshot() {
      refresh();
      return { state, opens, openUntil: state === 'CLOSED' ? 0 : openUntil, score: score(), failureRatio: ratio() };
    },
  };
}
