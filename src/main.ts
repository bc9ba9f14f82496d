/**
 * `npm start`: reads the environment (src/config.ts), starts the embedded Cal.com simulator when no
 * CALCOM_API_KEY is set, opens the store (Redis with REDIS_URL, else in-process) and serves the
 * gateway. SIGINT/SIGTERM close everything.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Logger } from './logger.js';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
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
  let calcom = config.calcom;
  if (!calcom) {
    sim = await startCalcomSimulator({ host: '127.0.0.1', port: config.simPort ?? 0 });
    calcom = { apiUrl: sim.apiUrl, apiKey: EMBEDDED_SIM_API_KEY, timeoutMs: config.timeoutMs };
    log.info(
      { demoEventTypes: DEMO },
      `using the embedded Cal.com simulator at ${sim.apiUrl}; set CALCOM_API_KEY to use Cal.com`,
    );
    if (config.ignoredApiUrl) log.warn(`CALCOM_API_URL (${config.ignoredApiUrl}) is ignored because CALCOM_API_KEY is not set`);
  } else {
    log.info(`using Cal.com at ${calcom.apiUrl}`);
  }

  const store = await createStore({
    redisUrl: config.redisUrl,
    onError: (err) => log.warn({ err: err.message }, 'Redis connection error; reconnecting'),
  });
  log.info(
    config.redisUrl
      ? `shared state in Redis at ${redactUrl(config.redisUrl)}`
      : 'shared state in process memory (single instance); set REDIS_URL to share it between instances',
  );

  // Embedded mode: the gateway registers its own webhook at the simulator, so live updates work out
  // of the box; its secret is made here and lives only in this process.
  const webhookSecrets = sim ? [randomBytes(24).toString('base64url')] : config.webhooks.secrets;
  if (!sim && webhookSecrets.length === 0) {
    log.warn('CALCOM_WEBHOOK_SECRET is not set: Cal.com webhooks are refused, and live updates rely on re-polls only');
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
    quota: config.quota,
    webhooks: { ...config.webhooks, secrets: webhookSecrets },
    livePollMs: config.livePollMs,
  });
  if (sim) await registerEmbeddedWebhook(sim, calcom.apiKey, `${gateway.url}${WEBHOOK_PATH}`, webhookSecrets[0]!, log);
  log.info(`slotgraph ready: GraphiQL at ${gateway.graphqlUrl}, health at ${gateway.url}/healthz`);

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    await gateway.close();
    await store.close();
    await sim?.close();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop('SIGINT'));
  process.once('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`slotgraph: ${err.message}`);
  } else if ((err as NodeJS.ErrnoException)?.code === 'EADDRINUSE') {
    console.error(`slotgraph: ${(err as Error).message}; set PORT (or SIM_PORT) to a free port`);
  } else {
    console.error('slotgraph: failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
});
