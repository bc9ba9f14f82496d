/**
 * What every resolver gets: the long-lived services of this gateway instance and the loaders of
 * the current GraphQL request (one set per request, never shared).
 */
import type { AnswerWitness } from './answer-cache.js';
import type { Logger } from './logger.js';
import type { AuthResult } from './security/auth.js';
import type { BookingService } from './bookings/service.js';
import type { ChangeFeed } from './changes.js';
import type { EventTypeDirectory } from './loaders/event-types.js';
import type { RequestLoaders } from './loaders/index.js';
import type { SlotCache } from './loaders/slot-cache/index.js';
import type { Store } from './store/store.js';
import type { CallOptions, QuotaScheduler } from './quota/scheduler.js';
import type { CalcomApi } from './upstream/scheduled-calcom.js';

export interface GatewayServices {
  /** Cal.com through the quota scheduler. */
  calcom: CalcomApi;
  /** The quota scheduler of this credential. */
  scheduler: QuotaScheduler;
  store: Store;
  /** Shared slot buckets of this credential (widening, coalescing, stale-while-revalidate). */
  slotCache: SlotCache;
  /** Event types of this credential: cached, negative-cached, and indexed by host. */
  eventTypes: EventTypeDirectory;
  /** The gateway's clock, ms since the epoch. */
  now: () => number;
  /** Reservations and bookings (mutations). */
  bookings: BookingService;
  /** Slot change events of this credential (after mutations and Cal.com webhooks), on every instance. */
  changes: ChangeFeed;
  /** Live subscriptions' settings. */
  live: {
    /** `availabilityLive` re-polls this often (ms); 0 = never. */
    pollMs: number;
  };
  log: Logger;
  /** Short, non-secret namespace of the tenant's shared state (tenant id and a hash of its credential). */
  credentialId: string;
  /** The tenant these services serve. */
  tenantId: string;
  /** False for an event type outside the tenant's list: it is answered as unknown (NOT_FOUND). */
  eventTypeAllowed(eventTypeId: number): boolean;
  /** Requests answered 401 with the primary Cal.com key and retried with the secondary one. */
  secondaryKeyFallbacks(): number;
}

export interface GatewayContext {
  /** The services of the caller's tenant. */
  services: GatewayServices;
  /** Who is asking (src/security/auth.ts). */
  auth: AuthResult;
  loaders: RequestLoaders;
  /**
   * How this request's upstream calls are scheduled: its class (set from the operation type by
   * `useRequestPriority`, possibly lowered by the `x-slotgraph-priority` header) and the signal that
   * fires when the client goes away.
   */
  call: CallOptions;
  /** What this request's answer was computed from (src/answer-cache.ts); filled by its slot reads. */
  witness?: AnswerWitness;
}
