/** Argument checks shared by resolvers; each failure is a BAD_USER_INPUT naming the argument. */
import type { GatewayServices } from '../context.js';
import { badUserInput, notFound } from '../errors.js';
import type { RequestLoaders } from '../loaders/index.js';
import { HORIZON_DAYS } from '../time.js';
import { offeredLengths } from '../upstream/event-types.js';

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

export { canonicalZone } from '../time.js';

/**
 * Refuses a `duration` the event type does not offer (`lengthInMinutes`, `lengthInMinutesOptions`)
 * before any slots call. Best effort: when Cal.com does not show this credential the event type
 * (its event-types endpoint only shows the key's own and hosted ones) or cannot be asked, the check
 * is skipped and Cal.com's slots answer decides.
 */
export async function checkDurationOffered(loaders: RequestLoaders, eventTypeId: number, duration: number | null | undefined): Promise<void> {
  if (duration == null) return;
  const eventType = await loaders.eventType.load(eventTypeId).catch(() => null);
  if (!eventType) return;
  const lengths = offeredLengths(eventType);
  if (!lengths.includes(duration)) {
    throw badUserInput('duration', `event type ${eventTypeId} offers ${lengths.join(', ')} minutes, not ${duration}`);
  }
}

/**
 * Refuses a local date past Cal.com's horizon (`horizon`, the last allowed date in the caller's
 * zone). `date` is `YYYY-MM-DD`; anything else (luxon writes year 10000 as `+010000-01-01`) is past it.
 */
export function checkWithinHorizon(date: string, horizon: string, argument: string): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || date > horizon) {
    throw badUserInput(argument, `${date} is beyond Cal.com's booking horizon: slots are computed at most ${HORIZON_DAYS} days ahead (until ${horizon})`);
  }
}

/**
 * Refuses an event type outside the tenant's list exactly as Cal.com refuses one it does not
 * know (NOT_FOUND), before any call: a tenant learns nothing of another's event types.
 */
export function checkEventTypeAccess(services: GatewayServices, eventTypeId: number, argument = 'eventTypeId'): void {
  if (!services.eventTypeAllowed(eventTypeId)) throw notFound(`Event type ${eventTypeId} was not found at Cal.com.`, argument);
}
