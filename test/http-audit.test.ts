/** GraphQL over HTTP compliance of the gateway's /graphql, checked with graphql-http's audits. */
import { describe, expect, it } from 'vitest';
import { serverAudits } from 'graphql-http';
import { startStack } from './support/stack.js';

describe('GraphQL over HTTP', () => {
  it('passes every graphql-http server audit', async () => {
    const stack = await startStack();
    const results = await Promise.all(serverAudits({ url: stack.gateway.graphqlUrl }).map((audit) => audit.fn()));
    const failed = results.flatMap((r) => (r.status === 'ok' ? [] : [`${r.name}: ${r.status}: ${r.reason}`]));
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    expect((await stack.admin.stats()).total).toBe(0);
  });
});
