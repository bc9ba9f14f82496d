/**
 * `npm start` (and `node dist/main.js`, the compiled build): reads the environment
 * (src/config.ts), starts the embedded Cal.com simulator when no CALCOM_API_KEY is set, opens the
 * store (Redis with REDIS_URL — with an in-process fallback while it is away — else in-process),
 * starts tracing when OTEL_EXPORTER_OTLP_ENDPOINT is set, and serves the gateway.
 *
 * SIGTERM/SIGINT drain it (src/server.ts `drain`): no new connections, in-flight operations finish
 * within SHUTDOWN_TIMEOUT_MS, subscriptions end, then Redis is closed and the process exits 0. A
 * second SIGINT exits at once.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from './logger.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startTracing } from './observability/tracing.js';
import { hashToken, TenantConfigError, type TenantConfig } from './security/tenants.js';
import { startGateway, WEBHOOK_PATH } from './server.js';
import { DEMO } from './sim/demo.js';
import { startCalcomSimulator, type CalcomSimulator } from './sim/server.js';
import { createStore, redactUrl } from './store/index.js';

/** The API key the gateway uses against the embedded simulator (any `cal_` key works there). */
const EMBEDDED_SIM_API_KEY = 'cal_slotgraph_embedded_simulator';

function exampleQuery(timeZone: string): string {
  const today = DateTime.now().setZone(timeZone);
  return `# Free haircut slots at the demo salon for the coming week, in Berlin time.
# Demo event types: ${DEMO.haircut} (haircut, 30 min),
# ${DEMO.cutAndColour} (cut & colour, 60 min), ${DEMO.teamConsultation} (team, New York).
query Availability {
  availability(
    eventTypeId: ${DEMO.haircut}
    start: "${today.toISODate()}"
    end: "${today.plus({ days: 6 }).toISODate()}"
    timeZone: "${timeZone}"
  ) {
    timeZone
    fetchedAt
    days {
      date
      slots { localTime utcOffset start }
    }
  }
}
`;
}

/** Subscribes the gateway to the simulator's booking webhooks (`POST /v2/webhooks`, as at Cal.com). */
async function registerEmbeddedWebhook(sim: CalcomSimulator, apiKey: string, subscriberUrl: string, secret: string, log: Logger) {
  const res = await fetch(`${sim.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      subscriberUrl,
      active: true,
      triggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED', 'BOOKING_REQUESTED', 'BOOKING_REJECTED'],
      secret,
    }),
  });
  if (!res.ok) throw new Error(`registering the gateway's webhook at the simulator failed: HTTP ${res.status}`);
  log.info(`live updates: the simulator delivers booking webhooks to ${subscriberUrl}`);
}

async function main() {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  let sim: CalcomSimulator | undefined;
  let calcom = config.calcom ?? (config.tenants ? { ...config.tenants[0]!.calcom, timeoutMs: config.timeoutMs } : undefined);
  if (!calcom) {
    sim = await startCalcomSimulator({ host: '127.0.0.1', port: config.simPort ?? 0 });
    calcom = { apiUrl: sim.apiUrl, apiKey: EMBEDDED_SIM_API_KEY, timeoutMs: config.timeoutMs };
    log.info(
      { demoEventTypes: DEMO },
      `using the embedded Cal.com simulator at ${sim.apiUrl}; set CALCOM_API_KEY to use Cal.com`,
    );
    if (config.ignoredApiUrl) log.warn(`CALCOM_API_URL (${config.ignoredApiUrl}) is ignored because CALCOM_API_KEY is not set`);
  } else if (config.tenants) {
    log.info({ tenants: config.tenants.map((t) => t.id) }, `tenants from SLOTGRAPH_CONFIG, using Cal.com at ${config.tenants.map((t) => redactUrl(t.calcom.apiUrl, { dropUserinfo: true })).join(', ')}`);
  } else {
    log.info(`using Cal.com at ${redactUrl(calcom.apiUrl, { dropUserinfo: true })}`);
  }

  const tracing = await startTracing(config.tracing);
  if (tracing) log.info(`traces go to ${redactUrl(config.tracing.endpoint!, { dropUserinfo: true })} (OTLP/HTTP)`);

  const storeLog = log.child({ component: 'store' });
  const store = await createStore({
    redisUrl: config.redisUrl,
    keyPrefix: config.redis.keyPrefix,
    commandTimeoutMs: config.redis.commandTimeoutMs,
    outageBudgetShare: config.redis.outageBudgetShare,
    log: { warn: (obj, msg) => storeLog.warn(obj, msg), info: (obj, msg) => storeLog.info(obj, msg) },
    onError: (err) => storeLog.warn({ err: err.message }, 'Redis connection error; reconnecting'),
  });
  log.info(
    config.redisUrl
      ? `shared state in Redis at ${redactUrl(config.redisUrl)} (while it is away: in process, with ${Math.round(config.redis.outageBudgetShare * 100)} % of the quota budget)`
      : 'shared state in process memory (single instance); set REDIS_URL to share it between instances',
  );

  // Embedded mode: the gateway registers its own webhook at the simulator, so live updates work out
  // of the box; its secret is made here and lives only in this process. Anonymous callers are
  // served (it is a demo), and a demo token with every scope is made for trying authentication.
  const webhookSecrets = sim ? [randomBytes(24).toString('base64url')] : config.webhooks.secrets;
  const demoToken = sim ? `demo_${randomBytes(18).toString('base64url')}` : undefined;
  const tenants: TenantConfig[] = config.tenants ?? [
    {
      id: 'default',
      calcom: { apiUrl: calcom.apiUrl, apiKey: calcom.apiKey, ...(!sim && config.secondaryApiKey ? { secondaryApiKey: config.secondaryApiKey } : {}) },
      webhookSecrets,
      clients: demoToken ? [{ name: 'demo', tokenSha256: hashToken(demoToken), scopes: ['availability:read', 'bookings:write', 'admin'] }] : config.clients,
    },
  ];
  if (!sim && tenants.every((t) => t.webhookSecrets.length === 0)) {
    log.warn('CALCOM_WEBHOOK_SECRET is not set: Cal.com webhooks are refused, and live updates rely on re-polls only');
  }
  const allowAnonymous = Boolean(sim) || config.allowAnonymous;
  if (!allowAnonymous && tenants.every((t) => t.clients.length === 0)) {
    log.warn('no client tokens are configured (SLOTGRAPH_TOKENS or SLOTGRAPH_CONFIG) and anonymous access is off: every request will be refused');
  }
  const gateway = await startGateway({
    host: config.host,
    port: config.port,
    calcom,
    upstreamKind: sim ? 'simulator' : 'calcom',
    store,
    log,
    exampleQuery: exampleQuery('Europe/Berlin'),
    slotCache: config.slotCache,
    batchWindowMs: config.slotBatchWindowMs,
    answerCache: { maxEntries: config.answerCacheMaxEntries },
    quota: config.quota,
    webhooks: { ...config.webhooks, secrets: webhookSecrets },
    livePollMs: config.livePollMs,
    tenants,
    auth: { allowAnonymous },
    browser: config.browser,
    limits: config.limits,
    maxBodyBytes: config.maxBodyBytes,
    ...(config.persistedOperations ? { persistedOperations: config.persistedOperations } : {}),
    shutdownTimeoutMs: config.shutdownTimeoutMs,
  });
  if (sim) await registerEmbeddedWebhook(sim, calcom.apiKey, `${gateway.url}${WEBHOOK_PATH}`, webhookSecrets[0]!, log);
  log.info(`slotgraph ready: GraphiQL at ${gateway.graphqlUrl}, health at ${gateway.url}/healthz, status at ${gateway.url}/status, metrics at ${gateway.url}/metrics`);
  if (demoToken) {
    // A demo token for the embedded simulator only: it opens nothing real.
    log.info(`demo mode: anonymous requests are served; to try authentication send "Authorization: Bearer ${demoToken}"`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      if (signal === 'SIGINT') {
        log.warn('SIGINT again: exiting without waiting');
        process.exit(130);
      }
      return;
    }
    stopping = true;
    log.info({ timeoutMs: config.shutdownTimeoutMs }, `${signal}: draining, then shutting down`);
    // Should anything hang past the drain, the process still ends.
    setTimeout(() => {
      log.error('shutdown did not finish in time: exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs + 10_000).unref();
    try {
      await gateway.drain(config.shutdownTimeoutMs);
      await gateway.close();
      await store.close();
      await sim?.close();
      await tracing?.shutdown();
    } catch (err) {
      log.error({ err }, 'shutdown failed');
      process.exit(1);
    }
    log.info('stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError || err instanceof TenantConfigError) {
    console.error(`slotgraph: ${err.message}`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`slotgraph: ${(err as Error).message}; set PORT (or SIM_PORT) to a free port`);
  } else {
    console.error('slotgraph: failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
