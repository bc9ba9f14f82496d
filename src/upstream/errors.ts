/**
 * The one error type for anything that goes wrong talking to Cal.com, and the rate-limit headers
 * read from every response (docs/calcom-contract.md#rate-limits).
 */

/** `X-RateLimit-*-Default` values of one response; absent headers stay undefined. */
export interface RateLimitInfo {
  /** Requests allowed per window (`X-RateLimit-Limit-Default`). */
  limit?: number;
  /** Requests left in the window, 0 while blocked (`X-RateLimit-Remaining-Default`). */
  remaining?: number;
  /** Seconds until the window or block ends (`X-RateLimit-Reset-Default`; seconds, not an epoch). */
  resetSeconds?: number;
}

export function parseRateLimit(headers: Record<string, string | string[] | undefined>): RateLimitInfo {
  const num = (name: string) => {
    const raw = headers[name];
    const value = Number(Array.isArray(raw) ? raw[0] : raw);
    return raw === undefined || !Number.isFinite(value) ? undefined : value;
  };
  const info: RateLimitInfo = {};
  const limit = num('x-ratelimit-limit-default');
  const remaining = num('x-ratelimit-remaining-default');
  const resetSeconds = num('x-ratelimit-reset-default');
  if (limit !== undefined) info.limit = limit;
  if (remaining !== undefined) info.remaining = remaining;
  if (resetSeconds !== undefined) info.resetSeconds = resetSeconds;
  return info;
}

export interface UpstreamErrorInit {
  /** Endpoint group: `slots`, `eventTypes`, `bookings`, `reservations`. */
  endpoint: string;
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number;
  /** Cal.com's `error.code` (e.g. `ThrottlerException`), got's error code (`ETIMEDOUT`), or `HTTP_<status>`. */
  calcomCode: string;
  message: string;
  rateLimit: RateLimitInfo;
  cause?: unknown;
}

/** A failed upstream call. `message` is Cal.com's (never contains the API key). */
export class UpstreamError extends Error {
  override name = 'UpstreamError';
  readonly endpoint: string;
  readonly status: number;
  readonly calcomCode: string;
  readonly rateLimit: RateLimitInfo;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.endpoint = init.endpoint;
    this.status = init.status;
    this.calcomCode = init.calcomCode;
    this.rateLimit = init.rateLimit;
  }

  /** 429: the credential's quota is spent (and Cal.com blocks it for the reset time). */
  get isRateLimited(): boolean {
    return this.status === 429;
  }

  /** No answer, a timeout, or a 5xx: worth retrying later. */
  get isUnavailable(): boolean {
    return this.status === 0 || this.status >= 500;
  }
}
