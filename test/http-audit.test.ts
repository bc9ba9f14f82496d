/** GraphQL over HTTP compliance of the gateway's /graphql, checked with graphql-http's audits. */
import { describe, expect, it } from 'vitest';
import { serverAudits } from 'graphql-http';
import { startStack } from './support/stack.js';
import { CSRF_HEADER } from '../src/security/browser.js';

describe('GraphQL over HTTP', () => {
  it('passes every graphql-http server audit', async () => {
    const stack = await startStack();
    // CSRF prevention refuses "simple" requests (a GET or a form POST without a preflight): the
    // audits' GET requests and those with a non-JSON content type carry yoga's CSRF header, as a
    // non-browser client (or a browser page of an allowed origin) would. That is the only change.
    const fetchFn: typeof fetch = (input, init) => {
      const headers = new Headers(init?.headers);
      headers.set(CSRF_HEADER, '1');
      return fetch(input, { ...init, headers });
    };
    const results = await Promise.all(serverAudits({ url: stack.gateway.graphqlUrl, fetchFn }).map((audit) => audit.fn()));
    const failed = results.flatMap((r) => (r.status === 'ok' ? [] : [`${r.name}: ${r.status}: ${r.reason}`]));
    expect(failed).toEqual([]);
    expect(results.length).toBeGreaterThan(50);
    expect((await stack.admin.stats()).total).toBe(0);
    // Without the header, the same GET is refused: a cross-site page could have sent it.
    const simple = await fetch(`${stack.gateway.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(simple.status).toBe(403);
  });

  it('tells the gateway\'s own time in Server-Timing, on GraphQL answers and operational endpoints', async () => {
    const stack = await startStack();
    const answer = await fetch(stack.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(answer.headers.get('server-timing')).toMatch(/^gateway;dur=\d+\.\d$/);
    const health = await fetch(stack.gateway.graphqlUrl.replace(/\/graphql$/, '/healthz'));
    expect(health.headers.get('server-timing')).toMatch(/^gateway;dur=\d+\.\d$/);
  });
});
