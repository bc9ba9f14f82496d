/**
 * The services of one tenant (src/security/tenants.ts): its Cal.com client behind its own quota
 * scheduler, its event type directory, slot cache, booking service, change feed and webhook
 * receiver, all namespaced by the tenant, so no tenant reads, invalidates or spends another's.
 */
import { createHash } from 'node:crypto';
import { createBookingService } from './bookings/service.js';
import { createChangeFeed } from './changes.js';
import type { GatewayServices } from './context.js';
import { createEventTypeDirectory } from './loaders/event-types.js';
import { createSlotCache, type SlotCacheTuning } from './loaders/slot-cache/index.js';
import type { Logger } from './logger.js';
import { createQuotaScheduler, type SchedulerOptions } from './quota/scheduler.js';
import { DEFAULT_QUOTA_LIMITS, type QuotaLimits } from './quota/admission-log.js';
import type { TenantConfig } from './security/tenants.js';
import type { Store } from './store/store.js';
import { createCalcomClient, type CalcomClient } from './upstream/calcom-client.js';
import { createScheduledCalcom } from './upstream/scheduled-calcom.js';
import { createWebhookReceiver, type WebhookReceiver } from './webhooks/receiver.js';

/** A short, non-secret id for a credential (first 12 hex digits of its SHA-256). */
export function credentialIdOf(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 12);
}

/** The namespace of a tenant's shared state: its id and its credential's id (never the key). */
export const tenantNamespace = (tenant: { id: string; calcom: { apiKey: string } }) => `${tenant.id}.${credentialIdOf(tenant.calcom.apiKey)}`;

/** What every tenant shares: the store, the clock, the tunings. */
export interface SharedSettings {
  store: Store;
  log: Logger;
  now: () => number;
  /** Cal.com request timeout (ms). */
  timeoutMs?: number;
  slotCache?: Partial<SlotCacheTuning>;
  /** Quota settings every tenant starts from (a tenant's own override them). */
  quota?: Partial<QuotaLimits>;
  scheduler?: Pick<SchedulerOptions, 'deadlinesMs' | 'retries' | 'breaker' | 'max429Requeues' | 'observer'>;
  webhooks?: { maxBodyBytes?: number; revalidateDelayMs?: number | null };
  livePollMs?: number;
}

export interface TenantServices {
  tenant: TenantConfig;
  services: GatewayServices;
  client: CalcomClient;
  webhooks: WebhookReceiver;
  /** Closes what this tenant opened (not the shared store). */
  close(): Promise<void>;
}

export function createTenantServices(tenant: TenantConfig, shared: SharedSettings): TenantServices {
  const { store, now } = shared;
  const log = shared.log.child({ tenant: tenant.id });
  const credentialId = tenantNamespace(tenant);
  const client = createCalcomClient({
    apiUrl: tenant.calcom.apiUrl,
    apiKey: tenant.calcom.apiKey,
    ...(tenant.calcom.secondaryApiKey ? { secondaryApiKey: tenant.calcom.secondaryApiKey } : {}),
    ...(shared.timeoutMs !== undefined ? { timeoutMs: shared.timeoutMs } : {}),
  });
  const scheduler = createQuotaScheduler({
    store,
    credentialId,
    limits: { ...DEFAULT_QUOTA_LIMITS, ...shared.quota, ...tenant.quota },
    log: log.child({ component: 'quota' }),
    now,
    ...shared.scheduler,
  });
  const calcom = createScheduledCalcom(client, scheduler);
  const eventTypes = createEventTypeDirectory({ store, calcom, credentialId, log: log.child({ component: 'event-types' }) });
  const slotCache = createSlotCache({
    store,
    calcom,
    credentialId,
    eventTypes,
    log: log.child({ component: 'slot-cache' }),
    now,
    ...(shared.slotCache ? { tuning: shared.slotCache } : {}),
  });
  const changes = createChangeFeed(store, credentialId);
  const allowed = tenant.eventTypes ? new Set(tenant.eventTypes) : null;
  const bookings = createBookingService({
    calcom,
    store,
    slotCache,
    eventTypes,
    changes,
    credentialId,
    log: log.child({ component: 'bookings' }),
    now,
    ...(allowed ? { eventTypeAllowed: (id: number) => allowed.has(id) } : {}),
  });
  const services: GatewayServices = {
    calcom,
    scheduler,
    store,
    log,
    credentialId,
    tenantId: tenant.id,
    eventTypeAllowed: (id) => allowed === null || allowed.has(id),
    eventTypes,
    now,
    slotCache,
    bookings,
    changes,
    live: { pollMs: shared.livePollMs ?? 60_000 },
    secondaryKeyFallbacks: () => client.secondaryKeyFallbacks(),
  };
  const webhooks = createWebhookReceiver({
    secrets: tenant.webhookSecrets,
    store,
    slotCache,
    changes,
    credentialId,
    log: log.child({ component: 'webhooks' }),
    now,
    ...(shared.webhooks?.revalidateDelayMs !== undefined ? { revalidateDelayMs: shared.webhooks.revalidateDelayMs } : {}),
  });
  return {
    tenant,
    services,
    client,
    webhooks,
    async close() {
      await webhooks.close();
      await slotCache.close();
      await bookings.close();
      scheduler.close(); // fails what is still queued, so background event-type lookups end now
      await eventTypes.settled();
      client.close();
    },
  };
}
