/**
 * Slot change events: what changed at Cal.com, as far as slotgraph knows, so that live
 * subscriptions can tell callers. One event per affected event type, published after every
 * mutation that changes availability and for every Cal.com booking webhook, through yoga's pubsub
 * on the store's event target (with Redis, @graphql-yoga/redis-event-target), so an event published
 * on one instance reaches the subscribers of every instance exactly once (docs/subscriptions.md).
 */
import { createPubSub } from 'graphql-yoga';
import type { Store } from './store/store.js';

/** Why availability changed. */
export type SlotChangeReason =
  | 'booking.created'
  | 'booking.cancelled'
  | 'booking.rescheduled'
  | 'booking.requested'
  | 'reservation.created'
  | 'reservation.released'
  /** Cal.com refused a booking or reservation: the slot was taken behind slotgraph's back. */
  | 'slot.taken'
  /** A delayed re-read after a webhook found Cal.com's slots changed since the webhook's own invalidation. */
  | 'revalidated';

/** One change of one event type's slots. */
export interface SlotChange {
  eventTypeId: number;
  reason: SlotChangeReason;
  /** UTC days `YYYY-MM-DD` whose slot buckets were invalidated. */
  days: string[];
  /** The intervals that changed, UTC instants in ms since the epoch (a reschedule has two). */
  ranges: Array<[startMs: number, endMs: number]>;
  /** When slotgraph learned of it (ms since the epoch). */
  at: number;
}

export interface ChangeFeed {
  /** Publishes one event per change (each names one event type). */
  publish(...changes: SlotChange[]): Promise<void>;
  /** Every change of one event type from now on, until the iterator is returned. */
  subscribe(eventTypeId: number): AsyncIterableIterator<SlotChange>;
  /** Resolves once the subscriptions made so far receive what is published from now on. */
  ready(): Promise<void>;
  /** Subscriptions open in this instance, per event type (for /healthz and tests). */
  active(eventTypeId?: number): number;
}

/** A change feed for one credential over the store's event target. */
export function createChangeFeed(store: Store, credentialId: string): ChangeFeed {
  const pubsub = createPubSub<{ 'slots-changed': [key: string, change: SlotChange] }>({ eventTarget: store.eventTarget() });
  const key = (eventTypeId: number) => `${credentialId}:${eventTypeId}`;
  const open = new Map<number, number>();
  return {
    async publish(...changes) {
      for (const change of changes) pubsub.publish('slots-changed', key(change.eventTypeId), change);
    },
    subscribe(eventTypeId) {
      const inner = pubsub.subscribe('slots-changed', key(eventTypeId));
      open.set(eventTypeId, (open.get(eventTypeId) ?? 0) + 1);
      let closed = false;
      const close = () => {
        if (closed) return;
        closed = true;
        const n = (open.get(eventTypeId) ?? 1) - 1;
        if (n > 0) open.set(eventTypeId, n);
        else open.delete(eventTypeId);
      };
      return {
        next: () => inner.next(),
        async return(value?: unknown) {
          close();
          return inner.return(value as SlotChange);
        },
        async throw(err?: unknown) {
          close();
          return inner.throw(err);
        },
        [Symbol.asyncIterator]() {
          return this;
        },
      };
    },
    ready: () => store.eventTargetReady(),
    active: (eventTypeId) => (eventTypeId === undefined ? [...open.values()].reduce((a, b) => a + b, 0) : (open.get(eventTypeId) ?? 0)),
  };
}
