/**
 * The simulator's data: event types, bookings and reservations, and its clock. One instance per
 * simulator; the `/v2` routes and the admin API read and change it.
 */
import { randomBytes } from 'node:crypto';
import type { SimEventType, StoredBooking, StoredReservation } from './model.js';

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
  private bookingIds = 1;
  private reservationIds = 1;

  constructor(readonly now: () => number) {}

  clear(): void {
    this.eventTypes.clear();
    this.bookings = [];
    this.reservations = [];
    this.bookingIds = 1;
    this.reservationIds = 1;
  }

  nextBookingId(): number {
    return this.bookingIds++;
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
