/**
 * The answer cache (src/answer-cache.ts): a warm slot query asked again is answered from its kept
 * answer, and never once the data it was built from changed — on this instance or another (one
 * Redis), by invalidation or by age — nor for a caller whose scopes differ, nor when it had errors.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../src/security/tenants.js';
import { prepareSalons, startStack, startStore, type Stack } from './support/stack.js';

const NOW = '2025-10-20T08:01:00Z'; // a Monday, 10:01 in Berlin
const DAY = '2025-10-22';
const WEEK = `query Week($start: LocalDate!, $end: LocalDate!) { availability(eventTypeId: 1, start: $start, end: $end, timeZone: "Europe/Berlin") { stale fetchedAt days { date slots { start localTime } } } }`;
const week = (stack: Stack, start = DAY, end = '2025-10-24') => stack.post(WEEK, { start, end });
const slotCalls = async (stack: Stack) => (await stack.admin.stats()).requests['GET /v2/slots'] ?? 0;

/** The answer cache's lookups so far by result (`slotgraph_answer_cache_lookups_total`). */
async function lookups(stack: Stack): Promise<Record<string, number>> {
  const metric = stack.gateway.metrics.registry.getSingleMetric('slotgraph_answer_cache_lookups_total')!;
  const out: Record<string, number> = { hit: 0, miss: 0, invalid: 0 };
  for (const v of (await metric.get()).values) out[String(v.labels.result)] = (out[String(v.labels.result)] ?? 0) + v.value;
  return out;
}

const starts = (answer: any): string[] => answer.data.availability.days.flatMap((d: any) => d.slots.map((s: any) => s.start));

describe('the answer cache', () => {
  it('answers a repeated warm query from its kept answer: the same JSON, no upstream call, counted as bucket hits', async () => {
    const stack = await startStack({ now: () => Date.parse(NOW) });
    await prepareSalons(stack, NOW);
    const cold = await week(stack);
    const warm = await week(stack); // computed from fresh buckets: kept
    const hits0 = stack.gateway.services.slotCache.stats().bucketHits;
    const again = await week(stack);
    expect(warm).toEqual(cold);
    expect(again).toEqual(cold);
    expect(starts(again).length).toBeGreaterThan(10);
    expect(await slotCalls(stack)).toBe(1);
    expect(await lookups(stack)).toEqual({ hit: 1, miss: 2, invalid: 0 });
    // The hit still counts its buckets (the slot cache's hit rate stays true).
    expect(stack.gateway.services.slotCache.stats().bucketHits).toBeGreaterThan(hits0);
    // Other variables are another answer.
    expect(starts(await week(stack, DAY, DAY)).length).toBeLessThan(starts(cold).length);
  });

  it('never serves a kept answer after a booking on another instance (one Redis) took a slot', async () => {
    const store = await startStore('redis');
    const a = await startStack({ store, now: () => Date.parse(NOW) });
    const b = await startStack({ store, sim: a.sim, now: () => Date.parse(NOW) });
    await prepareSalons(a, NOW);
    await week(a);
    const kept = await week(a);
    expect((await week(a)).data).toEqual(kept.data);
    const taken = starts(kept)[0]!;
    const booked = await b.post(
      `mutation($input: CreateBookingInput!) { createBooking(input: $input) { __typename ... on Error { message } } }`,
      { input: { eventTypeId: 1, start: taken, attendee: { name: 'A', email: 'a@example.com', timeZone: 'Europe/Berlin' }, idempotencyKey: randomUUID() } },
    );
    expect(booked.data.createBooking.__typename).toBe('Booking');
    const after = await week(a);
    expect(starts(after)).not.toContain(taken);
    expect(starts(after).length).toBe(starts(kept).length - 1);
    expect((await lookups(a)).invalid).toBe(1);
  });

  it('never serves a kept answer past its buckets\' fresh TTL: the next answer says stale', async () => {
    let clock = Date.parse(NOW);
    const stack = await startStack({ now: () => clock, slotCache: { freshTtlMs: 30_000 } });
    await prepareSalons(stack, NOW);
    await week(stack);
    expect((await week(stack)).data.availability.stale).toBe(false);
    expect((await week(stack)).data.availability.stale).toBe(false); // from the answer cache
    clock += 30_001;
    expect((await week(stack)).data.availability.stale).toBe(true);
    expect(await lookups(stack)).toEqual({ hit: 1, miss: 2, invalid: 1 });
    await stack.gateway.services.slotCache.settled();
  });

  it('keeps `alternatives` only until the wished start passes', async () => {
    let clock = Date.parse(NOW);
    const stack = await startStack({ now: () => clock, slotCache: { freshTtlMs: 3_600_000 } });
    await prepareSalons(stack, NOW);
    const ask = () =>
      stack.post(`{ alternatives(eventTypeId: 1, wishedStart: "2025-10-20T08:05:00Z", timeZone: "Europe/Berlin") { wishInPast alternatives { slot { start } } } }`);
    await ask();
    expect((await ask()).data.alternatives.wishInPast).toBe(false);
    expect((await ask()).data.alternatives.wishInPast).toBe(false); // kept
    clock = Date.parse('2025-10-20T08:06:00Z');
    expect((await ask()).data.alternatives.wishInPast).toBe(true);
    expect(await lookups(stack)).toEqual({ hit: 1, miss: 2, invalid: 1 });
  });

  it('keeps no answer with errors, and serves none to a caller whose scopes differ', async () => {
    const reader = 'tok_answer_reader_0123';
    const booker = 'tok_answer_booker_0123';
    const sim = (await startStack()).sim;
    const stack = await startStack({
      sim,
      now: () => Date.parse(NOW),
      auth: { allowAnonymous: false },
      tenants: [
        {
          id: 'salon',
          calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_answer_key' },
          webhookSecrets: [],
          clients: [
            { name: 'reader', tokenSha256: hashToken(reader), scopes: ['availability:read'] },
            { name: 'booker', tokenSha256: hashToken(booker), scopes: ['bookings:write'] },
          ],
        },
      ],
    });
    await prepareSalons(stack, NOW);
    const send = (token: string, query: string) =>
      fetch(stack.gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify({ query }) }).then(
        async (r) => ({ status: r.status, body: (await r.json()) as any }),
      );
    const field = (id: number) => `availability(eventTypeId: ${id}, start: "${DAY}", end: "${DAY}", timeZone: "Europe/Berlin") { days { slots { start } } }`;
    const query = `{ ${field(1)} }`;
    await send(reader, query); // fetched
    await send(reader, query); // from fresh buckets: kept
    expect((await send(reader, query)).body.errors).toBeUndefined();
    expect((await lookups(stack)).hit).toBe(1);
    const refused = await send(booker, query);
    expect(refused.status).toBe(403);
    expect(refused.body.errors[0].extensions.code).toBe('FORBIDDEN');

    const partial = `{ a: ${field(1)} missing: ${field(999)} }`;
    for (let i = 0; i < 3; i++) {
      const res = await send(reader, partial);
      expect(res.body.data.a.days).toHaveLength(1);
      expect(res.body.errors[0].extensions.code).toBe('NOT_FOUND');
    }
    expect((await lookups(stack)).hit).toBe(1); // none for the answer with an error
  });
});
