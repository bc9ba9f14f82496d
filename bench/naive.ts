/**
 * The system slotgraph replaces, as a client of the simulator: its alternative search ran five
 * strategies one after the other, each its own `GET /v2/slots` call, as the backend slotgraph replaces did.
 */
import type { DateTime } from 'luxon';
import type { CalcomSimulator } from '../src/sim/server.js';
import { localDaysToRange, toCalcomWindow } from '../src/time.js';

/** Calls the simulator's admin API. */
export async function admin(sim: Pick<CalcomSimulator, 'url'>, method: string, path: string, body?: unknown) {
  const res = await fetch(`${sim.url}/_sim/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return res.json() as Promise<any>;
}

/** The simulator's counters since the last reset: every `/v2` call, and the `GET /v2/slots` calls among them. */
export async function countCalls(sim: CalcomSimulator): Promise<{ total: number; slots: number }> {
  const stats = await admin(sim, 'GET', 'stats');
  return { total: stats.total, slots: stats.requests['GET /v2/slots'] ?? 0 };
}

/** One `GET /v2/slots` for `days` local days from `first` in `zone`. */
export function naiveSlots(sim: CalcomSimulator, eventTypeId: number, first: DateTime, zone: string, days = 1) {
  const w = toCalcomWindow(localDaysToRange(first.toISODate()!, first.plus({ days: days - 1 }).toISODate()!, zone));
  return fetch(`${sim.apiUrl}/slots?eventTypeId=${eventTypeId}&start=${w.start}&end=${w.end}&timeZone=${zone}`, {
    headers: { 'cal-api-version': '2024-09-04', authorization: 'Bearer cal_bench_naive' },
  }).then((r) => r.json());
}

/** The old alternative search: 7 calls in sequence for one wished day. */
export async function naiveSearch(sim: CalcomSimulator, eventTypeId: number, wished: DateTime, zone: string) {
  await naiveSlots(sim, eventTypeId, wished, zone); // same day, earlier
  await naiveSlots(sim, eventTypeId, wished, zone); // same day, later
  for (let i = 1; i <= 3; i++) await naiveSlots(sim, eventTypeId, wished.plus({ days: i }), zone); // next workdays
  await naiveSlots(sim, eventTypeId, wished.plus({ days: 7 }), zone); // same weekday next week
  await naiveSlots(sim, eventTypeId, wished.plus({ days: 1 }), zone, 7); // next available within 7 days
}
