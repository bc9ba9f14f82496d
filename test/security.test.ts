/**
 * The security boundary, tried as an attacker would: tokens and scopes, tenants kept apart, key
 * rotation, operation limits refused fast and before any upstream call, browser safety (CORS, CSRF,
 * WebSocket origin), production switches, the body cap, persisted operations, and no secret in
 * any log line or answer.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { capturingLog, onCleanup, salonEventTypeOf, type Stack, type StackOptions, startStack } from './support/stack.js';
import { hashToken, type TenantConfig } from '../src/security/tenants.js';
import { isLoopback } from '../src/sim/server.js';
import { CSRF_HEADER } from '../src/security/browser.js';
import { signCalcomBody } from '../src/webhooks/verify.js';

const NOW = '2025-10-20T00:00:00Z';
const TOKENS = { reader: 'tok_reader_0123456789', booker: 'tok_booker_0123456789', admin: 'tok_admin_0123456789', other: 'tok_other_tenant_0123' };

const salon = (id: number) => salonEventTypeOf(id, 60);

function tenant(id: string, apiKey: string, clients: Array<[string, TenantConfig['clients'][number]['scopes']]>, extra: Partial<TenantConfig> = {}): TenantConfig {
  return { id, calcom: { apiUrl: 'set-below', apiKey }, webhookSecrets: [], clients: clients.map(([token, scopes]) => ({ name: `${id}-${scopes.join('+')}`, tokenSha256: hashToken(token), scopes })), ...extra };
}

/** A gateway with two tenants and no anonymous access. */
async function secured(options: Partial<StackOptions> & { tenants?: TenantConfig[] } = {}) {
  const sim = options.sim ?? (await startStack()).sim; // a simulator to point the tenants at
  const tenants = (
    options.tenants ?? [
      tenant('salon', 'cal_salon_key', [
        [TOKENS.reader, ['availability:read']],
        [TOKENS.booker, ['bookings:write']],
        [TOKENS.admin, ['admin']],
      ], { eventTypes: [1, 2] }),
      tenant('clinic', 'cal_clinic_key', [[TOKENS.other, ['availability:read', 'bookings:write']]], { eventTypes: [3] }),
    ]
  ).map((t) => ({ ...t, calcom: { ...t.calcom, apiUrl: sim.apiUrl } }));
  const stack = await startStack({ sim, now: () => Date.parse(NOW), auth: { allowAnonymous: false }, ...options, tenants });
  await stack.admin.setClock(NOW);
  await stack.admin.reset(true);
  for (const id of [1, 2, 3]) await stack.admin.putEventType(salon(id));
  await stack.admin.clearStats();
  return stack;
}

const ask = async (stack: Stack, query: string, token?: string, variables?: Record<string, unknown>, headers: Record<string, string> = {}) => {
  const res = await fetch(stack.gateway.graphqlUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as any };
};
const upstream = async (stack: Stack) => (await stack.admin.stats()).total;
const DAY = `availability(eventTypeId: 1, start: "2025-10-22", end: "2025-10-22", timeZone: "Europe/Berlin") { days { slots { start } } }`;
const BOOK = `mutation($input: CreateBookingInput!) { createBooking(input: $input) { __typename ... on Booking { uid } ... on Error { message } } }`;
const bookingInput = (eventTypeId = 1) => ({
  input: { eventTypeId, start: '2025-10-22T08:00:00.000Z', attendee: { name: 'A', email: 'a@example.com', timeZone: 'Europe/Berlin' }, idempotencyKey: randomUUID() },
});

describe('authentication and scopes', () => {
  it('refuses a missing or unknown token with 401 UNAUTHENTICATED, before any upstream call', async () => {
    const stack = await secured();
    for (const token of [undefined, 'not-a-token']) {
      const res = await ask(stack, `{ ${DAY} }`, token);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
      expect(res.body.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    }
    expect((await ask(stack, `{ ${DAY} }`, undefined, undefined, { authorization: 'Basic abc' })).status).toBe(401);
    expect(await upstream(stack)).toBe(0);
  });

  it('gives each token its scopes: FORBIDDEN (403) for a field outside them, nothing run', async () => {
    const stack = await secured();
    expect((await ask(stack, `{ ${DAY} }`, TOKENS.reader)).body.errors).toBeUndefined();
    const cases: Array<[string, string, Record<string, unknown> | undefined, string]> = [
      [TOKENS.reader, BOOK, bookingInput(), 'bookings:write'],
      [TOKENS.reader, '{ quota { budget } }', undefined, 'admin'],
      [TOKENS.reader, '{ booking(uid: "x") { uid } }', undefined, 'bookings:write'],
      [TOKENS.booker, `{ ${DAY} }`, undefined, 'availability:read'],
    ];
    await stack.admin.clearStats();
    for (const [token, query, variables, scope] of cases) {
      const res = await ask(stack, query, token, variables);
      expect(res.status).toBe(403);
      expect(res.body.errors[0].extensions).toMatchObject({ code: 'FORBIDDEN', scope });
    }
    expect(await upstream(stack)).toBe(0);
    expect((await ask(stack, BOOK, TOKENS.booker, bookingInput())).body.data.createBooking.__typename).toBe('Booking');
    expect((await ask(stack, '{ quota { budget } }', TOKENS.admin)).body.data.quota.budget).toBeGreaterThan(0);
  });

  it('authenticates graphql-ws in connection_init and closes the connection of an unknown token', async () => {
    const stack = await secured();
    const closeCodes: number[] = [];
    const refused = createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: 'Bearer nope' }, on: { closed: (e: any) => closeCodes.push(e.code) } });
    onCleanup(() => refused.dispose() as Promise<void>);
    const error = await new Promise<unknown>((resolve) => refused.subscribe({ query: `{ ${DAY} }` }, { next: () => {}, error: resolve, complete: () => resolve(null) }));
    expect(error).toBeTruthy();
    expect(closeCodes).toContain(4403);
    const accepted = createClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, connectionParams: { authorization: `Bearer ${TOKENS.reader}` } });
    onCleanup(() => accepted.dispose() as Promise<void>);
    const result = await new Promise<any>((resolve, reject) => {
      let value: unknown;
      accepted.subscribe({ query: `{ ${DAY} }` }, { next: (v) => (value = v), error: reject, complete: () => resolve(value) });
    });
    expect(result.data.availability.days[0].slots.length).toBeGreaterThan(0);
  });
});

describe('tenants', () => {
  it('keep their event types: one outside the list is NOT_FOUND, without an upstream call', async () => {
    const stack = await secured();
    const res = await ask(stack, `{ availability(eventTypeId: 3, start: "2025-10-22", end: "2025-10-22", timeZone: "UTC") { eventTypeId } }`, TOKENS.reader);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'NOT_FOUND', argument: 'eventTypeId' });
    const book = await ask(stack, BOOK, TOKENS.booker, bookingInput(3));
    expect(book.body.data.createBooking).toMatchObject({ __typename: 'InvalidInput' });
    expect(await upstream(stack)).toBe(0);
  });

  it('never share cache, idempotency keys, bookings or events', async () => {
    const stack = await secured({
      tenants: [
        tenant('salon', 'cal_salon_key', [[TOKENS.booker, ['availability:read', 'bookings:write']]], { eventTypes: [1] }),
        tenant('clinic', 'cal_clinic_key', [[TOKENS.other, ['availability:read', 'bookings:write']]], { eventTypes: [1, 3] }),
      ],
    });
    const salon = stack.gateway.tenants.get('salon')!.services;
    const clinic = stack.gateway.tenants.get('clinic')!.services;
    await ask(stack, `{ ${DAY} }`, TOKENS.booker);
    await stack.admin.clearStats();
    await ask(stack, `{ ${DAY} }`, TOKENS.other); // the clinic has its own cache: one call
    expect((await stack.admin.stats()).requests['GET /v2/slots']).toBe(1);
    expect(salon.credentialId).not.toBe(clinic.credentialId);

    const clinicEvents = clinic.changes.subscribe(1);
    const clinicNext = clinicEvents.next();
    await clinic.changes.ready();
    const key = randomUUID();
    const salonBooking = await ask(stack, BOOK, TOKENS.booker, { input: { ...bookingInput().input, idempotencyKey: key } });
    expect(salonBooking.body.data.createBooking.__typename).toBe('Booking');
    // The same idempotency key is the clinic's own: another request, not a replay of the salon's.
    const clinicBooking = await ask(stack, BOOK, TOKENS.other, { input: { ...bookingInput().input, start: '2025-10-22T12:00:00.000Z', idempotencyKey: key } });
    expect(clinicBooking.body.data.createBooking.__typename).toBe('Booking');
    // The clinic heard of its own booking only.
    expect((await clinicNext).value).toMatchObject({ reason: 'booking.created', ranges: [[Date.parse('2025-10-22T12:00:00.000Z'), Date.parse('2025-10-22T13:00:00.000Z')]] });
    await clinicEvents.return!();
  });

  it('rotate keys: a 401 for the primary key is retried once with the secondary, and counted', async () => {
    const { sim } = await startStack();
    const stack = await secured({ sim, tenants: [tenant('salon', 'cal_old_key', [[TOKENS.admin, ['admin']]], { calcom: { apiUrl: '', apiKey: 'cal_old_key', secondaryApiKey: 'cal_new_key' } })] });
    await stack.admin.configure({ apiKeys: ['cal_new_key'] }); // Cal.com no longer knows the old key
    const res = await ask(stack, `{ ${DAY} }`, TOKENS.admin);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.availability.days[0].slots.length).toBeGreaterThan(0);
    const quota = await ask(stack, '{ quota { secondaryKeyFallbacks } }', TOKENS.admin);
    expect(quota.body.data.quota.secondaryKeyFallbacks).toBeGreaterThanOrEqual(1);
  });
});

describe('operation limits: refused at once, before any resolver or upstream call', () => {
  it.each([
    ['tokens', `{ ${Array.from({ length: 2_000 }, (_, i) => `a${i}: eventType(id: 0) { id }`).join(' ')} }`],
    ['bodySize', `{ ${Array.from({ length: 20_000 }, (_, i) => `a${i}: eventType(id: 0) { id }`).join(' ')} }`],
    ["aliases", `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: eventType(id: 1) { id }`).join(" ")} }`],
    ['depth', `{ alternatives(eventTypeId: 1, wishedLocal: "2025-10-22T10:00", timeZone: "UTC") { alternatives { slot { start } } } }`],
    ['directives', `{ __typename ${'@skip(if: false) '.repeat(21)} }`],
    ['upstreamCost', `{ ${Array.from({ length: 13 }, (_, i) => `a${i}: availability(eventTypeId: ${100 + i}, start: "2025-10-22", end: "2025-10-22", timeZone: "UTC") { timeZone }`).join(' ')} }`],
  ])('%s', { timeout: 5_000 }, async (limit, query) => {
    const stack = await startStack({ now: () => Date.parse(NOW), ...(limit === 'depth' ? { limits: { maxDepth: 3 } } : {}) });
    const res = await ask(stack, query);
    expect(res.body.data ?? null).toBeNull();
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit });
    expect(await upstream(stack)).toBe(0);
  });

  it('refuses an operation needing more than its share of the tenant’s quota burst', async () => {
    const stack = await startStack({ now: () => Date.parse(NOW), quota: { limit: 3 } }); // a budget (and burst) of 2 calls: half of it is 1
    const two = `{ a: availability(eventTypeId: 1, start: "2025-10-22", end: "2025-10-22", timeZone: "UTC") { timeZone } b: availability(eventTypeId: 2, start: "2025-10-22", end: "2025-10-22", timeZone: "UTC") { timeZone } }`;
    const res = await ask(stack, two);
    expect(res.body.errors[0].extensions).toMatchObject({ code: 'OPERATION_LIMIT', limit: 'quotaShare' });
    expect(await upstream(stack)).toBe(0);
  });

  it('caps the request body with 413', async () => {
    const stack = await startStack();
    const res = await ask(stack, `{ __typename } # ${'x'.repeat(300 * 1024)}`);
    expect(res.status).toBe(413);
  });
});

describe('browsers', () => {
  it('gives CORS headers to allowed origins only', async () => {
    const stack = await startStack({ browser: { corsOrigins: ['https://app.example'] } });
    const preflight = (origin: string) =>
      fetch(stack.gateway.graphqlUrl, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' } });
    const good = await preflight('https://app.example');
    expect(good.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(good.headers.get('access-control-allow-credentials')).toBe('true');
    const evil = await preflight('https://evil.example');
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
    expect(evil.headers.get('access-control-allow-credentials')).toBeNull();
    const plain = await ask(stack, '{ __typename }', undefined, undefined, { origin: 'https://evil.example' });
    expect(plain.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses requests a cross-site form or link could send (CSRF), and foreign WebSocket origins', async () => {
    const stack = await startStack({ browser: { corsOrigins: ['https://app.example'] } });
    const form = await fetch(stack.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'query=%7B__typename%7D' });
    expect(form.status).toBe(403);
    const link = await fetch(`${stack.gateway.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`);
    expect(link.status).toBe(403);
    const withHeader = await fetch(`${stack.gateway.graphqlUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { [CSRF_HEADER]: '1' } });
    expect(withHeader.status).toBe(200);
    const opened = (origin?: string) =>
      new Promise<string>((resolve) => {
        const ws = new WebSocket(stack.gateway.wsUrl, 'graphql-transport-ws', origin ? { origin } : {});
        ws.once('open', () => {
          ws.close();
          resolve('open');
        });
        ws.once('unexpected-response', (_req, res) => resolve(`refused ${res.statusCode}`));
        ws.once('error', () => resolve('error'));
      });
    expect(await opened('https://evil.example')).toBe('refused 401');
    expect(await opened('https://app.example')).toBe('open');
    expect(await opened()).toBe('open'); // not a browser
  });

  it('under production switches: no GraphiQL, no introspection, no field suggestions', async () => {
    const stack = await startStack({ browser: { graphiql: false, introspection: false, fieldSuggestions: false } });
    const page = await fetch(stack.gateway.graphqlUrl, { headers: { accept: 'text/html' } });
    expect(await page.text()).not.toContain('graphiql');
    const introspection = await ask(stack, '{ __schema { types { name } } }');
    expect(introspection.body.errors?.length).toBeGreaterThan(0);
    const typo = await ask(stack, '{ availabilty(eventTypeId: 1) { timeZone } }');
    expect(JSON.stringify(typo.body)).not.toMatch(/Did you mean/);
  });
});

describe('persisted operations', () => {
  it('are enforced for a tenant that wants them, while other tenants may send documents', async () => {
    const { sim } = await startStack();
    const hash = 'sha256:typename';
    // The persisted set comes with the gateway options.
    const gatewayWithOps = await startStack({
      sim,
      auth: { allowAnonymous: false },
      tenants: [
        { ...tenant('strict', 'cal_strict_key', [[TOKENS.reader, ['availability:read']]], { persistedOperationsOnly: true }), calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_strict_key' } },
        { ...tenant('loose', 'cal_loose_key', [[TOKENS.other, ['availability:read']]]), calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_loose_key' } },
      ],
      persistedOperations: { [hash]: '{ __typename }' },
    });
    const persisted = { extensions: { persistedQuery: { version: 1, sha256Hash: hash } } };
    const send = (token: string, body: unknown) =>
      fetch(gatewayWithOps.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) }).then(
        async (r) => (await r.json()) as any,
      );
    expect((await send(TOKENS.reader, persisted)).data).toEqual({ __typename: 'Query' });
    expect((await send(TOKENS.reader, { query: '{ __typename }' })).errors[0].message).toMatch(/persisted/i);
    expect((await send(TOKENS.other, { query: '{ __typename }' })).data).toEqual({ __typename: 'Query' });
  });
});

describe('secrets', () => {
  it('never reach a log line, an answer or /healthz: keys, webhook secrets, tokens, URL userinfo, attendee contacts', async () => {
    const { log, lines } = capturingLog();
    const { sim } = await startStack();
    const secrets = { key: 'cal_live_supersecret_key_1', secondary: 'cal_live_supersecret_key_2', webhook: 'whsec_supersecret_webhook', token: 'tok_supersecret_client', password: 'urlpassw0rd' };
    const url = new URL(sim.apiUrl);
    url.username = 'calcomuser';
    url.password = secrets.password;
    const stack = await startStack({
      sim,
      log,
      now: () => Date.parse(NOW),
      auth: { allowAnonymous: false },
      tenants: [
        {
          id: 'salon',
          calcom: { apiUrl: url.toString(), apiKey: secrets.key, secondaryApiKey: secrets.secondary },
          webhookSecrets: [secrets.webhook],
          clients: [{ name: 'bot', tokenSha256: hashToken(secrets.token), scopes: ['admin'] }],
        },
      ],
    });
    await stack.admin.setClock(NOW);
    await stack.admin.reset(true);
    await stack.admin.putEventType(salon(1));
    await stack.admin.configure({ apiKeys: [secrets.secondary] });
    const answers: string[] = [];
    const who = { name: 'Private Person', email: 'private.person@example.org', phoneNumber: '+4915112345678', timeZone: 'Europe/Berlin' };
    answers.push(JSON.stringify((await ask(stack, `{ ${DAY} }`, secrets.token)).body));
    answers.push(JSON.stringify((await ask(stack, BOOK, secrets.token, { input: { ...bookingInput().input, attendee: who } })).body));
    answers.push(JSON.stringify((await ask(stack, BOOK, secrets.token, { input: { ...bookingInput().input, attendee: who } })).body)); // taken
    answers.push(JSON.stringify((await ask(stack, `{ ${DAY} }`, 'wrong-token')).body));
    const body = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: NOW, payload: { uid: 'u1', eventTypeId: 1, startTime: '2025-10-22T12:00:00Z', endTime: '2025-10-22T13:00:00Z', organizer: { id: 7 } } });
    for (const signature of [signCalcomBody(body, secrets.webhook), signCalcomBody(body, 'wrong')]) {
      const res = await fetch(`${stack.gateway.url}/webhooks/calcom`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-cal-signature-256': signature }, body });
      answers.push(await res.text());
    }
    const health = await (await fetch(`${stack.gateway.url}/healthz`)).text();
    answers.push(health);
    expect(health).toContain(String(url.port));
    const everything = lines.join('') + answers.join('');
    expect(lines.join('')).toContain('upstream call'); // there was something to look at
    for (const secret of [...Object.values(secrets), who.email, who.phoneNumber, '4915112345678']) {
      expect(lines.join(''), secret).not.toContain(secret);
      if (secret !== who.email && secret !== who.phoneNumber) expect(answers.join(''), secret).not.toContain(secret);
    }
    expect(everything).not.toContain(secrets.password);
  });

  it('the simulator’s admin API answers loopback peers only', () => {
    expect(['127.0.0.1', '::1', '::ffff:127.0.0.1'].map(isLoopback)).toEqual([true, true, true]);
    expect(['10.0.0.5', '192.168.1.2', '::ffff:10.0.0.5', '2001:db8::1', undefined].map(isLoopback)).toEqual([false, false, false, false, false]);
  });
});
