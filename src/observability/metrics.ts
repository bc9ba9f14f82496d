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
import type { SlotCacheStats } from '../loaders/slot-cache.js';
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
  /** 1 while ready (see /readyz), 0 otherwise. */
  ready(): Promise<boolean>;
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

  const upstreamRequests = new Counter({
    name: 'slotgraph_upstream_requests_total',
    help: 'Cal.com requests (each attempt, retries included) by endpoint group, method and HTTP status (ok: a 2xx answer; no_answer: timeout or network error)',
    labelNames: ['tenant', 'group', 'method', 'status'],
    registers: [registry],
  });
  const upstreamLatency = new Histogram({
    name: 'slotgraph_upstream_request_duration_seconds',
    help: 'Cal.com request latency by endpoint group (each attempt)',
    labelNames: ['tenant', 'group'],
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const upstream429 = new Counter({
    name: 'slotgraph_upstream_rate_limited_total',
    help: 'Cal.com 429 answers',
    labelNames: ['tenant'],
    registers: [registry],
  });
  const queueWait = new Histogram({
    name: 'slotgraph_quota_queue_wait_seconds',
    help: 'Time a call waited in the quota queue for a token, by class',
    labelNames: ['tenant', 'priority'],
    buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [registry],
  });
  const quotaTokens = new Gauge({ name: 'slotgraph_quota_tokens', help: 'Tokens in the quota bucket now (shared by every instance on one Redis)', labelNames: ['tenant'], registers: [registry] });
  const quotaCapacity = new Gauge({ name: 'slotgraph_quota_capacity', help: 'Most tokens the quota bucket holds', labelNames: ['tenant'], registers: [registry] });
  const quotaBudget = new Gauge({ name: 'slotgraph_quota_budget_per_window', help: 'Requests per Cal.com window slotgraph allows itself', labelNames: ['tenant'], registers: [registry] });
  const quotaPaused = new Gauge({ name: 'slotgraph_quota_paused', help: '1 while every instance waits for a Cal.com rate-limit reset', labelNames: ['tenant'], registers: [registry] });
  const queueDepth = new Gauge({ name: 'slotgraph_quota_queue_depth', help: 'Calls waiting in the quota queue (this instance), by class', labelNames: ['tenant', 'priority'], registers: [registry] });
  const deadlineExpired = new Counter({ name: 'slotgraph_quota_deadline_expired_total', help: 'Calls that waited past their class deadline (QUOTA_EXHAUSTED)', labelNames: ['tenant', 'priority'], registers: [registry] });
  const admitted = new Counter({ name: 'slotgraph_quota_admitted_total', help: 'Calls admitted by the quota scheduler, by class', labelNames: ['tenant', 'priority'], registers: [registry] });
  const retries = new Counter({ name: 'slotgraph_upstream_retries_total', help: 'Read retries after a failed attempt', labelNames: ['tenant'], registers: [registry] });
  const breakerState = new Gauge({
    name: 'slotgraph_upstream_breaker_state',
    help: 'Circuit breaker per endpoint group: 1 for its current state (CLOSED, HALF_OPEN, OPEN)',
    labelNames: ['tenant', 'group', 'state'],
    registers: [registry],
  });
  const breakerOpens = new Counter({ name: 'slotgraph_upstream_breaker_opens_total', help: 'Times a breaker opened', labelNames: ['tenant', 'group'], registers: [registry] });
  const cacheLookups = new Counter({
    name: 'slotgraph_slot_cache_lookups_total',
    help: 'Slot bucket lookups: hit (fresh), stale (served while refreshing or while Cal.com fails), miss (fetched)',
    labelNames: ['tenant', 'result'],
    registers: [registry],
  });
  const coalesced = new Counter({ name: 'slotgraph_slot_cache_coalesced_waits_total', help: 'Buckets awaited because another request of this process was fetching them', labelNames: ['tenant'], registers: [registry] });
  const remoteWaits = new Counter({ name: 'slotgraph_slot_cache_remote_waits_total', help: 'Fetches left to another instance holding the bucket lock', labelNames: ['tenant'], registers: [registry] });
  const cacheUpstream = new Counter({ name: 'slotgraph_slot_cache_upstream_calls_total', help: 'GET /v2/slots calls the slot cache asked for, by result', labelNames: ['tenant', 'result'], registers: [registry] });
  const webhooks = new Counter({ name: 'slotgraph_webhooks_total', help: 'Cal.com webhook deliveries by result', labelNames: ['tenant', 'result'], registers: [registry] });
  const subscriptions = new Gauge({ name: 'slotgraph_subscriptions_active', help: 'Live subscriptions open in this instance', labelNames: ['tenant'], registers: [registry] });
  const operations = new Counter({
    name: 'slotgraph_graphql_operations_total',
    help: 'GraphQL operations by type, name (bounded) and outcome (ok, partial: data and errors, error)',
    labelNames: ['tenant', 'type', 'operation', 'outcome'],
    registers: [registry],
  });
  const operationLatency = new Histogram({
    name: 'slotgraph_graphql_operation_duration_seconds',
    help: 'GraphQL query and mutation execution time by type and outcome',
    labelNames: ['tenant', 'type', 'outcome'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10],
    registers: [registry],
  });
  const errors = new Counter({ name: 'slotgraph_graphql_errors_total', help: 'GraphQL errors by extensions.code', labelNames: ['tenant', 'code'], registers: [registry] });
  const rejected = new Counter({ name: 'slotgraph_graphql_rejected_total', help: 'Operations refused before execution', labelNames: ['reason'], registers: [registry] });
  const storeDegraded = new Gauge({ name: 'slotgraph_store_degraded', help: '1 while Redis is away and shared state is served from this process', registers: [registry] });
  const storeFailovers = new Counter({ name: 'slotgraph_store_failovers_total', help: 'Times this process fell back to its in-process store', registers: [registry] });
  const ready = new Gauge({ name: 'slotgraph_ready', help: '1 while /readyz answers 200', registers: [registry] });

  /** Sets a pulled counter to the source's monotonic value. */
  const pull = (counter: Counter<string>, labels: Record<string, string>, value: number) => {
    counter.remove(labels);
    counter.inc(labels, Math.max(0, value));
  };

  async function collect() {
    for (const t of sources.tenants()) {
      const tenant = t.id;
      const [quota, cache] = await Promise.all([t.quota().catch(() => null), Promise.resolve(t.cache())]);
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
    ready.set((await sources.ready()) ? 1 : 0);
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
    async render() {
      await collect();
      return registry.metrics();
    },
  };
}
