/**
 * The system slotgraph replaces, as a client of the simulator: its alternative search ran five
 * strategies one after the other, each its own `GET /v2/slots` call, as the backend slotgraph replaces did;
 * a booking was one `POST /v2/bookings`; every call went through its fixed-window limiter.
 */
import type { DateTime } from 'luxon';
import type { Priority } from '../src/quota/scheduler.js';
import type { CalcomSimulator } from '../src/sim/server.js';
import { localDaysToRange, toCalcomWindow } from '../src/time.js';

/** What the old client needs of a simulator: its admin origin and its `/v2` base. */
export type SimUrls = Pick<CalcomSimulator, 'url' | 'apiUrl'>;

/** Calls the simulator's admin API. */
export async function admin(sim: Pick<CalcomSimulator, 'url'>, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}/_sim/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return res.json() as Promise<any>;
}

/** The simulator's counters since the last reset: every `/v2` call, and the `GET /v2/slots` calls among them. */
export async function countCalls(sim: Pick<CalcomSimulator, 'url'>): Promise<{ total: number; slots: number }> {
  const stats = await admin(sim, 'GET', 'stats');
  return { total: stats.total, slots: stats.requests['GET /v2/slots'] ?? 0 };
}

/** One `GET /v2/slots` for `days` local days from `first` in `zone`; resolves to Cal.com's body (`status` "success" or "error"). */
export function naiveSlots(sim: SimUrls, eventTypeId: number, first: DateTime, zone: string, days = 1): Promise<any> {
  const w = toCalcomWindow(localDaysToRange(first.toISODate()!, first.plus({ days: days - 1 }).toISODate()!, zone));
  return fetch(`${sim.apiUrl}/slots?eventTypeId=${eventTypeId}&start=${w.start}&end=${w.end}&timeZone=${zone}`, {
    headers: { 'cal-api-version': '2024-09-04', authorization: 'Bearer cal_bench_naive' },
  }).then((r) => r.json());
}

/** The free slot starts of a Cal.com slots body (`{data: {day: [{start}]}}`, any format), as UTC instants (ISO). */
export function slotStarts(body: any): string[] {
  const days = body?.data && typeof body.data === 'object' ? Object.values(body.data) : [];
  return days.flatMap((slots) => (Array.isArray(slots) ? slots : [])).map((s: { start: string }) => new Date(s.start).toISOString());
}

/** Cal.com's create-booking body (cal-api-version 2024-08-13), as far as the benchmarks send it. */
export interface BookingBody {
  eventTypeId: number;
  /** UTC instant (ISO). */
  start: string;
  attendee: { name: string; email?: string; phoneNumber?: string; timeZone: string; language?: string };
}

/** One `POST /v2/bookings` (cal-api-version 2024-08-13); resolves to the HTTP status and Cal.com's body. */
export async function naiveBook(sim: SimUrls, body: BookingBody): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sim.apiUrl}/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'cal-api-version': '2024-08-13', authorization: 'Bearer cal_bench_naive' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

/** How an upstream call is let through: runs `call` once admitted; resolves, after the call, to the ms waited before it went out. */
export type Gate = (priority: Priority, call: () => Promise<unknown>) => Promise<number>;

/** No limiter: every call goes out at once. */
const ungated: Gate = async (_priority, call) => (await call(), 0);

/** The old limiter: a count per fixed calendar window of `windowMs` ms; over `limit`, sleep until the next window. No priorities. */
export function fixedWindowGate(limit: number, windowMs: number): Gate {
  let window = -1;
  let count = 0;
  return async (_priority, call) => {
    const start = performance.now();
    for (;;) {
      const now = Date.now();
      const w = Math.floor(now / windowMs);
      if (w !== window) {
        window = w;
        count = 0;
      }
      if (count < limit) break;
      await new Promise((r) => setTimeout(r, (w + 1) * windowMs - now));
    }
    count += 1;
    const waited = performance.now() - start;
    await call();
    return waited;
  };
}

/** The old search's 7 windows for one wished day, in the order it asked them: first local day and number of days. */
export function naiveSearchWindows(wished: DateTime): Array<{ first: DateTime; days: number }> {
  return [
    { first: wished, days: 1 }, // same day, earlier
    { first: wished, days: 1 }, // same day, later
    ...[1, 2, 3].map((i) => ({ first: wished.plus({ days: i }), days: 1 })), // next workdays
    { first: wished.plus({ days: 7 }), days: 1 }, // same weekday next week
    { first: wished.plus({ days: 1 }), days: 7 }, // next available within 7 days
  ];
}

/** The old alternative search: its 7 calls in sequence for one wished day, each through `gate`; resolves to Cal.com's bodies. */
export async function naiveSearch(sim: SimUrls, eventTypeId: number, wished: DateTime, zone: string, gate: Gate = ungated): Promise<any[]> {
  const bodies: any[] = [];
  for (const { first, days } of naiveSearchWindows(wished)) await gate('interactive', async () => bodies.push(await naiveSlots(sim, eventTypeId, first, zone, days)));
  return bodies;
}
