/**
 * Webhook → subscriber latency (issue 10): bookings made at the simulator, delivered as signed
 * webhooks to gateway instance A, announced to `slotsChanged` subscribers over graphql-ws on
 * instance A itself and on instance B (one Redis between them). Measured per (booking, subscriber)
 * from the simulator's send time to the subscriber's receipt, so the simulator's own work before
 * sending (and any delivery delay) is not counted; the time from the booking request is shown too.
 */
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { createClient, type Client } from 'graphql-ws';
import { pino } from 'pino';
import WebSocket from 'ws';
import { startRedis, stopRedis } from '../scripts/redis-server.js';
import { startGateway, WEBHOOK_PATH, type Gateway } from '../src/server.js';
import { DEMO } from '../src/sim/demo.js';
import { startCalcomSimulator } from '../src/sim/server.js';
import { createRedisStore } from '../src/store/index.js';
import { admin } from './naive.js';
import { percentile, printTable } from './support.js';

const SUBSCRIBERS = 20;
const BOOKINGS = 30;
const API_KEY = 'cal_bench_webhooks';

export async function runWebhookScenario() {
  const ownRedis = process.env.REDIS_URL ? null : await startRedis();
  const redisUrl = process.env.REDIS_URL ?? ownRedis!.url;
  const keyPrefix = `bench:${process.pid}:${Date.now()}:`;
  const sim = await startCalcomSimulator({ port: 0 });
  const secret = randomBytes(24).toString('base64url');
  const quiet = pino({ level: 'silent' });
  const stores = [await createRedisStore({ url: redisUrl, keyPrefix }), await createRedisStore({ url: redisUrl, keyPrefix })];
  const gateways: Gateway[] = [];
  const clients: Client[] = [];
  try {
    for (const store of stores) {
      gateways.push(
        await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: API_KEY }, store, log: quiet, webhooks: { secrets: [secret], revalidateDelayMs: null }, livePollMs: 0 }),
      );
    }
    const [a, b] = gateways as [Gateway, Gateway];
    await admin(sim, 'PUT', 'config', { latencyMs: { min: 0, max: 0 }, webhookDelayMs: 0, rateLimit: { limit: 100_000, windowMs: 60_000, blockMs: 60_000 } });
    await fetch(`${sim.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ subscriberUrl: `${a.url}${WEBHOOK_PATH}`, triggers: ['BOOKING_CREATED'], secret, active: true }),
    });

    // Free haircut slots in the coming two weeks, read through the gateway.
    const today = DateTime.now().setZone('Europe/Berlin');
    const free: string[] = [];
    for (let week = 0; week < 2 && free.length < BOOKINGS; week++) {
      const start = today.plus({ days: 1 + 7 * week }).toISODate()!;
      const end = today.plus({ days: 7 + 7 * week }).toISODate()!;
      const res = await fetch(a.graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ availability(eventTypeId: ${DEMO.haircut}, start: "${start}", end: "${end}", timeZone: "Europe/Berlin") { days { slots { start } } } }` }),
      });
      const body = (await res.json()) as any;
      for (const day of body.data.availability.days) if (day.slots[0]) free.push(day.slots[0].start, ...(day.slots[4] ? [day.slots[4].start] : []));
    }
    const starts = free.slice(0, BOOKINGS);

    /** Receipt times per booking uid, per side. */
    const received = { same: new Map<string, number[]>(), cross: new Map<string, number[]>() };
    let expected = 0;
    const subscribe = (gateway: Gateway, side: 'same' | 'cross') => {
      const client = createClient({ url: gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
      clients.push(client);
      client.subscribe(
        { query: `subscription { slotsChanged(eventTypeId: ${DEMO.haircut}) { occurredAt affectedDates } }` },
        {
          next: () => {
            const t = Date.now();
            const list = received[side].get(String(expected)) ?? [];
            list.push(t);
            received[side].set(String(expected), list);
          },
          error: () => {},
          complete: () => {},
        },
      );
    };
    for (let i = 0; i < SUBSCRIBERS / 2; i++) {
      subscribe(a, 'same');
      subscribe(b, 'cross');
    }
    while (a.services.changes.active(DEMO.haircut) < SUBSCRIBERS / 2 || b.services.changes.active(DEMO.haircut) < SUBSCRIBERS / 2) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(gateways.map((g) => g.services.changes.ready()));

    console.log(`\n## Webhook → subscriber: ${starts.length} bookings at the simulator, ${SUBSCRIBERS / 2} graphql-ws subscribers on the receiving instance and ${SUBSCRIBERS / 2} on another (one Redis)\n`);
    const fromSend = { same: [] as number[], cross: [] as number[] };
    const fromBooking = { same: [] as number[], cross: [] as number[] };
    await admin(sim, 'DELETE', 'webhook-deliveries');
    for (const [i, start] of starts.entries()) {
      expected = i;
      const t0 = Date.now();
      await admin(sim, 'POST', 'bookings', { eventTypeId: DEMO.haircut, start });
      const done = () => (received.same.get(String(i))?.length ?? 0) >= SUBSCRIBERS / 2 && (received.cross.get(String(i))?.length ?? 0) >= SUBSCRIBERS / 2;
      const deadline = Date.now() + 10_000;
      while (!done() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 1));
      const deliveries = (await admin(sim, 'GET', 'webhook-deliveries')) as Array<{ sentAt: string }>;
      const sentAt = Date.parse(deliveries.at(-1)!.sentAt);
      for (const side of ['same', 'cross'] as const) {
        for (const t of received[side].get(String(i)) ?? []) {
          fromSend[side].push(t - sentAt);
          fromBooking[side].push(t - t0);
        }
      }
    }
    const row = (side: 'same' | 'cross', label: string) => ({
      subscribers: label,
      events: fromSend[side].length,
      'p50 ms (from webhook sent)': percentile(fromSend[side], 50),
      'p95 ms (from webhook sent)': percentile(fromSend[side], 95),
      'p50 ms (from booking request)': percentile(fromBooking[side], 50),
      'p95 ms (from booking request)': percentile(fromBooking[side], 95),
    });
    printTable([row('same', 'on the receiving instance'), row('cross', 'on the other instance')]);
    const missing = starts.length * (SUBSCRIBERS / 2) * 2 - fromSend.same.length - fromSend.cross.length;
    const cross95 = percentile(fromSend.cross, 95);
    console.log(`\nevents expected ${starts.length * SUBSCRIBERS}, missing ${missing}; other instance p95 ${cross95.toFixed(1)} ms against a goal of 50 ms (${(50 / cross95).toFixed(1)}x headroom)`);
  } finally {
    for (const client of clients) await client.dispose();
    for (const gateway of gateways) await gateway.close();
    for (const store of stores) await store.close();
    await sim.close();
    if (ownRedis) await stopRedis(ownRedis.child);
  }
}
