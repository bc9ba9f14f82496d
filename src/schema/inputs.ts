/** Argument checks shared by resolvers; each failure is a BAD_USER_INPUT naming the argument. */
import { badUserInput } from '../errors.js';

/** Longest slot length accepted, in minutes (one day). */
export const MAX_DURATION_MINUTES = 24 * 60;

export function checkEventTypeId(id: number, argument = 'eventTypeId'): void {
  if (id <= 0) throw badUserInput(argument, `must be a positive Cal.com event type id, got ${id}`);
}

export function checkDuration(duration: number | null | undefined, argument = 'duration'): void {
  if (duration == null) return;
  if (duration <= 0 || duration > MAX_DURATION_MINUTES) {
    throw badUserInput(argument, `must be between 1 and ${MAX_DURATION_MINUTES} minutes, got ${duration}`);
  }
}

/** The canonical spelling of an IANA zone the TimeZone scalar accepted (`europe/berlin` → `Europe/Berlin`). */
export function canonicalZone(zone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
}
