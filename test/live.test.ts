/**
 * Live availability end to end: Cal.com webhooks (signed by the simulator, or crafted and signed
 * here) → per-host invalidation → change events on every instance → graphql-ws and SSE
 * subscribers; forged and replayed deliveries change nothing; the published fixtures verify.
 */
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { createClient as createSseClient } from 'graphql-sse';
import WebSocket from 'ws';
import { graphql } from './gql/index.js';
import { onCleanup, prepareSalons, startStack, startStore, uniquePrefix, until, type Stack } from './support/stack.js';
import { signCalcomBody, verifyCalcomSignature } from '../src/webhooks/verify.js';
import type { SlotChange } from '../src/changes.js';

const SlotsChanged = graphql(`
  subscription SlotsChanged($eventTypeId: Int!, $start: LocalDate, $end: LocalDate, $timeZone: TimeZone) {
    slotsChanged(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {
      eventTypeId
      reason
      affectedDates
      occurredAt
    }
  }
`);

const AvailabilityLive = graphql(`
  subscription AvailabilityLive($eventTypeId: Int!, $start: LocalDate!, $end: LocalDate!, $timeZone: TimeZone!) {
    availabilityLive(eventTypeId: $eventTypeId, start: $start, end: $end, timeZone: $timeZone) {
      days {
        date
        slots {
          start
        }
      }
    }
  }
`);

const Day = graphql(`
  query LiveDay($eventTypeId: Int!, $date: LocalDate!) {
    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: "Europe/Berlin") {
      days {
        slots {
          start
        }
      }
    }
  }
`);

const NOW = '2025-10-20T00:00:00Z';
const SECRET = 'whsec_slotgraph_test_secret';
/** Wednesday 2025-10-22, 10:00 Berlin (CEST). */
const SLOT = '2025-10-22T08:00:00.000Z';
const window = { eventTypeId: 1, start: '2025-10-22', end: '2025-10-22', timeZone: 'Europe/Berlin' };

/** Event type 1 (60 min) and 2 (30 min) of user 7, open 09:00-17:00 Berlin every day, on the clock at NOW. */
const prepare = (stack: Stack) => prepareSalons(stack, NOW);

const live = (overrides: Parameters<typeof startStack>[0] = {}) =>
  startStack({ now: () => Date.parse(NOW), webhooks: { secrets: [SECRET], revalidateDelayMs: null }, livePollMs: 0, ...overrides });

const slotStarts = async (stack: Stack, eventTypeId: number) =>
  (await stack.client.request(Day, { eventTypeId, date: '2025-10-22' })).availability!.days[0]!.slots.map((s) => s.start);
const slotCalls = async (stack: Stack) => (await stack.admin.stats()).requests['GET /v2/slots'] ?? 0;

/** A Cal.com delivery of `trigger` for a booking of event type 1 by user 7 at SLOT, signed with `secret`. */
function delivery(trigger: string, overrides: Record<string, unknown> = {}, secret = SECRET) {
  const body = JSON.stringify({
    triggerEvent: trigger,
    createdAt: new Date().toISOString(),
    payload: { uid: `b-${randomUUID()}`, bookingId: 1, eventTypeId: 1, type: 'salon-1', startTime: '2025-10-22T08:00:00Z', endTime: '2025-10-22T09:00:00Z', organizer: { id: 7, name: 'Host' }, attendees: [], ...overrides },
  });
  return { body, signature: signCalcomBody(body, secret) };
}

const post = (stack: Stack, body: string, headers: Record<string, string>) =>
  fetch(`${stack.gateway.url}/webhooks/calcom`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

/** Collects a subscription's events; `next()` resolves with the next one. */
function collector<T>() {
  const queue: T[] = [];
  const waiters: Array<(v: T) => void> = [];
  return {
    push(v: T) {
      const w = waiters.shift();
      if (w) w(v);
      else queue.push(v);
    },
    next(): Promise<T> {
      const v = queue.shift();
      return v !== undefined ? Promise.resolve(v) : new Promise((resolve) => waiters.push(resolve));
    },
    get pending() {
      return queue.length;
    },
  };
}

function wsClient(stack: Stack): WsClient {
  const client = createWsClient({ url: stack.gateway.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, lazy: false });
  onCleanup(async () => {
    await client.dispose();
  });
  return client;
}

let stack: Stack;
beforeEach(async () => {
  stack = await live();
  await prepare(stack);
});

describe('the published fixtures', () => {
  it('verify with their published signatures (our HMAC is Cal.com’s)', () => {
    const lines = readFileSync(new URL('./fixtures/webhooks/signatures.tsv', import.meta.url), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBe(5);
    for (const line of lines) {
      const [file, signature] = line.split('\t') as [string, string];
      const compact = JSON.stringify(JSON.parse(readFileSync(new URL(`./fixtures/webhooks/${file}`, import.meta.url), 'utf8')));
      expect(signCalcomBody(compact, 'whsec_fixture_secret_123'), file).toBe(signature);
      expect(verifyCalcomSignature(Buffer.from(compact), signature, ['another-secret', 'whsec_fixture_secret_123'])).toBe(true);
      expect(verifyCalcomSignature(Buffer.from(compact), signature, ['another-secret'])).toBe(false);
    }
  });

  it('are understood by the receiver: the reschedule frees the old time and takes the new one', async () => {
    const secret = 'whsec_fixture_secret_123';
    const fixtureStack = await live({ webhooks: { secrets: [secret], revalidateDelayMs: null } });
    const send = async (file: string) => {
      const compact = JSON.stringify(JSON.parse(readFileSync(new URL(`./fixtures/webhooks/${file}`, import.meta.url), 'utf8')));
      const res = await post(fixtureStack, compact, { 'x-cal-signature-256': signCalcomBody(compact, secret) });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect(await send('booking_created.json')).toMatchObject({ status: 200, body: { status: 'ok', eventTypeIds: [1473920], days: ['2025-10-21'] } });
    expect(await send('booking_rescheduled.json')).toMatchObject({ status: 200, body: { status: 'ok', days: ['2025-10-21', '2025-10-23'] } });
    expect(await send('booking_cancelled.json')).toMatchObject({ status: 200, body: { status: 'ok' } });
    expect((await send('booking_created_team_collective.json')).status).toBe(200);
    expect((await send('booking_requested.json')).status).toBe(200);
  });
});

describe('deliveries that must change nothing', () => {
  it('refuses forged, unsigned, malformed, unknown, oversized and replayed deliveries: cache untouched, no event', async () => {
    expect(await slotStarts(stack, 1)).toContain(SLOT); // cached, with its sibling
    expect(await slotStarts(stack, 2)).toContain(SLOT);
    await stack.gateway.services.eventTypes.settled(); // both hosts learned
    const feed = stack.gateway.services.changes.subscribe(1);
    const first = feed.next();
    await stack.gateway.services.changes.ready();

    const good = delivery('BOOKING_CREATED');
    const answers: Array<[string, number]> = [];
    const send = async (label: string, body: string, headers: Record<string, string>) => answers.push([label, (await post(stack, body, headers)).status]);
    await send('forged', good.body, { 'x-cal-signature-256': signCalcomBody(good.body, 'not-the-secret') });
    await send('unsigned', good.body, {});
    await send('no-secret-provided', good.body, { 'x-cal-signature-256': 'no-secret-provided' });
    await send('tampered', good.body.replace('08:00:00Z', '09:00:00Z'), { 'x-cal-signature-256': good.signature });
    const notJson = 'triggerEvent=BOOKING_CREATED';
    await send('not JSON', notJson, { 'x-cal-signature-256': signCalcomBody(notJson, SECRET) });
    const shapeless = JSON.stringify({ triggerEvent: 'BOOKING_CREATED', createdAt: 'x', payload: { uid: 'u' } });
    await send('malformed', shapeless, { 'x-cal-signature-256': signCalcomBody(shapeless, SECRET) });
    const unknown = delivery('BOOKING_TELEPORTED');
    await send('unknown trigger', unknown.body, { 'x-cal-signature-256': unknown.signature });
    const huge = delivery('BOOKING_CREATED', { description: 'x'.repeat(300 * 1024) });
    await send('oversized', huge.body, { 'x-cal-signature-256': huge.signature });
    expect(answers).toEqual([
      ['forged', 401],
      ['unsigned', 401],
      ['no-secret-provided', 401],
      ['tampered', 401],
      ['not JSON', 400],
      ['malformed', 400],
      ['unknown trigger', 400],
      ['oversized', 413],
    ]);
    // A known trigger without effect on slots is acknowledged and ignored.
    const started = delivery('MEETING_STARTED');
    expect(await (await post(stack, started.body, { 'x-cal-signature-256': started.signature })).json()).toEqual({ status: 'ignored', trigger: 'MEETING_STARTED' });

    await stack.admin.clearStats();
    expect(await slotStarts(stack, 1)).toContain(SLOT);
    expect(await slotCalls(stack)).toBe(0); // nothing was invalidated

    // The genuine delivery acts once; its replay does nothing.
    expect((await (await post(stack, good.body, { 'x-cal-signature-256': good.signature })).json()) as object).toMatchObject({ status: 'ok', eventTypeIds: [1, 2] });
    expect(await (await post(stack, good.body, { 'x-cal-signature-256': good.signature })).json()).toEqual({ status: 'duplicate' });
    // The first event is the genuine one; a sentinel published after the replay comes next, so the replay published nothing.
    await stack.gateway.services.changes.publish({ eventTypeId: 1, reason: 'revalidated', days: [], ranges: [], at: 0 });
    expect((await first).value).toMatchObject({ reason: 'booking.created', eventTypeId: 1 });
    expect((await feed.next()).value).toMatchObject({ reason: 'revalidated', at: 0 });
    await feed.return!();
  });
});

describe('two instances on one Redis', () => {
  it('a booking at Cal.com, delivered to instance A, reaches graphql-ws and SSE subscribers on B once each; no stale read after the acknowledgement', async () => {
    const keyPrefix = uniquePrefix();
    const a = await live({ store: await startStore('redis', keyPrefix) });
    const b = await live({ sim: a.sim, store: await startStore('redis', keyPrefix) });
    await prepare(a);
    // Cal.com (the simulator) delivers booking webhooks to instance A only.
    await fetch(`${a.sim.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: 'Bearer cal_test_key', 'content-type': 'application/json' },
      body: JSON.stringify({ subscriberUrl: `${a.gateway.url}/webhooks/calcom`, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED', 'BOOKING_RESCHEDULED'], secret: SECRET, active: true }),
    });
    for (const instance of [a, b]) for (const id of [1, 2]) expect(await slotStarts(instance, id)).toContain(SLOT);

    const wsEvents = collector<any>();
    const ws = wsClient(b);
    const stopWs = ws.subscribe({ query: print(SlotsChanged), variables: window }, { next: (v) => wsEvents.push(v), error: () => {}, complete: () => {} });
    const sseEvents = collector<any>();
    const sse = createSseClient({ url: b.gateway.graphqlUrl, retryAttempts: 0 });
    onCleanup(async () => {
      sse.dispose();
    });
    const stopSse = sse.subscribe({ query: print(SlotsChanged), variables: window }, { next: (v) => sseEvents.push(v), error: () => {}, complete: () => {} });
    await until(() => b.gateway.services.changes.active(1) === 2);
    await b.gateway.services.changes.ready();

    await a.admin.addBooking(1, SLOT); // someone books at Cal.com
    const [wsEvent, sseEvent] = await Promise.all([wsEvents.next(), sseEvents.next()]);
    for (const event of [wsEvent, sseEvent]) {
      expect(event.data.slotsChanged).toMatchObject({ eventTypeId: 1, reason: 'BOOKING_CREATED', affectedDates: ['2025-10-22'] });
    }
    // Acknowledged by A before the events went out: every read after it, on either instance, is fresh.
    const deliveries = (await (await fetch(`${a.sim.url}/_sim/webhook-deliveries`)).json()) as Array<{ status: number }>;
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    for (const instance of [a, b]) {
      expect(await slotStarts(instance, 1)).not.toContain(SLOT);
      expect((await slotStarts(instance, 2)).filter((s) => s >= SLOT && s < '2025-10-22T09:00:00.000Z')).toEqual([]);
    }
    // Exactly once: the next event each subscriber sees is a later one.
    await a.gateway.services.changes.publish({ eventTypeId: 1, reason: 'revalidated', days: ['2025-10-22'], ranges: [], at: 1 });
    const [wsNext, sseNext] = await Promise.all([wsEvents.next(), sseEvents.next()]);
    expect(wsNext.data.slotsChanged.reason).toBe('REVALIDATED');
    expect(sseNext.data.slotsChanged.reason).toBe('REVALIDATED');
    stopWs();
    stopSse();
    await until(() => b.gateway.services.changes.active(1) === 0);
  });
});

describe('a booking made through slotgraph', () => {
  it('is announced once: Cal.com’s webhook for it finds it applied already', async () => {
    await fetch(`${stack.sim.apiUrl}/webhooks`, {
      method: 'POST',
      headers: { authorization: 'Bearer cal_test_key', 'content-type': 'application/json' },
      body: JSON.stringify({ subscriberUrl: `${stack.gateway.url}/webhooks/calcom`, triggers: ['BOOKING_CREATED'], secret: SECRET, active: true }),
    });
    await stack.admin.configure({ webhookDelayMs: 300 }); // the webhook comes well after the mutation's answer
    const feed = stack.gateway.services.changes.subscribe(1);
    const first = feed.next();
    await stack.gateway.services.changes.ready();
    const booked = await stack.post(
      `mutation($input: CreateBookingInput!) { createBooking(input: $input) { __typename } }`,
      { input: { eventTypeId: 1, start: SLOT, attendee: { name: 'A', email: 'a@example.com', timeZone: 'Europe/Berlin' }, idempotencyKey: randomUUID() } },
    );
    expect(booked.data.createBooking.__typename).toBe('Booking');
    expect((await first).value).toMatchObject({ reason: 'booking.created' });
    expect(await slotStarts(stack, 1)).not.toContain(SLOT); // read again (refilled) before the webhook arrives
    const invalidated = stack.gateway.services.slotCache.stats().invalidatedBuckets;
    const deliveries = (await (await fetch(`${stack.sim.url}/_sim/webhook-deliveries?wait=5000`)).json()) as Array<{ status: number }>;
    expect(deliveries.map((d) => d.status)).toEqual([200]);
    expect(stack.gateway.services.slotCache.stats().invalidatedBuckets).toBe(invalidated); // the webhook invalidated nothing
    await stack.gateway.services.changes.publish({ eventTypeId: 1, reason: 'revalidated', days: [], ranges: [], at: 0 });
    expect((await feed.next()).value).toMatchObject({ reason: 'revalidated', at: 0 });
    await feed.return!();
  });
});

describe('availabilityLive', () => {
  it('answers at once, then again after each change in the window; five subscribers cost one upstream refresh', async () => {
    const ws = wsClient(stack);
    const streams = Array.from({ length: 5 }, () => {
      const events = collector<any>();
      const stop = ws.subscribe({ query: print(AvailabilityLive), variables: window }, { next: (v) => events.push(v), error: () => {}, complete: () => {} });
      return { events, stop };
    });
    const firsts = await Promise.all(streams.map((s) => s.events.next()));
    for (const first of firsts) expect(first.data.availabilityLive.days[0].slots.map((s: any) => s.start)).toContain(SLOT);
    await until(() => stack.gateway.services.changes.active(1) === 5);
    await stack.admin.clearStats();

    const booked = delivery('BOOKING_CREATED');
    await stack.admin.addBooking(1, SLOT); // at Cal.com; the webhook tells slotgraph
    expect((await post(stack, booked.body, { 'x-cal-signature-256': booked.signature })).status).toBe(200);
    const seconds = await Promise.all(streams.map((s) => s.events.next()));
    for (const second of seconds) expect(second.data.availabilityLive.days[0].slots.map((s: any) => s.start)).not.toContain(SLOT);
    expect(await slotCalls(stack)).toBe(1);
    for (const s of streams) s.stop();
    await until(() => stack.gateway.services.changes.active(1) === 0);
  });

  it('catches what no webhook says by re-polling (background priority), and stays quiet when nothing changed', async () => {
    const started = Date.now();
    const polling = await live({ livePollMs: 150, now: () => Date.parse(NOW) + (Date.now() - started) }); // a clock that moves
    await prepare(polling);
    const events = collector<any>();
    const ws = wsClient(polling);
    const stop = ws.subscribe({ query: print(AvailabilityLive), variables: window }, { next: (v) => events.push(v), error: () => {}, complete: () => {} });
    expect((await events.next()).data.availabilityLive.days[0].slots.map((s: any) => s.start)).toContain(SLOT);
    await polling.admin.addBooking(1, SLOT); // no webhook registered: only a re-poll can see it
    const next = await events.next();
    expect(next.data.availabilityLive.days[0].slots.map((s: any) => s.start)).not.toContain(SLOT);
    const calls = await slotCalls(polling);
    await until(async () => (await slotCalls(polling)) >= calls + 2); // two more polls, nothing new
    expect(events.pending).toBe(0);
    stop();
  });

  it('re-reads after a webhook that outran Cal.com, and reports what the re-read found', async () => {
    const started = Date.now();
    const revalidating = await live({
      webhooks: { secrets: [SECRET], revalidateDelayMs: 60_000 }, // run by flush() below
      now: () => Date.parse(NOW) + (Date.now() - started), // a clock that moves: reads after an invalidation are kept
    });
    await prepare(revalidating);
    const events = collector<SlotChange>();
    const feed = revalidating.gateway.services.changes.subscribe(1);
    void (async () => {
      for await (const change of feed) events.push(change);
    })();
    await revalidating.gateway.services.changes.ready();
    expect(await slotStarts(revalidating, 1)).toContain(SLOT);
    // The webhook arrives; a read right after it still sees the slot (Cal.com has not caught up) ...
    const early = delivery('BOOKING_CREATED');
    expect((await post(revalidating, early.body, { 'x-cal-signature-256': early.signature })).status).toBe(200);
    expect((await events.next()).reason).toBe('booking.created');
    expect(await slotStarts(revalidating, 1)).toContain(SLOT);
    // ... then Cal.com shows the booking, and the delayed re-read finds it.
    await revalidating.admin.addBooking(1, SLOT);
    await revalidating.gateway.webhooks.flush();
    expect(await events.next()).toMatchObject({ reason: 'revalidated', days: ['2025-10-22'] });
    expect(await slotStarts(revalidating, 1)).not.toContain(SLOT);
    await feed.return!();
  });
});

describe('graphql-ws operations', () => {
  it('get a signal: a subscription ends its change feed when the client goes away', async () => {
    const ws = wsClient(stack);
    const stop = ws.subscribe({ query: print(SlotsChanged), variables: window }, { next: () => {}, error: () => {}, complete: () => {} });
    await until(() => stack.gateway.services.changes.active(1) === 1);
    stop();
    await until(() => stack.gateway.services.changes.active(1) === 0);
    const other = wsClient(stack);
    other.subscribe({ query: print(SlotsChanged), variables: window }, { next: () => {}, error: () => {}, complete: () => {} });
    await until(() => stack.gateway.services.changes.active(1) === 1);
    await other.dispose();
    await until(() => stack.gateway.services.changes.active(1) === 0);
  });
});
