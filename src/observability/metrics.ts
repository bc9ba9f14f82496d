/**
 * Prometheus metrics at `GET /metrics` (prom-client, a registry per gateway). Two kinds:
 *
 * - **observed** as things happen: upstream attempts and their latency, queue waits, 429s (the
 *   scheduler's observer, src/observability/observer.ts), GraphQL operations (src/observability/operations.ts),
 *   webhooks by result (src/server.ts);
 * - **pulled** at scrape time from the counters the services keep anyway: the quota scheduler's
 *   `status()` (tokens, queue depths, breakers), the slot cache's `stats()` (hits, misses, stale,
 *   coalesced waits), the change feed's `active()` (subscriptions) and the store's health.
 *
 * Labels are bounded: `tenant` is a configured tenant id, `group`/`priority`/`state` are the
 * scheduler's enums, `status` an HTTP status (or `ok`/`error`), `operation` a GraphQL operation
 * name capped in length and to the first {@link MAX_OPERATION_NAMES} names seen (later ones are
 * `other`), `code` one of slotgraph's error codes. Never a URL, never a query string.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { ErrorCode } from '../errors.js';
import type { EndpointGroup, Priority, QuotaStatus } from '../quota/scheduler.js';
import type { SlotCacheStats } from '../loaders/slot-cache/index.js';
import type { StoreHealth } from '../store/store.js';

/** Distinct operation names labelled before the rest count as `other`. */
export const MAX_OPERATION_NAMES = 100;
const MAX_OPERATION_NAME_LENGTH = 64;
const KNOWN_CODES = new Set<string>(Object.values(ErrorCode));

/** What one tenant exposes to a scrape. */
export interface TenantSource {
  id: string;
  quota(): Promise<QuotaStatus>;
  cache(): SlotCacheStats;
  subscriptions(): number;
}

export interface MetricsSources {
  tenants(): TenantSource[];
  store(): StoreHealth;
  /** 1 while ready (see /readyz), 0 otherwise; `tenants` are those of this scrape (their quota read once). */
  ready(tenants: TenantSource[]): Promise<boolean>;
}

export type OperationOutcome = 'ok' | 'partial' | 'error';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly contentType: string;
  upstreamAttempt(tenant: string, group: EndpointGroup, method: string, status: 'ok' | 'error' | number, seconds: number): void;
  queueWait(tenant: string, priority: Priority, seconds: number): void;
  operation(tenant: string, type: string, name: string | undefined, outcome: OperationOutcome, seconds: number | null, codes: string[]): void;
  /** An operation refused before it ran (parse, validation, limits). */
  rejected(reason: 'validation'): void;
  webhook(tenant: string, result: string): void;
  /** An answer cache lookup (src/answer-cache.ts). */
  answerCache(tenant: string, result: 'hit' | 'miss' | 'invalid'): void;
  /** Pulls the services' counters, then renders the registry (Prometheus text format). */
  render(): Promise<string>;
}

/** A bounded, charset-checked label for a GraphQL operation name. */
export function operationLabeler(max = MAX_OPERATION_NAMES): (name: string | undefined | null) => string {
  const seen = new Set<string>();
  return (name) => {
    if (!name) return 'anonymous';
    if (!/^[_A-Za-z][_0-9A-Za-z]*$/.test(name)) return 'other';
    const label = name.slice(0, MAX_OPERATION_NAME_LENGTH);
    if (seen.has(label)) return label;
    if (seen.size >= max) return 'other';
    seen.add(label);
    return label;
  };
}

/** An upstream status label: `ok`, `error`, or a three-digit HTTP status (`0` = no answer). */
function statusLabel(status: 'ok' | 'error' | number): string {
  if (typeof status === 'string') return status;
  return Number.isInteger(status) && status >= 100 && status <= 599 ? String(status) : status === 0 ? 'no_answer' : 'error';
}

export function createMetrics(sources: MetricsSources, options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  const opLabel = operationLabeler();

  // Every metric lives in this gateway's registry.
  const counter = (name: string, help: string, labelNames: string[] = []) => new Counter({ name, help, labelNames, registers: [registry] });
  const gauge = (name: string, help: string, labelNames: string[] = []) => new Gauge({ name, help, labelNames, registers: [registry] });
  const histogram = (name: string, help: string, labelNames: string[], buckets: number[]) => new Histogram({ name, help, labelNames, buckets, registers: [registry] });

  const upstreamRequests = counter(
    'slotgraph_upstream_requests_total',
    'Cal.com requests (each attempt, retries included) by endpoint group, method and HTTP status (ok: a 2xx answer; no_answer: timeout or network error)',
    ['tenant', 'group', 'method', 'status'],
  );
  const upstreamLatency = histogram('slotgraph_upstream_request_duration_seconds', 'Cal.com request latency by endpoint group (each attempt)', ['tenant', 'group'], [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10]);
  const upstream429 = counter('slotgraph_upstream_rate_limited_total', 'Cal.com 429 answers', ['tenant']);
  const queueWait = histogram(
    'slotgraph_quota_queue_wait_seconds',
    'Time a call waited in the quota queue for an admission, by class',
    ['tenant', 'priority'],
    [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  );
  const quotaTokens = gauge('slotgraph_quota_tokens', 'Admissions left in the quota window now (the admission log shared by every instance on one Redis)', ['tenant']);
  const quotaCapacity = gauge('slotgraph_quota_capacity', 'Most tokens the quota bucket holds', ['tenant']);
  const quotaBudget = gauge('slotgraph_quota_budget_per_window', 'Requests per Cal.com window slotgraph allows itself', ['tenant']);
  const quotaPaused = gauge('slotgraph_quota_paused', '1 while every instance waits for a Cal.com rate-limit reset', ['tenant']);
  const queueDepth = gauge('slotgraph_quota_queue_depth', 'Calls waiting in the quota queue (this instance), by class', ['tenant', 'priority']);
  const deadlineExpired = counter('slotgraph_quota_deadline_expired_total', 'Calls that waited past their class deadline (QUOTA_EXHAUSTED)', ['tenant', 'priority']);
  const admitted = counter('slotgraph_quota_admitted_total', 'Calls admitted by the quota scheduler, by class', ['tenant', 'priority']);
  const retries = counter('slotgraph_upstream_retries_total', 'Read retries after a failed attempt', ['tenant']);
  const breakerState = gauge('slotgraph_upstream_breaker_state', 'Circuit breaker per endpoint group: 1 for its current state (CLOSED, HALF_OPEN, OPEN)', ['tenant', 'group', 'state']);
  const breakerOpens = counter('slotgraph_upstream_breaker_opens_total', 'Times a breaker opened', ['tenant', 'group']);
  const cacheLookups = counter(
    'slotgraph_slot_cache_lookups_total',
    'Slot bucket lookups: hit (fresh), stale (served while refreshing or while Cal.com fails), miss (fetched)',
    ['tenant', 'result'],
  );
  const coalesced = counter('slotgraph_slot_cache_coalesced_waits_total', 'Buckets awaited because another request of this process was fetching them', ['tenant']);
  const remoteWaits = counter('slotgraph_slot_cache_remote_waits_total', 'Fetches left to another instance holding the bucket lock', ['tenant']);
  const cacheUpstream = counter('slotgraph_slot_cache_upstream_calls_total', 'GET /v2/slots calls the slot cache asked for, by result', ['tenant', 'result']);
  const answerLookups = counter(
    'slotgraph_answer_cache_lookups_total',
    'Whole-answer lookups of slot queries: hit (served without executing), miss (none kept), invalid (kept, but its buckets changed or aged)',
    ['tenant', 'result'],
  );
  const webhooks = counter('slotgraph_webhooks_total', 'Cal.com webhook deliveries by result', ['tenant', 'result']);
  const subscriptions = gauge('slotgraph_subscriptions_active', 'Live subscriptions open in this instance', ['tenant']);
  const operations = counter(
    'slotgraph_graphql_operations_total',
    'GraphQL operations by type, name (bounded) and outcome (ok, partial: data and errors, error)',
    ['tenant', 'type', 'operation', 'outcome'],
  );
  const operationLatency = histogram(
    'slotgraph_graphql_operation_duration_seconds',
    'GraphQL query and mutation execution time by type and outcome',
    ['tenant', 'type', 'outcome'],
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
  );
  const errors = counter('slotgraph_graphql_errors_total', 'GraphQL errors by extensions.code', ['tenant', 'code']);
  const rejected = counter('slotgraph_graphql_rejected_total', 'Operations refused before execution', ['reason']);
  const storeDegraded = gauge('slotgraph_store_degraded', '1 while Redis is away and shared state is served from this process');
  const storeFailovers = counter('slotgraph_store_failovers_total', 'Times this process fell back to its in-process store');
  const ready = gauge('slotgraph_ready', '1 while /readyz answers 200');

  /** Sets a pulled counter to the source's monotonic value. */
  const pull = (counter: Counter<string>, labels: Record<string, string>, value: number) => {
    counter.remove(labels);
    counter.inc(labels, Math.max(0, value));
  };

  async function collect() {
    const tenants = sources.tenants();
    for (const t of tenants) {
      const tenant = t.id;
      const cache = t.cache();
      const quota = await t.quota().catch(() => null);
      if (quota) {
        quotaTokens.set({ tenant }, quota.tokens);
        quotaCapacity.set({ tenant }, quota.shape.capacity);
        quotaBudget.set({ tenant }, quota.shape.budget);
        quotaPaused.set({ tenant }, quota.pausedUntil > 0 ? 1 : 0);
        pull(retries, { tenant }, quota.retries);
        for (const q of quota.queues) {
          queueDepth.set({ tenant, priority: q.priority }, q.depth);
          pull(deadlineExpired, { tenant, priority: q.priority }, q.deadlineExpired);
          pull(admitted, { tenant, priority: q.priority }, q.admitted);
        }
        for (const b of quota.breakers) {
          for (const state of ['CLOSED', 'HALF_OPEN', 'OPEN']) breakerState.set({ tenant, group: b.group, state }, b.state === state ? 1 : 0);
          pull(breakerOpens, { tenant, group: b.group }, b.opens);
        }
      }
      pull(cacheLookups, { tenant, result: 'hit' }, cache.bucketHits);
      pull(cacheLookups, { tenant, result: 'stale' }, cache.bucketStaleHits);
      pull(cacheLookups, { tenant, result: 'miss' }, cache.bucketMisses);
      pull(coalesced, { tenant }, cache.coalescedWaits);
      pull(remoteWaits, { tenant }, cache.remoteWaits);
      pull(cacheUpstream, { tenant, result: 'ok' }, cache.upstreamCalls - cache.upstreamFailures);
      pull(cacheUpstream, { tenant, result: 'failed' }, cache.upstreamFailures);
      subscriptions.set({ tenant }, t.subscriptions());
    }
    const store = sources.store();
    storeDegraded.set(store.degraded ? 1 : 0);
    storeFailovers.reset();
    storeFailovers.inc(store.failovers ?? 0);
    ready.set((await sources.ready(tenants)) ? 1 : 0);
  }

  return {
    registry,
    contentType: registry.contentType,
    upstreamAttempt(tenant, group, method, status, seconds) {
      upstreamRequests.inc({ tenant, group, method, status: statusLabel(status) });
      upstreamLatency.observe({ tenant, group }, seconds);
      if (status === 429) upstream429.inc({ tenant });
    },
    queueWait(tenant, priority, seconds) {
      queueWait.observe({ tenant, priority }, seconds);
    },
    operation(tenant, type, name, outcome, seconds, codes) {
      operations.inc({ tenant, type, operation: opLabel(name), outcome });
      if (seconds !== null) operationLatency.observe({ tenant, type, outcome }, seconds);
      for (const code of codes) errors.inc({ tenant, code: KNOWN_CODES.has(code) ? code : 'OTHER' });
    },
    rejected(reason) {
      rejected.inc({ reason });
    },
    webhook(tenant, result) {
      webhooks.inc({ tenant, result });
    },
    answerCache(tenant, result) {
      answerLookups.inc({ tenant, result });
    },
    async render() {
      await collect();
      return registry.metrics();
    },
  };
}
