/**
 * The alternatives search over the slot cache: the search window for a wish (the wished local day
 * to max(searchDays, 7) days later, cut at the horizon), read in one load, ranked by
 * {@link searchAlternatives}. Used by the `alternatives` query and by booking mutations whose slot
 * turned out to be taken.
 */
import type { DateTime } from 'luxon';
import type { SlotRequest, SlotResult } from '../loaders/index.js';
import { gridZoneOf, horizonDate, localDaysToRange, type LocalSlot } from '../time.js';
import { searchAlternatives, type Alternative } from './search.js';

export interface AlternativesQuery {
  eventTypeId: number;
  /** Slot length in minutes; omitted = the event type's default. */
  duration?: number;
  /** The wished start. */
  wished: DateTime;
  /** The caller's IANA zone (canonical spelling). */
  zone: string;
  limit: number;
  searchDays: number;
  /** Label locale (src/alternatives/labels.ts). */
  locale: string;
  /** The gateway's clock, ms since the epoch. */
  now: number;
  /** A start (ms) never to offer: a slot Cal.com just refused. */
  excludeStartMs?: number;
}

export interface AlternativesAnswer {
  wishedSlot: LocalSlot | null;
  alternatives: Alternative[];
  wishInPast: boolean;
  /** The wished local day and the last one searched, `YYYY-MM-DD` in `zone`. */
  searchedFrom: string;
  searchedTo: string;
  stale: boolean;
  /** ms since the epoch. */
  fetchedAt: number;
}

/** Reads the search window through `load` (one slot request) and ranks what is free. */
export async function findAlternatives(load: (request: SlotRequest) => Promise<SlotResult>, q: AlternativesQuery): Promise<AlternativesAnswer> {
  const from = q.wished.setZone(q.zone).startOf('day');
  const searchedFrom = from.toISODate()!;
  const wantedTo = from.plus({ days: Math.max(q.searchDays, 7) }).toISODate()!;
  const horizon = horizonDate(q.now, q.zone);
  const searchedTo = wantedTo > horizon ? horizon : wantedTo;
  const window = await load({
    eventTypeId: q.eventTypeId,
    range: localDaysToRange(searchedFrom, searchedTo, q.zone),
    gridZone: gridZoneOf(q.zone, q.now),
    ...(q.duration !== undefined ? { duration: q.duration } : {}),
  });
  const slots = q.excludeStartMs === undefined ? window.slots : window.slots.filter((s) => s.start !== q.excludeStartMs);
  const { wishedSlot, alternatives } = searchAlternatives({ slots, wished: q.wished, zone: q.zone, limit: q.limit, searchDays: q.searchDays, locale: q.locale });
  return {
    wishedSlot,
    alternatives,
    wishInPast: q.wished.toMillis() < q.now,
    searchedFrom,
    searchedTo,
    stale: window.stale,
    fetchedAt: window.fetchedAt,
  };
}
