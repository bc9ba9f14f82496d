/** `quota`: the state of the Cal.com request budget of this gateway's credential (shared by every instance on one Redis). */
import { ENDPOINT_GROUPS, type QueueStatus, type QuotaStatus } from '../quota/scheduler.js';
import type { BreakerSnapshot } from '../quota/breaker.js';
import { builder } from './builder.js';

const PriorityRef = builder.enumType('Priority', {
  description: 'Scheduling classes of upstream calls, highest first. Mutations are CRITICAL, queries INTERACTIVE; the `x-slotgraph-priority` header may lower a request, never raise it.',
  values: {
    CRITICAL: { value: 'critical', description: 'Bookings, cancellations, reservations; may use the reserved share of the budget.' },
    INTERACTIVE: { value: 'interactive', description: 'Questions of a live caller (default for queries); 2 s queue deadline.' },
    NORMAL: { value: 'normal', description: 'Administrative reads; 5 s queue deadline.' },
    BACKGROUND: { value: 'background', description: 'Refreshes and warming; 30 s queue deadline.' },
  } as const,
});

const BreakerStateRef = builder.enumType('BreakerState', {
  values: {
    CLOSED: { description: 'Calls go through.' },
    OPEN: { description: 'Calls fail fast (reads are served stale where the cache has data).' },
    HALF_OPEN: { description: 'One probe call decides.' },
  } as const,
});

const QueueRef = builder.objectRef<QueueStatus>('QuotaQueue').implement({
  description: 'One scheduling class on this instance.',
  fields: (t) => ({
    priority: t.expose('priority', { type: PriorityRef }),
    depth: t.exposeInt('depth', { description: 'Calls waiting now.' }),
    admitted: t.exposeInt('admitted', { description: 'Calls admitted since start.' }),
    waitP50Ms: t.exposeFloat('waitP50Ms', { description: 'Median queue wait of the last 1000 admitted calls, ms.' }),
    waitP95Ms: t.exposeFloat('waitP95Ms', { description: '95th percentile queue wait, ms.' }),
    deadlineExpired: t.exposeInt('deadlineExpired', { description: 'Calls that waited past their deadline (answered QUOTA_EXHAUSTED).' }),
    cancelled: t.exposeInt('cancelled', { description: 'Calls whose client went away while queued (no admission spent).' }),
  }),
});

const BreakerRef = builder.objectRef<BreakerSnapshot & { group: (typeof ENDPOINT_GROUPS)[number] }>('UpstreamBreaker').implement({
  description: 'The circuit breaker of one Cal.com endpoint group.',
  fields: (t) => ({
    group: t.exposeString('group', { description: `One of ${ENDPOINT_GROUPS.join(', ')}.` }),
    state: t.expose('state', { type: BreakerStateRef }),
    opens: t.exposeInt('opens', { description: 'Times opened since start; each re-open doubles the open time.' }),
    openUntil: t.field({ type: 'DateTime', nullable: true, resolve: (b) => (b.openUntil ? new Date(b.openUntil) : null) }),
    score: t.exposeFloat('score', { description: 'Weighted recent failures (429 = 3, timeout/503 = 2, 500 = 1).' }),
  }),
});

const QuotaStatusRef = builder.objectRef<QuotaStatus>('QuotaStatus').implement({
  description:
    "Cal.com's rate limit (docs/calcom-contract.md#rate-limits) and how slotgraph keeps under it: a sliding log of admissions shared by every instance admits at most `budget` calls in any `windowSeconds` (src/quota/admission-log.ts).",
  fields: (t) => ({
    credentialId: t.exposeString('credentialId', { description: 'Short hash of the Cal.com credential (never the key).' }),
    limit: t.int({ description: 'Calls Cal.com allows per window.', resolve: (q) => q.limits.limit }),
    windowSeconds: t.float({ resolve: (q) => q.limits.windowMs / 1000 }),
    budget: t.int({ description: 'Calls we allow ourselves per window (limit × admission fraction).', resolve: (q) => q.shape.budget }),
    capacity: t.int({ description: 'The largest burst: the whole budget.', resolve: (q) => q.shape.capacity }),
    refillPerMinute: t.float({ description: 'Sustained admissions per minute (the budget per window).', resolve: (q) => q.shape.refillPerMs * 60_000 }),
    criticalReserve: t.int({ description: 'Admissions per window only CRITICAL calls may take.', resolve: (q) => q.shape.criticalReserve }),
    secondaryKeyFallbacks: t.int({
      description: 'Requests Cal.com answered 401 with the primary API key and that were retried with the secondary one (a key rotation), since start.',
      resolve: (_q, _args, { services }) => services.secondaryKeyFallbacks(),
    }),
    tokens: t.exposeFloat('tokens', { description: 'Admissions still available in the current window (all instances), before the critical reserve.' }),
    pausedUntil: t.field({
      type: 'DateTime',
      nullable: true,
      description: 'Set after Cal.com answered 429 or reported its window spent: every instance waits until then.',
      resolve: (q) => (q.pausedUntil ? new Date(q.pausedUntil) : null),
    }),
    queues: t.expose('queues', { type: [QueueRef] }),
    upstream429s: t.exposeInt('upstream429s', { description: '429 answers from Cal.com (this instance).' }),
    retries: t.exposeInt('retries', { description: 'Read retries after timeouts and 5xx (each took an admission).' }),
    breakers: t.expose('breakers', { type: [BreakerRef] }),
  }),
});

builder.queryField('quota', (t) =>
  t.field({
    type: QuotaStatusRef,
    description: 'The Cal.com request budget: admissions left, queues per class, 429s, breakers. Costs no upstream call.',
    resolve: (_root, _args, { services }) => services.scheduler.status(),
  }),
);

