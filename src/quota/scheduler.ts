/**
 * The quota scheduler: every upstream request of one Cal.com credential passes here. A priority
 * queue (four classes, FIFO within a class) in front of the shared admission log
 * (src/quota/admission-log.ts), with per-class deadlines, fail-fast refusals, cancellation that
 * spends no admission,
 * re-sync from Cal.com's rate-limit headers, a pause of every instance on a 429, a weighted circuit
 * breaker per endpoint group, and retries with backoff and jitter for reads.
 *
 * Transport-free: a task is a function that performs one upstream call and returns its value and
 * the rate-limit headers of the answer (or throws an UpstreamError carrying them).
 */
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { UpstreamError, type RateLimitInfo } from '../upstream/errors.js';
import { createBreaker, type Breaker, type BreakerOptions, type BreakerSnapshot } from './breaker.js';
import { createAdmissionLog, type AdmissionLog, type QuotaLimits, type QuotaShape } from './admission-log.js';
import { StacklessError } from '../stackless.js';

/** Scheduling classes, highest first (critical = bookings, interactive = a live caller). */
export const PRIORITIES = ['critical', 'interactive', 'normal', 'background'] as const;
export type Priority = (typeof PRIORITIES)[number];

/** Endpoint groups, each with its own breaker. */
export const ENDPOINT_GROUPS = ['slots', 'bookings', 'reservations', 'eventTypes'] as const;
export type EndpointGroup = (typeof ENDPOINT_GROUPS)[number];

/** How a caller wants one upstream call scheduled. */
export interface CallOptions {
  /** @default "interactive" */
  priority?: Priority;
  /** Aborting removes a queued call without spending an admission (and cancels one under way). */
  signal?: AbortSignal;
  /** Longest wait in the queue, ms; defaults per class ({@link DEFAULT_DEADLINES_MS}). */
  deadlineMs?: number;
}

/** Default queue deadlines per class, ms. */
export const DEFAULT_DEADLINES_MS: Record<Priority, number> = { critical: 10_000, interactive: 2_000, normal: 5_000, background: 30_000 };

export interface RetryOptions {
  /**
   * Retries after the first attempt (reads only, on timeouts and 5xx, each through the admission
   * log). @default 3: at 30 % of answers failing, a read then fails 0.8 % of the time (0.3⁴)
   */
  maxRetries: number;
  /** First backoff, ms; doubles per retry, full jitter. @default 200 */
  baseDelayMs: number;
  /** @default 2000 */
  maxDelayMs: number;
}

export interface SchedulerOptions {
  store: Store;
  /** Namespaces the shared bucket (one per Cal.com credential). */
  credentialId: string;
  limits: QuotaLimits;
  log: Logger;
  /** ms since the epoch. @default Date.now */
  now?: () => number;
  deadlinesMs?: Partial<Record<Priority, number>>;
  retries?: Partial<RetryOptions>;
  breaker?: Partial<BreakerOptions>;
  /** How often one call is put back after a 429 before its caller gets QUOTA_EXHAUSTED. @default 3 */
  max429Requeues?: number;
  /** Told about each call's life (metrics, traces: src/observability); it cannot change it. */
  observer?: SchedulerObserver;
}

/**
 * Observer hooks (metrics and traces). `queued` runs synchronously inside `schedule`, so in the
 * caller's async context; what it returns hears the rest of that call's life. A throwing observer
 * is ignored: observing never changes scheduling.
 */
export interface SchedulerObserver {
  queued(call: { credentialId: string; group: EndpointGroup; method: UpstreamTask<unknown>['method']; priority: Priority }): CallObserver | undefined;
}

export interface CallObserver {
  /** The call left the queue admitted, `waitMs` after it was queued (again after a retry or a 429). */
  admitted?(waitMs: number): void;
  /** One attempt at Cal.com ended: `ok`, or the HTTP status (0 = no answer), or `error` (not an upstream answer). */
  attempt?(outcome: { status: 'ok' | 'error' | number; ms: number; code?: string }): void;
  /** The call is over; `error` is what its caller got, if anything. */
  done?(error: Error | undefined): void;
}

/** Calls an observer hook, never letting it throw into the scheduler. */
function observe<A extends unknown[]>(hook: ((...args: A) => void) | undefined, ...args: A): void {
  if (!hook) return;
  try {
    hook(...args);
  } catch {
    // an observer's failure is not the call's
  }
}

/** One upstream call. `run` must return the answer's rate-limit headers, or throw an UpstreamError. */
export interface UpstreamTask<T> {
  group: EndpointGroup;
  /** Only GETs are retried. */
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  run(signal: AbortSignal | undefined): Promise<{ value: T; rateLimit: RateLimitInfo }>;
}

/** The quota could not be had in time (deadline), or Cal.com kept answering 429. */
export class QuotaExhaustedError extends StacklessError {
  override name = 'QuotaExhaustedError';
  constructor(
    readonly retryAfterSeconds: number,
    readonly reason: 'deadline' | 'rate-limited',
    /** The 429 that ended it, for `rate-limited`. */
    readonly upstream?: UpstreamError,
  ) {
    super(reason === 'deadline' ? `no Cal.com quota within the deadline; retry in ${retryAfterSeconds} s` : `Cal.com answered 429; retry in ${retryAfterSeconds} s`);
  }
}

/** The endpoint group's breaker is open: the call was not made. */
export class CircuitOpenError extends StacklessError {
  override name = 'CircuitOpenError';
  constructor(
    readonly group: EndpointGroup,
    readonly retryAfterSeconds: number,
  ) {
    super(`Cal.com ${group} calls are suspended after repeated failures; retry in ${retryAfterSeconds} s`);
  }
}

/** The caller went away before the call was made. */
export class CallCancelledError extends StacklessError {
  override name = 'AbortError';
  constructor() {
    super('the operation was cancelled before its upstream call was made');
  }
}

export interface QueueStatus {
  priority: Priority;
  /** Calls waiting now (this instance). */
  depth: number;
  /** Calls admitted since start. */
  admitted: number;
  /** Queue waits of the last 1000 admitted calls, ms. */
  waitP50Ms: number;
  waitP95Ms: number;
  deadlineExpired: number;
  cancelled: number;
}

export interface QuotaStatus {
  credentialId: string;
  limits: QuotaLimits;
  shape: QuotaShape;
  /** Admissions still available in the window now (the shared admission log, all instances). */
  tokens: number;
  /** Every instance waits until then (ms since the epoch); 0 when not paused. */
  pausedUntil: number;
  queues: QueueStatus[];
  /** 429 answers Cal.com gave (this instance). */
  upstream429s: number;
  retries: number;
  breakers: Array<BreakerSnapshot & { group: EndpointGroup }>;
}

export interface QuotaScheduler {
  /** The admission parameters derived from `limits` (budget, burst capacity, reserve). */
  readonly shape: QuotaShape;
  schedule<T>(task: UpstreamTask<T>, options?: CallOptions): Promise<T>;
  /**
   * Synchronously, without a store round trip: the refusal a call with these options would get now,
   * when what the admission log last told (its next expiries, and the calls queued here) already
   * says it cannot be admitted before its deadline; undefined when it may be. Callers use it to
   * refuse before preparing a call (locks, reads). Optimistic, like the fail-fast refusals: other
   * instances' admissions only make waits longer.
   */
  refusalFor(options?: CallOptions): QuotaExhaustedError | undefined;
  status(): Promise<QuotaStatus>;
  /** Rejects everything queued (CallCancelledError) and stops the timers. */
  close(): void;
}

type EntryState = 'queued' | 'running' | 'backoff' | 'done';

interface Entry {
  task: UpstreamTask<unknown>;
  priority: Priority;
  enqueuedAt: number;
  deadlineAt: number;
  attempt: number;
  requeues429: number;
  state: EntryState;
  signal: AbortSignal | undefined;
  resolve(value: unknown): void;
  reject(error: Error): void;
  cleanup(): void;
  /** The observer's handle on this call, if any. */
  watch: CallObserver | undefined;
}

/** What a refused take told: when (ms since the epoch), and the ms from then until each of the next admissions could go (ascending; the first is the head's wait). */
interface Outlook {
  at: number;
  frees: number[];
}

const percentile = (sorted: number[], p: number) => (sorted.length === 0 ? 0 : sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!);

export function createQuotaScheduler(options: SchedulerOptions): QuotaScheduler {
  const now = options.now ?? Date.now;
  const { log } = options;
  const deadlines = { ...DEFAULT_DEADLINES_MS, ...options.deadlinesMs };
  const retry: RetryOptions = { maxRetries: 3, baseDelayMs: 200, maxDelayMs: 2000, ...options.retries };
  const max429Requeues = options.max429Requeues ?? 3;
  const bucket: AdmissionLog = createAdmissionLog({ store: options.store, key: `quota:${options.credentialId}`, limits: options.limits, now });
  const breakers = Object.fromEntries(ENDPOINT_GROUPS.map((g) => [g, createBreaker(options.breaker, now)])) as Record<EndpointGroup, Breaker>;
  const queues: Record<Priority, Entry[]> = { critical: [], interactive: [], normal: [], background: [] };
  const counters = Object.fromEntries(PRIORITIES.map((p) => [p, { admitted: 0, deadlineExpired: 0, cancelled: 0, waits: [] as number[] }])) as Record<
    Priority,
    { admitted: number; deadlineExpired: number; cancelled: number; waits: number[] }
  >;
  let upstream429s = 0;
  let retries = 0;
  let lastWaitMs = 0;
  /**
   * What the last take told (admitted or not), for its reserve level: when (ms), and the ms from
   * then until each of the next admissions could go. The log only grows or ages (re-syncs add
   * stand-ins, settles move entries later), so these stay lower bounds; each take replaces them.
   */
  const outlook = new Map<number, Outlook>();
  /** Ms from now until a call with `ahead` calls before it could be admitted, as far as `known` tells (optimistic). */
  const predictedWaitMs = (known: Outlook, ahead: number) => known.at + known.frees[Math.min(ahead, known.frees.length - 1)]! - now();
  let pumping = false;
  let pumpAgain = false;
  let wakeTimer: NodeJS.Timeout | undefined;
  let wakeAt = Infinity;
  let closed = false;

  /**
   * Admissions a class must leave free: critical calls none; interactive and normal ones the
   * critical reserve; background work (cache refreshes, learning event types' hosts) half the
   * budget, so a burst of live callers never finds the window spent on background work.
   */
  const reserveFor = (p: Priority) =>
    p === 'critical' ? 0 : p === 'background' ? Math.max(bucket.shape.criticalReserve, Math.floor(bucket.shape.budget / 2)) : bucket.shape.criticalReserve;
  const remove = (entry: Entry) => {
    const q = queues[entry.priority];
    const i = q.indexOf(entry);
    if (i >= 0) q.splice(i, 1);
  };
  const finish = (entry: Entry, outcome: { value: unknown } | { error: Error }) => {
    if (entry.state === 'done') return;
    entry.state = 'done';
    remove(entry);
    entry.cleanup();
    observe(entry.watch?.done?.bind(entry.watch), 'error' in outcome ? outcome.error : undefined);
    if ('error' in outcome) entry.reject(outcome.error);
    else entry.resolve(outcome.value);
  };
  const retryAfterSeconds = () => Math.max(1, Math.ceil(lastWaitMs / 1000));

  function wakeIn(ms: number) {
    const at = now() + Math.max(5, ms);
    if (wakeTimer && at >= wakeAt) return;
    clearTimeout(wakeTimer);
    wakeAt = at;
    wakeTimer = setTimeout(() => {
      wakeTimer = undefined;
      wakeAt = Infinity;
      void pump();
    }, Math.max(5, ms));
    wakeTimer.unref?.();
  }

  function head(): Entry | undefined {
    for (const p of PRIORITIES) if (queues[p].length > 0) return queues[p][0];
    return undefined;
  }

  /** Admits queued calls, highest class first, while the admission log has room. */
  async function pump(): Promise<void> {
    if (pumping) {
      pumpAgain = true;
      return;
    }
    pumping = true;
    try {
      for (let entry = head(); entry && !closed; entry = head()) {
        const breaker = breakers[entry.task.group];
        const openFor = breaker.retryInMs();
        if (openFor > 0) {
          finish(entry, { error: new CircuitOpenError(entry.task.group, Math.ceil(openFor / 1000)) });
          continue;
        }
        const reserve = reserveFor(entry.priority);
        const taken = await bucket.take(reserve);
        // What the log told about the admissions after this take, for this reserve (other levels'
        // outlooks are forgotten: they did not see this admission).
        const known = { at: now(), frees: taken.freesInMs };
        outlook.clear();
        outlook.set(reserve, known);
        if (!taken.admitted) {
          lastWaitMs = taken.waitMs;
          refuseHopeless(known, reserve);
          wakeIn(taken.waitMs);
          break;
        }
        // The head may have left (cancelled, expired) during the round trip: the admission goes to the next.
        const admitted = entry.state === 'queued' ? entry : head();
        if (!admitted) break;
        remove(admitted);
        admitted.state = 'running';
        const c = counters[admitted.priority];
        c.admitted += 1;
        c.waits.push(now() - admitted.enqueuedAt);
        if (c.waits.length > 1000) c.waits.splice(0, c.waits.length - 1000);
        observe(admitted.watch?.admitted?.bind(admitted.watch), now() - admitted.enqueuedAt);
        void execute(admitted, taken.seq, taken.admittedAt);
        // Calls queued behind it that the window cannot hold before their deadline are told now,
        // not after the takes of every call ahead of them.
        refuseHopeless(known, reserve);
      }
    } catch (err) {
      log.error({ err }, 'quota scheduler: the store failed; retrying in 1 s');
      wakeIn(1000);
    } finally {
      pumping = false;
      if (pumpAgain) {
        pumpAgain = false;
        queueMicrotask(() => void pump());
      }
    }
  }

  /**
   * Fails fast: refuses, at once, every queued call that could not be admitted before its deadline
   * even if nothing else wanted the quota. The prediction is optimistic (the j-th call in admission
   * order goes when the j-th admission in the log expires, or the last one the log reports; no other
   * instance), so a call is refused only when waiting is hopeless, with that predicted wait as its
   * `retryAfterSeconds`.
   */
  function refuseHopeless(known: Outlook, reserve: number) {
    const t = now();
    let ahead = 0;
    const hopeless: Array<[Entry, number]> = [];
    for (const p of PRIORITIES) {
      for (const entry of queues[p]) {
        // A class that may use more of the window than `known` was told for goes first, unjudged.
        if (reserveFor(p) < reserve) {
          ahead += 1;
          continue;
        }
        const predictedMs = predictedWaitMs(known, ahead);
        if (t + predictedMs > entry.deadlineAt) hopeless.push([entry, predictedMs]);
        else ahead += 1;
      }
    }
    for (const [entry, predictedMs] of hopeless) {
      counters[entry.priority].deadlineExpired += 1;
      finish(entry, { error: new QuotaExhaustedError(Math.max(1, Math.ceil(predictedMs / 1000)), 'deadline') });
    }
  }

  function requeue(entry: Entry, front: boolean) {
    entry.state = 'queued';
    if (front) queues[entry.priority].unshift(entry);
    else queues[entry.priority].push(entry);
    void pump();
  }

  /** Keeps the admission in the log from the answer on (see AdmissionLog.settle); never throws. */
  const settle = (admittedAt: number) => bucket.settle(admittedAt).catch((err: unknown) => log.warn({ err }, 'quota scheduler: settling an admission failed'));

  async function execute(entry: Entry, seq: number, admittedAt: number) {
    const breaker = breakers[entry.task.group];
    if (!breaker.allow()) {
      // Half-open and a probe is already out: this one waits for its verdict like any open breaker.
      return finish(entry, { error: new CircuitOpenError(entry.task.group, Math.max(1, Math.ceil(breaker.retryInMs() / 1000))) });
    }
    const startedAt = performance.now();
    const group = entry.task.group;
    try {
      const { value, rateLimit } = await entry.task.run(entry.signal);
      // The bookkeeping goes out first (the store runs it before anything the caller sends next on
      // this connection) but the caller does not wait for it: an admission leaves the log a window
      // after it was made, far later than its settle lands.
      void settle(admittedAt).then(() => resync(rateLimit, seq));
      log.debug({ group, priority: entry.priority, ms: Math.round(performance.now() - startedAt), remaining: rateLimit.remaining }, 'upstream call');
      observe(entry.watch?.attempt?.bind(entry.watch), { status: 'ok', ms: performance.now() - startedAt });
      breaker.success();
      finish(entry, { value });
    } catch (err) {
      await settle(admittedAt);
      observe(entry.watch?.attempt?.bind(entry.watch), {
        ms: performance.now() - startedAt,
        ...(err instanceof UpstreamError ? { status: err.status, code: err.calcomCode } : { status: 'error' as const }),
      });
      if (!(err instanceof UpstreamError)) return finish(entry, { error: entry.signal?.aborted ? new CallCancelledError() : (err as Error) });
      // Cal.com's own words and codes only: never the request (its headers carry the API key).
      log.warn(
        { group, priority: entry.priority, status: err.status, code: err.calcomCode, ms: Math.round(performance.now() - startedAt), attempt: entry.attempt + 1, reason: err.message },
        'upstream call failed',
      );
      breaker.failure(err.status);
      if (err.status === 429) {
        const resetMs = (err.rateLimit.resetSeconds ?? options.limits.windowMs / 1000) * 1000;
        await bucket.pause(now() + resetMs).catch((e: unknown) => log.error({ err: e }, 'quota scheduler: pausing failed'));
        upstream429s += 1; // counted once every instance is paused
        lastWaitMs = resetMs;
        log.warn({ group: entry.task.group, resetSeconds: resetMs / 1000 }, 'Cal.com answered 429: every instance pauses this credential');
        if (entry.requeues429 < max429Requeues && now() + resetMs < entry.deadlineAt) {
          entry.requeues429 += 1;
          return requeue(entry, true);
        }
        return finish(entry, { error: new QuotaExhaustedError(Math.ceil(resetMs / 1000), 'rate-limited', err) });
      }
      await resync(err.rateLimit, seq);
      if (entry.task.method === 'GET' && err.isUnavailable && entry.attempt < retry.maxRetries) {
        const delay = Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** entry.attempt);
        if (now() + delay < entry.deadlineAt && breaker.retryInMs() === 0) {
          entry.attempt += 1;
          retries += 1;
          entry.state = 'backoff';
          setTimeout(() => entry.state === 'backoff' && requeue(entry, false), delay).unref?.();
          return;
        }
      }
      finish(entry, { error: err });
    }
  }

  async function resync(rateLimit: RateLimitInfo, seq: number) {
    if (rateLimit.remaining === undefined || rateLimit.resetSeconds === undefined) return;
    await bucket.sync(rateLimit.remaining, rateLimit.resetSeconds, seq).catch((err: unknown) => log.warn({ err }, 'quota scheduler: re-sync failed'));
  }

  return {
    schedule<T>(task: UpstreamTask<T>, callOptions: CallOptions = {}) {
      const priority = callOptions.priority ?? 'interactive';
      const { signal } = callOptions;
      if (closed || signal?.aborted) return Promise.reject(new CallCancelledError());
      return new Promise<T>((resolve, reject) => {
        const enqueuedAt = now();
        const deadlineMs = callOptions.deadlineMs ?? deadlines[priority];
        const entry: Entry = {
          task: task as UpstreamTask<unknown>,
          priority,
          enqueuedAt,
          deadlineAt: enqueuedAt + deadlineMs,
          attempt: 0,
          requeues429: 0,
          state: 'queued',
          signal,
          resolve: resolve as (v: unknown) => void,
          reject,
          cleanup: () => {
            clearTimeout(deadlineTimer);
            signal?.removeEventListener('abort', onAbort);
          },
          watch: undefined,
        };
        if (options.observer) {
          try {
            entry.watch = options.observer.queued({ credentialId: options.credentialId, group: task.group, method: task.method, priority });
          } catch {
            // an observer's failure is not the call's
          }
        }
        const onAbort = () => {
          if (entry.state !== 'queued' && entry.state !== 'backoff') return; // under way: got aborts it
          counters[priority].cancelled += 1;
          finish(entry, { error: new CallCancelledError() });
        };
        const deadlineTimer = setTimeout(() => {
          if (entry.state !== 'queued' && entry.state !== 'backoff') return;
          counters[priority].deadlineExpired += 1;
          finish(entry, { error: new QuotaExhaustedError(retryAfterSeconds(), 'deadline') });
        }, deadlineMs);
        deadlineTimer.unref?.();
        signal?.addEventListener('abort', onAbort, { once: true });
        queues[priority].push(entry);
        void pump();
      });
    },

    shape: bucket.shape,

    refusalFor(callOptions = {}) {
      const priority = callOptions.priority ?? 'interactive';
      const known = outlook.get(reserveFor(priority));
      if (!known) return undefined;
      // Calls queued here of this class and above go first.
      let ahead = 0;
      for (const p of PRIORITIES) {
        ahead += queues[p].length;
        if (p === priority) break;
      }
      const waitMs = predictedWaitMs(known, ahead);
      if (waitMs <= (callOptions.deadlineMs ?? deadlines[priority])) return undefined;
      counters[priority].deadlineExpired += 1;
      return new QuotaExhaustedError(Math.max(1, Math.ceil(waitMs / 1000)), 'deadline');
    },

    async status() {
      const peek = await bucket.peek();
      return {
        credentialId: options.credentialId,
        limits: options.limits,
        shape: bucket.shape,
        tokens: peek.tokens,
        pausedUntil: peek.pausedUntil > now() ? peek.pausedUntil : 0,
        queues: PRIORITIES.map((priority) => {
          const c = counters[priority];
          const sorted = [...c.waits].sort((a, b) => a - b);
          return {
            priority,
            depth: queues[priority].length,
            admitted: c.admitted,
            waitP50Ms: percentile(sorted, 50),
            waitP95Ms: percentile(sorted, 95),
            deadlineExpired: c.deadlineExpired,
            cancelled: c.cancelled,
          };
        }),
        upstream429s,
        retries,
        breakers: ENDPOINT_GROUPS.map((group) => ({ group, ...breakers[group].snapshot() })),
      };
    },

    close() {
      closed = true;
      clearTimeout(wakeTimer);
      for (const p of PRIORITIES) for (const entry of [...queues[p]]) finish(entry, { error: new CallCancelledError() });
    },
  };
}
