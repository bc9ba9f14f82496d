/** Secrets stay out of the logs: the API key never appears, whatever fails; expected failures carry no stack trace. */
import { describe, expect, it } from 'vitest';
import { DateTime } from 'luxon';
import { expectedError } from '../src/errors.js';
import { QuotaExhaustedError } from '../src/quota/scheduler.js';
import { startGateway } from '../src/server.js';
import { withoutStackTrace } from '../src/stackless.js';
import { createMemoryStore } from '../src/store/index.js';
import { DEMO } from '../src/sim/demo.js';
import { capturingLog, onCleanup, simAdmin, startSimulator } from './support/stack.js';

describe('logs', () => {
  it('never contain the Cal.com API key, through upstream failures, 429s and timeouts', async () => {
    const { log, lines } = capturingLog();
    const sim = await startSimulator();
    const admin = simAdmin(sim);
    const apiKey = 'cal_live_secret_0123456789';
    const gateway = await startGateway({ port: 0, calcom: { apiUrl: sim.apiUrl, apiKey, timeoutMs: 200 }, store: createMemoryStore(), log });
    onCleanup(() => gateway.close());
    const ask = (query: string) =>
      fetch(gateway.graphqlUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }) }).then((r) => r.json());

    await admin.configure({ errorRate: 1 });
    await ask(`{ eventType(id: ${DEMO.haircut}) { id } }`);
    await admin.configure({ errorRate: 0, latencyMs: { min: 500, max: 500 } });
    await ask(`{ eventType(id: ${DEMO.cutAndColour}) { id } }`);
    await admin.configure({ latencyMs: { min: 0, max: 0 }, rateLimit: { limit: 1, windowMs: 60_000, blockMs: 60_000 } });
    // Another client of the same key spends its budget at Cal.com, so the gateway's next call is a 429.
    for (let i = 0; i < 2; i++) await fetch(`${sim.apiUrl}/event-types/${DEMO.haircut}`, { headers: { authorization: `Bearer ${apiKey}`, 'cal-api-version': '2024-06-14' } });
    const inTenDays = DateTime.utc().plus({ days: 10 }).toISODate()!;
    await ask(`{ a: availability(eventTypeId: ${DEMO.haircut}, start: "${inTenDays}", end: "${inTenDays}", timeZone: "UTC") { stale } }`);

    // The failures were logged (so the check below looked at something), without the key.
    const all = lines.join('');
    expect(all).toContain('upstream call failed');
    expect(all).toContain('Cal.com answered 429');
    expect(all).not.toContain(apiKey);
    expect(all).not.toContain('secret_0123456789');
  });
});

describe('stack traces', () => {
  it('expected failures carry only their header line; stack capture is restored for everything else', () => {
    const limit = Error.stackTraceLimit;
    const refusal = new QuotaExhaustedError(7, 'deadline');
    expect(refusal.stack).toBe(`QuotaExhaustedError: ${refusal.message}`);
    expect(expectedError('no such event type', { extensions: { code: 'NOT_FOUND' } }).stack).toBe('GraphQLError: no such event type');
    expect(() => withoutStackTrace(() => {
      throw new Error('inside');
    })).toThrow('inside');
    expect(Error.stackTraceLimit).toBe(limit);
    // A bug's error still has its frames.
    expect(new Error('a bug').stack!.split('\n').length).toBeGreaterThan(1);
  });
});
