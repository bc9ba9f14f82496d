/**
 * The simulator's data: event types, bookings and reservations, and its clock. One instance per
 * simulator; the `/v2` routes and the admin API read and change it.
 */
import { randomBytes } from 'node:crypto';
import type { BookingEvent, SimEventType, StoredBooking, StoredReservation, StoredWebhook } from './model.js';

/** short-uuid's default alphabet (flickrBase58), which Cal.com's booking uids use. */
const BASE58 = '123456789abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ';

/**
 * A booking uid as Cal.com makes them: packages/features/bookings/lib/service/RegularBookingService.ts
 * `translator.fromUUID(...)` with short-uuid, 22 characters of flickrBase58.
 */
export function shortUid(): string {
  let n = BigInt(`0x${randomBytes(16).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)]! + out;
    n /= 58n;
  }
  return out.padStart(22, BASE58[0]).slice(-22);
}

export class SimState {
  readonly eventTypes = new Map<number, SimEventType>();
  bookings: StoredBooking[] = [];
  reservations: StoredReservation[] = [];
  /** User-level webhooks (`/v2/webhooks`), in creation order. */
  webhooks: StoredWebhook[] = [];
  /** Told of every committed booking write (the webhook delivery listens). */
  readonly bookingListeners = new Set<(event: BookingEvent) => void>();
  private bookingIds = 1;
  private reservationIds = 1;

  constructor(readonly now: () => number) {}

  clear(): void {
    this.eventTypes.clear();
    this.bookings = [];
    this.reservations = [];
    this.webhooks = [];
    this.bookingIds = 1;
    this.reservationIds = 1;
  }

  nextBookingId(): number {
    return this.bookingIds++;
  }

  /** Reports a committed booking write to every listener; a listener's failure never fails the write. */
  emitBookingEvent(event: BookingEvent): void {
    for (const listener of this.bookingListeners) {
      try {
        listener(event);
      } catch {
        // Delivery problems are recorded by the delivery itself, never the write's.
      }
    }
  }

  nextReservationId(): number {
    return this.reservationIds++;
  }

  booking(uid: string): StoredBooking | undefined {
    return this.bookings.find((b) => b.uid === uid);
  }

  /** Reservations unexpired on the simulator's clock (Cal.com: `releaseAt > now`). */
  activeReservations(): StoredReservation[] {
    const now = this.now();
    return this.reservations.filter((r) => r.releaseAtMs > now);
  }
}
