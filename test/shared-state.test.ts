/** Two gateway instances on one Redis share cached state: what one fetched, the other does not fetch again. */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { GraphQLClient } from 'graphql-request';
import { graphql } from './gql/index.js';
import { onCleanup, quietLog, salonDay, salonEventTypeOf, simAdmin, startSimulator } from './support/stack.js';
import { startGateway } from '../src/server.js';
import { createRedisStore } from '../src/store/index.js';
import { DEMO } from '../src/sim/demo.js';

const TitleQuery = graphql(`
  query EventTypeTitle($id: Int!) {
    eventType(id: $id) {
      title
    }
  }
`);

describe('two gateway instances on one Redis', () => {
  it('fetch an event type once between them', async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    const keyPrefix = `test:shared:${process.pid}:${Date.now()}:`;
    const gateways = [];
    for (let i = 0; i < 2; i++) {
      const store = await createRedisStore({ url: inject('redisUrl'), keyPrefix });
      onCleanup(() => store.close());
      const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_shared_key' }, store, log: quietLog });
      onCleanup(() => gateway.close());
      gateways.push(gateway);
    }
    const [a, b] = gateways.map((g) => new GraphQLClient(g.graphqlUrl));
    expect((await a!.request(TitleQuery, { id: DEMO.haircut })).eventType?.title).toBe('Haircut');
    expect((await b!.request(TitleQuery, { id: DEMO.haircut })).eventType?.title).toBe('Haircut');
    expect((await admin.stats()).requests).toEqual({ 'GET /v2/event-types/{id}': 1 });
  });

  it('do not wait out a bucket lock whose holder did not fill it: a fetch refused on one is refused on the other at once', { timeout: 20_000 }, async () => {
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    await admin.reset(true);
    for (const [id, length] of [[1, 60], [2, 30], [3, 45]] as const) await admin.putEventType(salonEventTypeOf(id, length));
    const keyPrefix = `test:shared-locks:${process.pid}:${Date.now()}:`;
    const gateways = [];
    for (let i = 0; i < 2; i++) {
      const store = await createRedisStore({ url: inject('redisUrl'), keyPrefix });
      onCleanup(() => store.close());
      // A waiter would wait a minute for a fill that never comes: far past this test's timeout.
      const gateway = await startGateway({
        port: 0,
        calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_shared_key' },
        store,
        log: quietLog,
        quota: { limit: 2, windowMs: 600_000 },
        slotCache: { lockWaitMs: 60_000 },
      });
      onCleanup(() => gateway.close());
      gateways.push(gateway);
    }
    const ask = (url: string, eventTypeId: number) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: `{ availability(eventTypeId: ${eventTypeId}, start: "${salonDay(1)}", end: "${salonDay(7)}", timeZone: "Europe/Berlin") { stale } }` }),
      }).then(async (r) => (await r.json()) as any);
    // The shared budget (2 calls per 10 min) goes on the slots of event types 1 and 2.
    expect((await ask(gateways[0]!.graphqlUrl, 1)).errors).toBeUndefined();
    expect((await ask(gateways[1]!.graphqlUrl, 2)).errors).toBeUndefined();
    expect((await gateways[0]!.services.scheduler.status()).tokens).toBe(0);
    // Both instances want the same days of event type 3: one takes the locks and is refused; the other waits for it.
    const answers = await Promise.all(gateways.map((g) => ask(g.graphqlUrl, 3)));
    expect(answers.map((a) => a.errors?.[0]?.extensions?.code)).toEqual(['QUOTA_EXHAUSTED', 'QUOTA_EXHAUSTED']);
    expect((await admin.stats()).requests['GET /v2/slots']).toBe(2);
  });
});
