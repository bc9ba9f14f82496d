/**
 * Tenants and their clients: who may use this gateway, with which Cal.com credential, and for what.
 *
 * A tenant is one Cal.com account as slotgraph serves it: its credential (a primary API key and an
 * optional secondary one for rotation), its quota settings, its webhook secrets, the event types
 * its clients may see, and its clients. A client is a bearer token — stored only as its SHA-256 —
 * with scopes:
 *
 * - `availability:read`: `availability`, `alternatives`, `eventType`, `slotsChanged`, `availabilityLive`;
 * - `bookings:write`: every mutation and the `booking` query;
 * - `admin`: `quota` (and everything else).
 *
 * Tenants are declared in a file (`SLOTGRAPH_CONFIG`, YAML or JSON, checked at start-up with errors
 * naming the path) or, without one, come from the environment as one `default` tenant.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { QuotaLimits } from '../quota/admission-log.js';

export const SCOPES = ['availability:read', 'bookings:write', 'admin'] as const;
export type Scope = (typeof SCOPES)[number];

/** A client of a tenant: a token's SHA-256 and what it may do. */
export interface ClientConfig {
  name: string;
  /** Lowercase hex SHA-256 of the bearer token (the token itself is never stored). */
  tokenSha256: string;
  scopes: Scope[];
}

export interface TenantConfig {
  /** Short id: namespaces the tenant's state (quota bucket, cache, locks, idempotency keys, events). */
  id: string;
  calcom: {
    /** API base including `/v2`. @default "https://api.cal.com/v2" */
    apiUrl: string;
    apiKey: string;
    /** Tried once when Cal.com answers 401 to the primary key (a rotation in progress). */
    secondaryApiKey?: string;
  };
  /** Partial quota settings; the rest from the environment. */
  quota?: Partial<QuotaLimits>;
  /** Secrets Cal.com signs this tenant's webhooks with. */
  webhookSecrets: string[];
  /** Event types the tenant's clients may use; absent = every one its key can see. */
  eventTypes?: number[];
  /** Only persisted operations (by hash) are executed for this tenant's clients. @default false */
  persistedOperationsOnly?: boolean;
  clients: ClientConfig[];
}

/** The SHA-256 of a token, as `tokenSha256` stores it. */
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

const idSchema = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'lowercase letters, digits, "-" or "_", at most 40');
const sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'the lowercase hex SHA-256 of the token (`printf %s "$TOKEN" | sha256sum`)');
const scopes = z.array(z.enum(SCOPES)).min(1);
const apiKey = z.string().min(8, 'looks truncated (fewer than 8 characters)');

const fileSchema = z.object({
  tenants: z
    .array(
      z.object({
        id: idSchema,
        calcom: z.object({
          apiUrl: z.url({ protocol: /^https?$/ }).default('https://api.cal.com/v2'),
          apiKey,
          secondaryApiKey: apiKey.optional(),
        }),
        quota: z
          .object({
            limit: z.number().int().min(3),
            windowMs: z.number().int().min(100),
            admissionFraction: z.number().gt(0).max(1),
            criticalReserveFraction: z.number().min(0).lt(1),
          })
          .partial()
          .optional(),
        webhookSecrets: z.array(z.string().min(8, 'at least 8 characters')).default([]),
        eventTypes: z.array(z.number().int().positive()).optional(),
        persistedOperationsOnly: z.boolean().default(false),
        clients: z.array(z.object({ name: z.string().min(1).max(80), tokenSha256: sha256, scopes })).default([]),
      }),
    )
    .min(1, 'declare at least one tenant'),
});

/** A configuration file problem; the message names the file and the path of each bad value. */
export class TenantConfigError extends Error {
  override name = 'TenantConfigError';
}

/** Reads and checks a tenants file (YAML or JSON, by content). @throws TenantConfigError */
export function loadTenantsFile(path: string): TenantConfig[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new TenantConfigError(`SLOTGRAPH_CONFIG: cannot read ${path}: ${(err as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text); // YAML is a superset of JSON
  } catch (err) {
    throw new TenantConfigError(`SLOTGRAPH_CONFIG ${path}: not YAML or JSON: ${(err as Error).message}`);
  }
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new TenantConfigError(`SLOTGRAPH_CONFIG ${path} is invalid:\n${lines.join('\n')}`);
  }
  const tenants = parsed.data.tenants.map((t): TenantConfig => ({
    id: t.id,
    calcom: { apiUrl: t.calcom.apiUrl, apiKey: t.calcom.apiKey, ...(t.calcom.secondaryApiKey ? { secondaryApiKey: t.calcom.secondaryApiKey } : {}) },
    ...(t.quota ? { quota: Object.fromEntries(Object.entries(t.quota).filter(([, v]) => v !== undefined)) as Partial<QuotaLimits> } : {}),
    webhookSecrets: t.webhookSecrets,
    ...(t.eventTypes ? { eventTypes: t.eventTypes } : {}),
    persistedOperationsOnly: t.persistedOperationsOnly,
    clients: t.clients,
  }));
  const problems: string[] = [];
  const ids = new Set<string>();
  const tokens = new Set<string>();
  tenants.forEach((t, i) => {
    if (ids.has(t.id)) problems.push(`  tenants.${i}.id: "${t.id}" is used twice`);
    ids.add(t.id);
    t.clients.forEach((c, j) => {
      if (tokens.has(c.tokenSha256)) problems.push(`  tenants.${i}.clients.${j}.tokenSha256: the same token is declared twice`);
      tokens.add(c.tokenSha256);
    });
  });
  if (problems.length > 0) throw new TenantConfigError(`SLOTGRAPH_CONFIG ${path} is invalid:\n${problems.join('\n')}`);
  return tenants;
}

/**
 * `SLOTGRAPH_TOKENS` without a file: comma-separated `<sha256>@<scope>+<scope>` entries, e.g.
 * `3b1f…@availability:read+bookings:write,9c2e…@admin`.
 * @throws Error naming the bad entry
 */
export function parseTokensEnv(value: string | undefined): ClientConfig[] {
  if (!value?.trim()) return [];
  return value.split(',').map((entry, i) => {
    const [hash, scopeList] = entry.trim().split('@');
    const parsed = z.object({ hash: sha256, scopes }).safeParse({ hash, scopes: (scopeList ?? '').split('+').filter(Boolean) });
    if (!parsed.success) throw new Error(`entry ${i + 1} ("${(hash ?? '').slice(0, 8)}…"): ${z.prettifyError(parsed.error)}`);
    return { name: `token-${i + 1}`, tokenSha256: parsed.data.hash, scopes: parsed.data.scopes };
  });
}
