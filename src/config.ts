/**
 * The one place that reads the environment. Everything else takes typed option objects.
 * Values are validated with zod at start-up; a bad value stops the process with a message that
 * names the variable (see {@link ConfigError}).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SlotCacheTuning } from './loaders/slot-cache/index.js';
import type { QuotaLimits } from './quota/admission-log.js';
import type { BrowserOptions } from './security/browser.js';
import type { OperationLimits } from './security/limits.js';
import { loadTenantsFile, parseTokensEnv, type ClientConfig, type TenantConfig } from './security/tenants.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const port = z.coerce.number().int().min(0).max(65535);
const optional = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema.optional());

const envSchema = z.object({
  /** Port the gateway listens on. @default 4000 */
  PORT: port.default(4000),
  /** Interface the gateway binds. @default "127.0.0.1" (loopback only) */
  HOST: z.string().min(1).default('127.0.0.1'),
  /** Cal.com API base URL, including `/v2`. @default "https://api.cal.com/v2" (Cal.com's docs: https://cal.com/docs/api-reference/v2) */
  CALCOM_API_URL: z.url({ protocol: /^https?$/ }).default('https://api.cal.com/v2'),
  /** Cal.com API key (`cal_…`) or access token. Unset: the embedded simulator serves instead. */
  CALCOM_API_KEY: optional(z.string().min(8, 'looks truncated (fewer than 8 characters)')),
  /** Per-request upstream timeout (whole request, ms). @default 5000 */
  CALCOM_TIMEOUT_MS: z.coerce.number().int().positive().default(5000),
  /** Redis for shared state (`redis://host:port/db`). Unset: an in-process store (one instance only). */
  REDIS_URL: optional(z.url({ protocol: /^rediss?$/ })),
  /** pino log level. @default "info" */
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Port of the embedded simulator (with no CALCOM_API_KEY) or of `npm run sim`. Unset: a free port / 5555. */
  SIM_PORT: optional(port),
  /** Slot buckets are fresh this long (ms). @default 30000 */
  SLOT_FRESH_TTL_MS: z.coerce.number().int().nonnegative().default(30_000),
  /** Slot buckets are served stale (while refreshing, or when Cal.com fails) up to this age (ms). @default 300000 */
  SLOT_MAX_AGE_MS: z.coerce.number().int().positive().default(300_000),
  /** Widen slot fetches to blocks of this many days counted from today. @default 7 */
  SLOT_MIN_WINDOW_DAYS: z.coerce.number().int().min(1).max(31).default(7),
  /** Longest range one `GET /v2/slots` call covers (days). @default 14 */
  SLOT_MAX_SPAN_DAYS: z.coerce.number().int().min(1).max(62).default(14),
  /** Missing days at most this far apart are fetched in one call (days). @default 3 */
  SLOT_MAX_GAP_DAYS: z.coerce.number().int().min(0).max(31).default(3),
  /** Extra time the slot loader collects a batch (ms); 0 = the current tick only. @default 0 */
  SLOT_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(1000).default(0),
  /** Whole answers of warm slot queries kept per process (src/answer-cache.ts); 0 turns the answer cache off. @default 1000 */
  ANSWER_CACHE_MAX_ENTRIES: z.coerce.number().int().min(0).max(1_000_000).default(1000),
  /** Requests Cal.com allows per window and API key (docs/calcom-contract.md#rate-limits). @default 120 */
  CALCOM_RATE_LIMIT: z.coerce.number().int().min(3).default(120),
  /** Cal.com's rate-limit window, ms. @default 60000 */
  CALCOM_RATE_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
  /** Share of the limit slotgraph allows itself, so it never stands at the edge. @default 0.9 */
  QUOTA_ADMISSION_FRACTION: z.coerce.number().gt(0).max(1).default(0.9),
  /** Share of the budget only critical calls (bookings) may use. @default 0.03 (3 of 108) */
  QUOTA_CRITICAL_RESERVE: z.coerce.number().min(0).lt(1).default(0.03),
  /** Secrets Cal.com signs webhooks with, comma-separated (several during a rotation). Never logged. */
  CALCOM_WEBHOOK_SECRET: optional(
    z
      .string()
      .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean))
      .refine((list) => list.every((s) => s.length >= 8), 'each secret must have at least 8 characters'),
  ),
  /** Largest webhook body accepted, bytes. */
  WEBHOOK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  /** Delay of the background re-read after a webhook, ms; -1 disables it. */
  WEBHOOK_REVALIDATE_DELAY_MS: z.coerce.number().int().min(-1).default(10_000),
  /** How often `availabilityLive` re-polls Cal.com, ms; 0 disables. */
  AVAILABILITY_LIVE_POLL_MS: z.coerce.number().int().min(0).default(60_000),
  /** Tenants file (YAML or JSON); unset: one tenant from this environment. */
  SLOTGRAPH_CONFIG: optional(z.string().min(1)),
  /** Client tokens of the environment's tenant: `<sha256>@<scope>+<scope>,…`. */
  SLOTGRAPH_TOKENS: optional(z.string()),
  /** Serve callers without a token (always on with the embedded simulator). */
  SLOTGRAPH_ALLOW_ANONYMOUS: optional(z.enum(['true', 'false'])),
  /** The Cal.com key tried when the primary one is answered 401 (a rotation). Never logged. */
  CALCOM_API_KEY_SECONDARY: optional(z.string().min(8, 'looks truncated (fewer than 8 characters)')),
  /** Browser origins allowed (CORS, WebSocket Origin), comma-separated; `*` for any. */
  CORS_ORIGINS: optional(z.string()),
  NODE_ENV: optional(z.string()),
  /** GraphiQL at /graphql: `true`/`false`; default on, off under NODE_ENV=production. */
  GRAPHIQL: optional(z.enum(['true', 'false'])),
  /** Introspection: `true`/`false`; default on, off under NODE_ENV=production. */
  INTROSPECTION: optional(z.enum(['true', 'false'])),
  /** Largest GraphQL request body, bytes. */
  MAX_REQUEST_BODY_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
  /** Operation limits. */
  LIMIT_MAX_TOKENS: z.coerce.number().int().min(50).default(4000),
  LIMIT_MAX_DEPTH: z.coerce.number().int().min(3).default(10),
  LIMIT_MAX_ALIASES: z.coerce.number().int().min(1).default(30),
  LIMIT_MAX_DIRECTIVES: z.coerce.number().int().min(0).default(20),
  LIMIT_MAX_UPSTREAM_CALLS: z.coerce.number().int().min(1).default(12),
  LIMIT_MAX_QUOTA_SHARE: z.coerce.number().gt(0).max(1).default(0.5),
  /** Persisted operations file: JSON `{"<sha256>": "query …"}`. */
  PERSISTED_OPERATIONS_FILE: optional(z.string().min(1)),
  /** Prefix of every Redis key and channel; instances sharing state must use the same one. */
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('slotgraph:'),
  /** A Redis command unanswered this long counts as an outage (ms): the in-process store takes over. */
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
  /** Gateway instances expected on one Redis; while Redis is away each spends 1/N of the quota budget. */
  EXPECTED_INSTANCES: z.coerce.number().int().min(1).max(1000).default(2),
  /** Share of the quota budget one instance spends on its own while Redis is away (overrides 1/EXPECTED_INSTANCES). */
  REDIS_OUTAGE_BUDGET_SHARE: optional(z.coerce.number().gt(0).max(1)),
  /** On SIGTERM/SIGINT, in-flight operations get this long to finish (ms). */
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(10_000),
  /** OTLP/HTTP collector (`http://collector:4318`); unset: no traces. */
  OTEL_EXPORTER_OTLP_ENDPOINT: optional(z.url({ protocol: /^https?$/ })),
  /** `service.name` of the traces. */
  OTEL_SERVICE_NAME: z.string().min(1).max(100).default('slotgraph'),
}).superRefine((e, ctx) => {
  if (e.SLOT_MAX_AGE_MS < e.SLOT_FRESH_TTL_MS) {
    ctx.addIssue({ code: 'custom', path: ['SLOT_MAX_AGE_MS'], message: `must be at least SLOT_FRESH_TTL_MS (${e.SLOT_FRESH_TTL_MS})` });
  }
  if (e.SLOT_MIN_WINDOW_DAYS > e.SLOT_MAX_SPAN_DAYS) {
    ctx.addIssue({ code: 'custom', path: ['SLOT_MIN_WINDOW_DAYS'], message: `must not exceed SLOT_MAX_SPAN_DAYS (${e.SLOT_MAX_SPAN_DAYS})` });
  }
});

/** Validated gateway configuration. */
export interface AppConfig {
  port: number;
  host: string;
  logLevel: (typeof LOG_LEVELS)[number];
  redisUrl: string | undefined;
  /** `undefined` = use the embedded simulator. */
  calcom: { apiUrl: string; apiKey: string; timeoutMs: number } | undefined;
  /** Set when CALCOM_API_URL was given without CALCOM_API_KEY (it is then ignored, and we say so). */
  ignoredApiUrl: string | undefined;
  simPort: number | undefined;
  timeoutMs: number;
  /** Slot cache tuning; lock TTL and wait follow the upstream timeout. */
  slotCache: SlotCacheTuning;
  slotBatchWindowMs: number;
  /** Answers the answer cache keeps; 0 = off. */
  answerCacheMaxEntries: number;
  /** Cal.com's rate limit and our share of it. */
  quota: QuotaLimits;
  /** Webhook secrets (empty: none configured), body cap and revalidation delay (null: none). */
  webhooks: { secrets: string[]; maxBodyBytes: number; revalidateDelayMs: number | null };
  livePollMs: number;
  /** Tenants from SLOTGRAPH_CONFIG, or undefined: one tenant from the environment. */
  tenants: TenantConfig[] | undefined;
  /** Client tokens of the environment's tenant (SLOTGRAPH_TOKENS). */
  clients: ClientConfig[];
  /** SLOTGRAPH_ALLOW_ANONYMOUS=true. */
  allowAnonymous: boolean;
  secondaryApiKey: string | undefined;
  browser: BrowserOptions;
  maxBodyBytes: number;
  limits: OperationLimits;
  persistedOperations: Record<string, string> | undefined;
  /** Redis details (with `redisUrl`). */
  redis: {
    keyPrefix: string;
    commandTimeoutMs: number;
    /** Share of the quota budget spent in process while Redis is away. */
    outageBudgetShare: number;
  };
  shutdownTimeoutMs: number;
  /** Traces: off without an endpoint. */
  tracing: { endpoint: string | undefined; serviceName: string };
}

/** A configuration problem; `message` names every bad variable, one per line. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

function parseEnv(env: NodeJS.ProcessEnv) {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.') || '(environment)'}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** Reads and validates the gateway's environment. @throws ConfigError naming the bad variable(s). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const e = parseEnv(env);
  const production = e.NODE_ENV === 'production';
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    calcom: e.CALCOM_API_KEY ? { apiUrl: e.CALCOM_API_URL, apiKey: e.CALCOM_API_KEY, timeoutMs: e.CALCOM_TIMEOUT_MS } : undefined,
    ignoredApiUrl: !e.CALCOM_API_KEY && env.CALCOM_API_URL ? e.CALCOM_API_URL : undefined,
    simPort: e.SIM_PORT,
    timeoutMs: e.CALCOM_TIMEOUT_MS,
    slotCache: {
      freshTtlMs: e.SLOT_FRESH_TTL_MS,
      maxAgeMs: e.SLOT_MAX_AGE_MS,
      minWindowDays: e.SLOT_MIN_WINDOW_DAYS,
      maxSpanDays: e.SLOT_MAX_SPAN_DAYS,
      maxGapDays: e.SLOT_MAX_GAP_DAYS,
      // A fetch lock must outlive the slowest fetch; a waiter gives up a little after that.
      lockTtlMs: 2 * e.CALCOM_TIMEOUT_MS,
      lockWaitMs: e.CALCOM_TIMEOUT_MS + 1000,
    },
    slotBatchWindowMs: e.SLOT_BATCH_WINDOW_MS,
    answerCacheMaxEntries: e.ANSWER_CACHE_MAX_ENTRIES,
    quota: {
      limit: e.CALCOM_RATE_LIMIT,
      windowMs: e.CALCOM_RATE_WINDOW_MS,
      admissionFraction: e.QUOTA_ADMISSION_FRACTION,
      criticalReserveFraction: e.QUOTA_CRITICAL_RESERVE,
    },
    webhooks: {
      secrets: e.CALCOM_WEBHOOK_SECRET ?? [],
      maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES,
      revalidateDelayMs: e.WEBHOOK_REVALIDATE_DELAY_MS < 0 ? null : e.WEBHOOK_REVALIDATE_DELAY_MS,
    },
    livePollMs: e.AVAILABILITY_LIVE_POLL_MS,
    tenants: e.SLOTGRAPH_CONFIG ? loadTenantsFile(e.SLOTGRAPH_CONFIG) : undefined,
    clients: tokens(e.SLOTGRAPH_TOKENS),
    allowAnonymous: e.SLOTGRAPH_ALLOW_ANONYMOUS === 'true',
    secondaryApiKey: e.CALCOM_API_KEY_SECONDARY,
    browser: {
      corsOrigins: (e.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean),
      graphiql: e.GRAPHIQL ? e.GRAPHIQL === 'true' : !production,
      introspection: e.INTROSPECTION ? e.INTROSPECTION === 'true' : !production,
      fieldSuggestions: !production,
    },
    maxBodyBytes: e.MAX_REQUEST_BODY_BYTES,
    limits: {
      maxTokens: e.LIMIT_MAX_TOKENS,
      maxDepth: e.LIMIT_MAX_DEPTH,
      maxAliases: e.LIMIT_MAX_ALIASES,
      maxDirectives: e.LIMIT_MAX_DIRECTIVES,
      maxUpstreamCalls: e.LIMIT_MAX_UPSTREAM_CALLS,
      maxQuotaShare: e.LIMIT_MAX_QUOTA_SHARE,
    },
    persistedOperations: e.PERSISTED_OPERATIONS_FILE ? loadPersistedOperations(e.PERSISTED_OPERATIONS_FILE) : undefined,
    redis: {
      keyPrefix: e.REDIS_KEY_PREFIX,
      commandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
      outageBudgetShare: e.REDIS_OUTAGE_BUDGET_SHARE ?? 1 / e.EXPECTED_INSTANCES,
    },
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    tracing: { endpoint: e.OTEL_EXPORTER_OTLP_ENDPOINT, serviceName: e.OTEL_SERVICE_NAME },
  };
}

/** Reads the standalone simulator's environment (`npm run sim`): SIM_PORT (default 5555), HOST, LOG_LEVEL. */
export function loadSimulatorConfig(env: NodeJS.ProcessEnv = process.env) {
  const e = parseEnv(env);
  return { port: e.SIM_PORT ?? 5555, host: e.HOST, logLevel: e.LOG_LEVEL };
}

/** SLOTGRAPH_TOKENS, with problems as a ConfigError naming the variable. */
function tokens(value: string | undefined): ClientConfig[] {
  try {
    return parseTokensEnv(value);
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  SLOTGRAPH_TOKENS: ${(err as Error).message}`);
  }
}

/** A persisted operations file: a JSON object of hashes to documents. */
function loadPersistedOperations(path: string): Record<string, string> {
  try {
    const parsed = z.record(z.string().min(1), z.string().min(1)).parse(JSON.parse(readFileSync(path, 'utf8')));
    return parsed;
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  PERSISTED_OPERATIONS_FILE: ${path}: ${err instanceof z.ZodError ? z.prettifyError(err) : (err as Error).message}`);
  }
}
