/**
 * Liveness and readiness. `/healthz`: the process is up and serving (always 200 while it is).
 * `/readyz`: worth sending traffic to — not while draining, not while Redis (when configured) is
 * away and shared state is served from this process, not while every Cal.com breaker of a tenant is
 * open. Reasons in words, never a secret (no URL, no key).
 */
import type { QuotaStatus } from '../quota/scheduler.js';
import type { StoreHealth } from '../store/store.js';

export interface Readiness {
  ready: boolean;
  /** Why not ready; empty when ready. */
  reasons: string[];
  draining: boolean;
  store: StoreHealth;
  tenants: Array<{ id: string; breakers: Record<string, string>; allBreakersOpen: boolean }>;
}

export async function readiness(input: {
  draining: boolean;
  store: StoreHealth;
  tenants: Array<{ id: string; quota(): Promise<QuotaStatus> }>;
}): Promise<Readiness> {
  const reasons: string[] = [];
  if (input.draining) reasons.push('draining: shutting down');
  if (input.store.kind === 'redis' && !input.store.ok) {
    reasons.push(`redis unreachable${input.store.degraded ? ': serving shared state from this process' : ''}${input.store.reason ? ` (${input.store.reason})` : ''}`);
  }
  const tenants = await Promise.all(
    input.tenants.map(async (t) => {
      const status = await t.quota().catch(() => null);
      const breakers = Object.fromEntries((status?.breakers ?? []).map((b) => [b.group, b.state]));
      const allBreakersOpen = status !== null && status.breakers.length > 0 && status.breakers.every((b) => b.state === 'OPEN');
      if (allBreakersOpen) reasons.push(`tenant ${t.id}: every Cal.com circuit breaker is open`);
      return { id: t.id, breakers, allBreakersOpen };
    }),
  );
  return { ready: reasons.length === 0, reasons, draining: input.draining, store: input.store, tenants };
}
