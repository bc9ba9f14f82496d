/**
 * The simulator's webhooks against Cal.com's behaviour (docs/calcom-contract.md#webhooks): the
 * `/v2/webhooks` API, and the signed deliveries of booking writes made through the API and the admin
 * API, received by a local HTTP server. Each test names the calcom/cal.com file it follows.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, listen } from '../src/http-server.js';
import { CALCOM_WEBHOOK_TRIGGERS, calcomWebhookSignature } from '../src/upstream/contract.js';
import { WEEKDAYS, type SimEventTypeInput } from '../src/sim/model.js';
import { webhookRequest, type WebhookDelivery } from '../src/sim/webhook-delivery.js';
import type { CalcomSimulator } from '../src/sim/server.js';
import { allDayEventType, resetSimulator, simAdmin, startSimulator } from './support/stack.js';

const KEY = 'cal_sim_webhooks_test';
const NOW = '2025-10-20T00:00:00Z'; // a Monday
const SECRET = 'whsec_test_secret';

const allDay = (id: number, extra: Partial<SimEventTypeInput> = {}) => allDayEventType(id, { description: '', ...extra });
const berlin = { timeZone: 'Europe/Berlin', availability: [{ days: [...WEEKDAYS], startTime: '00:00', endTime: '24:00' }], overrides: [] };

let sim: CalcomSimulator;
let admin: ReturnType<typeof simAdmin>;

beforeAll(async () => {
  sim = await startSimulator();
  admin = simAdmin(sim);
});

beforeEach(async () => {
  await resetSimulator(admin, NOW);
  await fetch(`${sim.url}/_sim/webhook-deliveries`, { method: 'DELETE' });
});

// ---------------------------------------------------------------- a subscriber

interface Received {
  raw: Buffer;
  json: any;
  headers: IncomingHttpHeaders;
  /** Date.now() when the request was complete. */
  at: number;
}

interface Receiver {
  url: string;
  received: Received[];
  /** The n-th request (0-based), waiting for it if it has not come yet. */
  request(n?: number): Promise<Received>;
}

const openServers: Server[] = [];
afterEach(async () => {
  await sim.webhooksIdle();
  await Promise.all(openServers.splice(0).map((s) => closeServer(s)));
});

/** A node:http server on 127.0.0.1:0 that keeps each request's raw body and headers. */
async function startReceiver(status = 200): Promise<Receiver> {
  const received: Received[] = [];
  let waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      received.push({ raw, json: JSON.parse(raw.toString('utf8')), headers: req.headers, at: Date.now() });
      res.writeHead(status, { 'content-type': 'text/plain' }).end('ok');
      const w = waiters;
      waiters = [];
      for (const wake of w) wake();
    });
  });
  openServers.push(server);
  const { url } = await listen(server, 0, '127.0.0.1');
  return {
    url: `${url}/hooks/cal`,
    received,
    async request(n = 0) {
      while (received.length <= n) await new Promise<void>((resolve) => waiters.push(resolve));
      return received[n]!;
    },
  };
}

// ---------------------------------------------------------------- HTTP helpers

type Answer = { status: number; headers: Headers; body: any };

async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { authorization: `Bearer ${KEY}` }): Promise<Answer> {
  const version = path.startsWith('/bookings') ? '2024-08-13' : '';
  const res = await fetch(`${sim.apiUrl}${path}`, {
    method,
    headers: {
      ...(version ? { 'cal-api-version': version } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...headers,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

const attendee = { name: 'John Smith', email: 'john.smith@example.com', timeZone: 'America/New_York' };
const book = (eventTypeId: number, start: string, extra: Record<string, unknown> = {}) => call('POST', '/bookings', { start, eventTypeId, attendee, ...extra });

async function subscribe(subscriberUrl: string, extra: Record<string, unknown> = {}) {
  const res = await call('POST', '/webhooks', { subscriberUrl, triggers: ['BOOKING_CREATED', 'BOOKING_RESCHEDULED', 'BOOKING_CANCELLED'], active: true, secret: SECRET, ...extra });
  expect(res.status).toBe(201);
  return res.body.data as { id: string };
}

async function deliveries(wait = 0): Promise<{ list: WebhookDelivery[]; pending: string | null }> {
  const res = await fetch(`${sim.url}/_sim/webhook-deliveries${wait ? `?wait=${wait}` : ''}`);
  return { list: (await res.json()) as WebhookDelivery[], pending: res.headers.get('x-sim-webhook-deliveries-pending') };
}

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`./fixtures/webhooks/${name}`, import.meta.url), 'utf8'));
const hmac = (secret: string, raw: Buffer) => createHmac('sha256', secret).update(raw).digest('hex');

/** A delivery as a receiver checks it: the signature over the raw bytes and a compact body. */
function expectSigned(r: Received, secret: string | null) {
  expect(r.headers['content-type']).toBe('application/json');
  expect(r.headers['x-cal-webhook-version']).toBe('2021-10-20');
  expect(r.headers['x-cal-signature-256']).toBe(secret ? hmac(secret, r.raw) : 'no-secret-provided');
  expect(r.raw.toString('utf8')).toBe(JSON.stringify(r.json));
  expect(Object.keys(r.json)).toEqual(['triggerEvent', 'createdAt', 'payload']);
}

// ---------------------------------------------------------------- the API

describe('/v2/webhooks (webhooks.controller.ts @0e907a82, user-webhooks.service.ts, webhooks.service.ts, webhook.input.ts)', () => {
  it('creates, lists, reads, updates and deletes a user webhook, without cal-api-version, counted per route', async () => {
    const created = await call('POST', '/webhooks', { subscriberUrl: 'https://example.com/hook', triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], active: true });
    expect(created.status).toBe(201);
    // webhooks.repository.ts: id = uuid v4; user-webhooks.service.ts: payloadTemplate and secret default to null.
    expect(created.body).toEqual({
      status: 'success',
      data: { id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/), payloadTemplate: null, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], subscriberUrl: 'https://example.com/hook', active: true, secret: null, userId: 1 },
    });
    const id = created.body.data.id as string;

    const list = await call('GET', '/webhooks');
    expect(list).toMatchObject({ status: 200, body: { status: 'success', data: [created.body.data] } });

    // GET /:webhookId has no excludeAll strategy: the whole row through WebhookOutputPipe.
    const one = await call('GET', `/webhooks/${id}`);
    expect(one.status).toBe(200);
    expect(one.body.data).toMatchObject({ ...created.body.data, createdAt: NOW.replace('Z', '.000Z'), version: '2021-10-20', oAuthClientId: null });
    expect(one.body.data).not.toHaveProperty('eventTriggers');

    const patched = await call('PATCH', `/webhooks/${id}`, { active: false, secret: 's3cret', triggers: ['BOOKING_RESCHEDULED'] });
    expect(patched).toMatchObject({ status: 200, body: { data: { id, active: false, secret: 's3cret', triggers: ['BOOKING_RESCHEDULED'], subscriberUrl: 'https://example.com/hook' } } });

    const deleted = await call('DELETE', `/webhooks/${id}`);
    expect(deleted).toMatchObject({ status: 200, body: { status: 'success', data: { id, active: false } } });
    const gone = await call('GET', `/webhooks/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error).toMatchObject({ code: 'NotFoundException', message: `Webhook (${id}) not found` });

    expect((await admin.stats()).requests).toMatchObject({
      'POST /v2/webhooks': 1,
      'GET /v2/webhooks': 1,
      'GET /v2/webhooks/{id}': 2,
      'PATCH /v2/webhooks/{id}': 1,
      'DELETE /v2/webhooks/{id}': 1,
    });
  });

  it('refuses a second webhook with the same subscriber URL for the user with 409 (user-webhooks.service.ts)', async () => {
    await subscribe('https://example.com/same');
    const again = await call('POST', '/webhooks', { subscriberUrl: 'https://example.com/same', triggers: [], active: false });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({ code: 'ConflictException', message: 'Webhook with this subscriber url already exists for this user' });
  });

  it('validates the body with the global pipe: unknown triggers fail @IsEnum, required properties, unknown keys dropped (webhook.input.ts)', async () => {
    const bad = await call('POST', '/webhooks', { subscriberUrl: 'https://example.com/x', triggers: ['BOOKING_CREATED', 'BOOKING_CONFIRMED'], active: true });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toBe('Bad Request Exception');
    expect(bad.body.error.details.errors).toEqual([
      expect.objectContaining({ property: 'triggers', constraints: { isEnum: `each value in triggers must be one of the following values: ${CALCOM_WEBHOOK_TRIGGERS.join(', ')}` } }),
    ]);

    const empty = await call('POST', '/webhooks', { name: 'dropped' });
    expect(empty.status).toBe(400);
    expect(empty.body.error.details.errors.map((e: any) => [e.property, Object.keys(e.constraints)])).toEqual([
      ['active', ['isBoolean']],
      ['subscriberUrl', ['isString']],
      ['triggers', ['isEnum', 'isArray']],
    ]);

    const extra = await call('POST', '/webhooks', { subscriberUrl: 'https://example.com/y', triggers: ['OOO_CREATED'], active: true, name: 'dropped' });
    expect(extra.status).toBe(201);
    expect(extra.body.data).not.toHaveProperty('name');

    const patch = await call('PATCH', `/webhooks/${extra.body.data.id}`, { active: 'yes' });
    expect(patch.status).toBe(400);
    expect(patch.body.error.details.errors[0].constraints).toEqual({ isBoolean: 'active must be a boolean value' });
  });

  it('pages with skip and take (SkipTakePagination: take 1..250, default 250)', async () => {
    for (const n of [1, 2, 3]) await subscribe(`https://example.com/${n}`);
    const page = await call('GET', '/webhooks?skip=1&take=1');
    expect(page.body.data.map((w: any) => w.subscriberUrl)).toEqual(['https://example.com/2']);
    const tooMany = await call('GET', '/webhooks?take=251');
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error.details.errors[0]).toMatchObject({ property: 'take', constraints: { max: 'take must not be greater than 250' } });
  });

  it('needs credentials: ApiAuthGuard answers 401 without them (api-auth.strategy.ts)', async () => {
    const res = await call('GET', '/webhooks', undefined, {});
    expect(res.status).toBe(401);
    expect(res.body.error.message).toBe(
      "ApiAuthStrategy - No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as 'x-cal-secret-key' and 'x-cal-client-id' headers",
    );
  });

  it('is cleared by POST /_sim/reset', async () => {
    await subscribe('https://example.com/reset');
    await admin.reset(true);
    expect((await call('GET', '/webhooks')).body.data).toEqual([]);
  });
});

// ---------------------------------------------------------------- deliveries

describe('deliveries (sendPayload.ts @008952de, WebhookService.ts @e26484e4, RegularBookingService.ts @368f82de)', () => {
  it('BOOKING_CREATED: signed compact body with the fixture shape, after the API answer', async () => {
    await admin.putEventType(allDay(1, { schedule: berlin, description: 'A haircut.' }));
    const hook = await startReceiver();
    await subscribe(hook.url);
    const booked = await book(1, '2025-10-27T10:00:00Z', { metadata: { crmLeadId: 'L-1234' }, bookingFieldsResponses: { notes: 'Looking forward to it' } });
    expect(booked.status).toBe(201);

    const r = await hook.request();
    expectSigned(r, SECRET);
    const { triggerEvent, createdAt, payload } = r.json;
    expect(triggerEvent).toBe('BOOKING_CREATED');
    expect(createdAt).toBe('2025-10-20T00:00:00.000Z'); // the simulator clock at send time
    const uid = booked.body.data.uid as string;
    // The same keys, in the same order, as Cal.com's delivery (fixture built from @4d51873).
    expect(Object.keys(payload)).toEqual(Object.keys(fixture('booking_created.json').payload));
    expect(payload).toMatchObject({
      title: 'Event 1 between Nameless and John Smith',
      startTime: '2025-10-27T10:00:00Z',
      endTime: '2025-10-27T10:30:00Z',
      additionalNotes: 'Looking forward to it',
      type: 'all-day-1',
      description: 'A haircut.',
      eventTypeId: 1,
      schedulingType: null,
      // utcOffset: the zone's offset at the booking's start (after Berlin's DST end, before New York's).
      organizer: { id: 7, name: 'Nameless', email: 'user7@example.com', timeZone: 'Europe/Berlin', language: { locale: 'en' }, timeFormat: 'h:mma', utcOffset: 60 },
      attendees: [{ email: 'john.smith@example.com', name: 'John Smith', firstName: '', lastName: '', timeZone: 'America/New_York', language: { locale: 'en' }, utcOffset: -240 }],
      responses: { name: { label: 'your_name', value: 'John Smith', isHidden: false }, notes: { value: 'Looking forward to it' }, location: { value: { optionValue: '', value: 'integrations:daily' } } },
      location: 'integrations:daily',
      iCalUID: `${uid}@Cal.com`,
      iCalSequence: 0,
      uid,
      length: 30,
      bookingId: booked.body.data.id,
      metadata: { videoCallUrl: `https://app.cal.com/video/${uid}`, crmLeadId: 'L-1234' },
      status: 'ACCEPTED',
    });
    expect(payload).not.toHaveProperty('team');
    expect(payload).not.toHaveProperty('rescheduleUid');
    // The attempt is logged once the subscriber has answered.
    await sim.webhooksIdle();
    expect(sim.deliveries()).toEqual([
      expect.objectContaining({ webhookId: expect.any(String), subscriberUrl: hook.url, triggerEvent: 'BOOKING_CREATED', uid, status: 200, ok: true }),
    ]);
  });

  it('signs with the literal no-secret-provided when the webhook has no secret (sendPayload.ts createWebhookSignature)', async () => {
    await admin.putEventType(allDay(1));
    const hook = await startReceiver();
    await subscribe(hook.url, { secret: undefined });
    await book(1, '2025-10-27T10:00:00Z');
    expectSigned(await hook.request(), null);
  });

  it('team event types carry team {name, members (the other hosts), id} and an UPPER_SNAKE schedulingType (handleNewBooking evt.team)', async () => {
    await admin.putEventType(
      allDay(2, {
        schedulingType: 'collective',
        teamId: 501,
        ownerId: 21,
        hosts: [
          { userId: 21, name: 'Avery Lee', username: 'avery' },
          { userId: 22, name: 'Jordan Kim', username: 'jordan' },
        ],
        team: { name: 'Consulting team' },
      }),
    );
    const hook = await startReceiver();
    await subscribe(hook.url);
    await book(2, '2025-10-27T15:00:00Z');
    const { payload } = (await hook.request()).json;
    expect(Object.keys(payload)).toEqual(Object.keys(fixture('booking_created_team_collective.json').payload));
    expect(payload.schedulingType).toBe('COLLECTIVE');
    expect(payload.organizer).toMatchObject({ id: 21, name: 'Avery Lee', username: 'avery' });
    expect(payload.team).toEqual({
      name: 'Consulting team',
      members: [{ id: 22, email: 'user22@example.com', name: 'Jordan Kim', firstName: '', lastName: '', timeZone: 'UTC', language: { locale: 'en' } }],
      id: 501,
    });
  });

  it('a reschedule sends BOOKING_RESCHEDULED only, for the new booking with the old one in reschedule* (RegularBookingService.ts webhookData)', async () => {
    await admin.putEventType(allDay(1));
    const hook = await startReceiver();
    await subscribe(hook.url);
    const first = await book(1, '2025-10-27T10:00:00Z');
    await hook.request(0);
    const moved = await call('POST', `/bookings/${first.body.data.uid}/reschedule`, { start: '2025-10-28T11:00:00Z', rescheduledBy: 'john.smith@example.com', reschedulingReason: 'Conflict' });
    expect(moved.status).toBe(201);

    const r = await hook.request(1);
    expectSigned(r, SECRET);
    const { triggerEvent, payload } = r.json;
    expect(triggerEvent).toBe('BOOKING_RESCHEDULED');
    const rescheduledKeys = Object.keys(fixture('booking_rescheduled.json').payload);
    expect(Object.keys(payload)).toEqual(rescheduledKeys);
    expect(payload).toMatchObject({
      uid: moved.body.data.uid,
      bookingId: moved.body.data.id,
      startTime: '2025-10-28T11:00:00Z',
      endTime: '2025-10-28T11:30:00Z',
      rescheduleId: first.body.data.id,
      rescheduleUid: first.body.data.uid,
      rescheduleStartTime: '2025-10-27T10:00:00Z',
      rescheduleEndTime: '2025-10-27T10:30:00Z',
      rescheduledBy: 'john.smith@example.com',
      iCalUID: `${first.body.data.uid}@Cal.com`,
      iCalSequence: 1,
      responses: { rescheduleReason: { label: 'reason_for_reschedule', isHidden: false, value: 'Conflict' } },
      metadata: { videoCallUrl: `https://app.cal.com/video/${moved.body.data.uid}` },
      status: 'ACCEPTED',
    });
    // Nothing else is scheduled or on the wire: no BOOKING_CANCELLED for the old booking.
    const { list, pending } = await deliveries(5000);
    expect(pending).toBe('0');
    expect(list.map((d) => d.triggerEvent)).toEqual(['BOOKING_CREATED', 'BOOKING_RESCHEDULED']);
    expect(hook.received).toHaveLength(2);
  });

  it('BOOKING_CANCELLED: +00:00 times, cancellationReason, cancelledBy, iCalSequence + 1, the fixture shape (handleCancelBooking.ts)', async () => {
    await admin.putEventType(allDay(1));
    const hook = await startReceiver();
    // Only cancellations: the booking itself sends nothing to this webhook (getWebhooks.ts: eventTriggers has the trigger).
    await subscribe(hook.url, { triggers: ['BOOKING_CANCELLED'] });
    const b = await book(1, '2025-10-27T10:00:00Z');
    const cancelled = await call('POST', `/bookings/${b.body.data.uid}/cancel`, { cancellationReason: 'No longer needed' });
    expect(cancelled.status).toBe(200);

    const r = await hook.request();
    expectSigned(r, SECRET);
    expect(r.json.triggerEvent).toBe('BOOKING_CANCELLED');
    const { payload } = r.json;
    expect(Object.keys(payload)).toEqual(Object.keys(fixture('booking_cancelled.json').payload));
    expect(payload).toMatchObject({
      uid: b.body.data.uid,
      bookingId: b.body.data.id,
      type: 'all-day-1',
      startTime: '2025-10-27T10:00:00+00:00',
      endTime: '2025-10-27T10:30:00+00:00',
      attendees: [{ name: 'John Smith', email: 'john.smith@example.com', timeZone: 'America/New_York', phoneNumber: null, language: { locale: 'en' }, utcOffset: -240 }],
      cancellationReason: 'No longer needed',
      iCalSequence: 1,
      status: 'CANCELLED',
      cancelledBy: 'user1@example.com',
    });
    expect(hook.received).toHaveLength(1);
  });

  it('sends nothing to inactive webhooks and only the subscribed triggers; PATCH active: true turns one on', async () => {
    await admin.putEventType(allDay(1));
    const created = await startReceiver();
    const inactive = await startReceiver();
    const cancelsOnly = await startReceiver();
    await subscribe(created.url, { triggers: ['BOOKING_CREATED'] });
    const off = await subscribe(inactive.url, { active: false });
    await subscribe(cancelsOnly.url, { triggers: ['BOOKING_CANCELLED'] });

    await book(1, '2025-10-27T10:00:00Z');
    await created.request(0);
    const { list, pending } = await deliveries(5000);
    expect(pending).toBe('0');
    expect(list.map((d) => d.subscriberUrl)).toEqual([created.url]);
    expect(inactive.received).toHaveLength(0);
    expect(cancelsOnly.received).toHaveLength(0);

    await call('PATCH', `/webhooks/${off.id}`, { active: true });
    await book(1, '2025-10-27T11:00:00Z');
    expect((await inactive.request(0)).json.triggerEvent).toBe('BOOKING_CREATED');
  });

  it('waits webhookDelayMs after the write (PUT /_sim/config)', async () => {
    await admin.putEventType(allDay(1));
    await admin.configure({ webhookDelayMs: 400 });
    const hook = await startReceiver();
    await subscribe(hook.url);
    const before = Date.now();
    await book(1, '2025-10-27T10:00:00Z');
    // Answered, not yet sent: the delivery is scheduled.
    const early = await deliveries();
    expect(early.list).toEqual([]);
    expect(early.pending).toBe('1');
    const r = await hook.request();
    expect(r.at - before).toBeGreaterThanOrEqual(400);
    await sim.webhooksIdle();
    expect(Date.parse(sim.deliveries()[0]!.sentAt) - before).toBeGreaterThanOrEqual(400);
  });

  it('records a failed delivery (connection refused, non-2xx) and never retries it (handleWebhookTrigger.ts: catch and log)', async () => {
    await admin.putEventType(allDay(1));
    const failing = await startReceiver(500);
    const closed = createServer();
    const { url: deadUrl } = await listen(closed, 0, '127.0.0.1');
    await closeServer(closed);
    await subscribe(failing.url);
    await subscribe(`${deadUrl}/gone`);

    await book(1, '2025-10-27T10:00:00Z');
    const { list, pending } = await deliveries(10_000);
    expect(pending).toBe('0');
    expect(list).toHaveLength(2);
    expect(list.find((d) => d.subscriberUrl === failing.url)).toMatchObject({ status: 500, ok: false });
    expect(list.find((d) => d.subscriberUrl === `${deadUrl}/gone`)).toMatchObject({ status: 0, ok: false, error: 'ECONNREFUSED' });
    // Nothing is left scheduled, so nothing can be retried; the failing subscriber saw one request.
    expect(failing.received).toHaveLength(1);

    const cleared = await fetch(`${sim.url}/_sim/webhook-deliveries`, { method: 'DELETE' });
    expect(await cleared.json()).toEqual([]);
    expect(sim.deliveries()).toEqual([]);
  });

  it('POST /_sim/bookings delivers too (the shared booking engine)', async () => {
    await admin.putEventType(allDay(1));
    const hook = await startReceiver();
    await subscribe(hook.url);
    const res = await fetch(`${sim.url}/_sim/bookings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ eventTypeId: 1, start: '2025-10-27T12:00:00Z' }) });
    expect(res.status).toBe(201);
    const { uid } = (await res.json()) as { uid: string };
    const r = await hook.request();
    expectSigned(r, SECRET);
    expect(r.json).toMatchObject({ triggerEvent: 'BOOKING_CREATED', payload: { uid, attendees: [{ name: 'Someone Else', email: 'someone.else@example.com' }] } });
  });
});

describe('signing matches Cal.com (test/fixtures/webhooks/signatures.tsv, sendPayload.ts createWebhookSignature)', () => {
  it('reproduces every vendored delivery signature over the compact body', () => {
    const lines = readFileSync(new URL('./fixtures/webhooks/signatures.tsv', import.meta.url), 'utf8')
      .split('\n')
      .filter((l) => l.trim() && !l.startsWith('#'));
    expect(lines.length).toBe(5);
    for (const line of lines) {
      const [file, signature] = line.split('\t') as [string, string];
      const parsed = fixture(file);
      const compact = JSON.stringify(parsed);
      expect(calcomWebhookSignature('whsec_fixture_secret_123', compact), file).toBe(signature);
      // The simulator's request for the same delivery: the same bytes, the same header.
      const sent = webhookRequest({ secret: 'whsec_fixture_secret_123' }, parsed.triggerEvent, parsed.createdAt, parsed.payload);
      expect(sent.body).toBe(compact);
      expect(sent.headers['X-Cal-Signature-256']).toBe(signature);
    }
  });
});
