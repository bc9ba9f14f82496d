/**
 * Cal.com's default throttler as the simulator models it (reference.md §6, `CustomThrottlerGuard`
 * over `@nestjs/throttler` storage): per tracker, a window of `windowMs` opens at the first hit;
 * a hit beyond `limit` inside it blocks the tracker for `blockMs`. Headers carry seconds, not epochs.
 */
import { createHash } from 'node:crypto';

export interface ThrottleLimits {
  /** Requests allowed per window. @default 120 */
  limit: number;
  /** Window length in ms. @default 60000 */
  windowMs: number;
  /** Lock-out after going over, in ms. @default 60000 */
  blockMs: number;
}

export interface ThrottleDecision {
  allowed: boolean;
  /** `X-RateLimit-*-Default` values: limit, remaining, reset in whole seconds. */
  headers: Record<string, string>;
}

interface TrackerState {
  windowEndsAt: number;
  hits: number;
  blockedUntil: number;
}

/**
 * The tracker of a request, in Cal.com's order: API key (`Bearer cal_…`), other bearer token,
 * `x-cal-client-id`, client IP. Keys are hashed as Cal.com does, so secrets never sit in memory maps.
 */
export function trackerOf(headers: Record<string, string | string[] | undefined>, ip: string): string {
  const sha = (v: string) => createHash('sha256').update(v).digest('hex');
  const auth = String(headers['authorization'] ?? '');
  const bearer = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
  if (bearer.startsWith('cal_')) return `api_key_${sha(bearer.slice(4))}`;
  if (bearer) return `access_token_${sha(bearer)}`;
  const clientId = headers['x-cal-client-id'];
  if (typeof clientId === 'string' && clientId) return `oauth_client_${sha(clientId)}`;
  return `ip_${sha(ip)}`;
}

/** Creates a throttler; `now` is injectable (ms) so tests can drive it. */
export function createThrottler(getLimits: () => ThrottleLimits, now: () => number = Date.now) {
  const trackers = new Map<string, TrackerState>();

  function hit(tracker: string): ThrottleDecision {
    const { limit, windowMs, blockMs } = getLimits();
    const t = now();
    let state = trackers.get(tracker);
    if (!state || (t >= state.windowEndsAt && t >= state.blockedUntil)) {
      state = { windowEndsAt: t + windowMs, hits: 0, blockedUntil: 0 };
      trackers.set(tracker, state);
    }
    let allowed: boolean;
    if (state.blockedUntil > t) {
      allowed = false;
    } else {
      state.hits += 1;
      allowed = state.hits <= limit;
      if (!allowed) state.blockedUntil = t + blockMs;
    }
    const blocked = state.blockedUntil > t;
    const resetMs = blocked ? state.blockedUntil - t : state.windowEndsAt - t;
    return {
      allowed,
      headers: {
        'X-RateLimit-Limit-Default': String(limit),
        'X-RateLimit-Remaining-Default': String(blocked ? 0 : Math.max(0, limit - state.hits)),
        'X-RateLimit-Reset-Default': String(Math.max(0, Math.ceil(resetMs / 1000))),
      },
    };
  }

  return { hit, reset: () => trackers.clear() };
}
