/**
 * Slot change events: what changed at Cal.com, as far as slotgraph knows, so that live
 * subscriptions can tell callers. Published after every mutation that changes availability (and,
 * later, for every Cal.com webhook), through the store's pub/sub so every instance sees them.
 */
import type { Store } from './store/store.js';

/** Why availability changed. */
export type SlotChangeReason =
  | 'booking.created'
  | 'booking.cancelled'
  | 'booking.rescheduled'
  | 'reservation.created'
  | 'reservation.released'
  /** Cal.com refused a booking or reservation: the slot was taken behind slotgraph's back. */
  | 'slot.taken';

/** One change: the event types whose slots changed, on which UTC days. */
export interface SlotChange {
  reason: SlotChangeReason;
  /** Every event type whose slot buckets were invalidated (all event types of the hosts involved). */
  eventTypeIds: number[];
  /** UTC days `YYYY-MM-DD` whose slots changed. */
  days: string[];
  /** The interval that changed (UTC instants, ms since the epoch). */
  startMs: number;
  endMs: number;
  /** When slotgraph learned of it (ms since the epoch). */
  at: number;
}

export interface ChangeFeed {
  publish(change: SlotChange): Promise<void>;
  /** @returns a function that ends the subscription. */
  subscribe(onChange: (change: SlotChange) => void): Promise<() => Promise<void>>;
}

/** A change feed over the store's pub/sub, namespaced per credential. */
export function createChangeFeed(store: Store, credentialId: string): ChangeFeed {
  const channel = `slot-changes:${credentialId}`;
  return {
    publish: (change) => store.publish(channel, JSON.stringify(change)),
    subscribe: (onChange) => store.subscribe(channel, (message) => onChange(JSON.parse(message) as SlotChange)),
  };
}
