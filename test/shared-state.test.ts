/** Two gateway instances on one Redis share cached state: what one fetched, the other does not fetch again. */
import { describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { GraphQLClient } from 'graphql-request';
import { graphql } from './gql/index.js';
import { onCleanup, quietLog, simAdmin, startSimulator } from './support/stack.js';
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
});
