/**
 * An embedded Cal.com simulator (with its demo salon) and a slotgraph gateway in this process, on
 * free loopback ports, wired as `npm start` wires them: the gateway subscribes to the simulator's
 * booking webhooks, so bookings made at the simulator reach `slotsChanged` subscribers.
 */
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { startGateway, WEBHOOK_PATH } from '../../src/server.js';
import { startCalcomSimulator } from '../../src/sim/server.js';
import { createMemoryStore } from '../../src/store/index.js';

export interface EmbeddedSlotgraph {
  graphqlUrl: string;
  wsUrl: string;
  /** The simulator's base URL (its admin API is under /_sim). */
  simUrl: string;
  close(): Promise<void>;
}

/** Any `cal_` key is accepted by the simulator. */
const API_KEY = 'cal_voice_agent_example';

/**
 * @param options.now a fixed clock for the simulator and the gateway (ms since the epoch); the demo
 *   bookings are placed relative to it. Default: real time.
 */
export async function startEmbeddedSlotgraph(options: { now?: number } = {}): Promise<EmbeddedSlotgraph> {
  const sim = await startCalcomSimulator({ port: 0 });
  const admin = async (method: string, path: string, body: unknown) => {
    const res = await fetch(`${sim.url}/_sim/${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (!res.ok) throw new Error(`${method} /_sim/${path}: HTTP ${res.status}`);
  };
  if (options.now !== undefined) {
    await admin('PUT', 'clock', { now: new Date(options.now).toISOString() });
    await admin('POST', 'reset', {}); // the demo bookings, relative to the fixed clock
  }
  const store = createMemoryStore();
  const secret = randomBytes(24).toString('base64url');
  const fixedNow = options.now;
  const gateway = await startGateway({
    port: 0,
    calcom: { apiUrl: sim.apiUrl, apiKey: API_KEY },
    upstreamKind: 'simulator',
    store,
    log: pino({ level: 'silent' }),
    webhooks: { secrets: [secret] },
    ...(fixedNow !== undefined ? { now: () => fixedNow } : {}),
  });
  const res = await fetch(`${sim.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ subscriberUrl: `${gateway.url}${WEBHOOK_PATH}`, active: true, triggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'], secret }),
  });
  if (!res.ok) throw new Error(`registering the gateway's webhook at the simulator failed: HTTP ${res.status}`);
  return {
    graphqlUrl: gateway.graphqlUrl,
    wsUrl: gateway.wsUrl,
    simUrl: sim.url,
    async close() {
      await gateway.close();
      await store.close();
      await sim.close();
    },
  };
}
