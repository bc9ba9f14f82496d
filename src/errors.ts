/**
 * Every error code slotgraph puts in `extensions.code`, in one enum (exposed in the schema as
 * `ErrorCode`), and the constructors resolvers use. Resolvers never invent codes.
 */
import { GraphQLError, type GraphQLErrorOptions } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { BookingNotFound, InvalidInput, QuotaExhausted, UpstreamUnavailable } from './bookings/errors.js';
import { CallCancelledError, CircuitOpenError, QuotaExhaustedError } from './quota/scheduler.js';
import { withoutStackTrace } from './stackless.js';
import { UpstreamError } from './upstream/errors.js';

export enum ErrorCode {
  /** An argument is invalid; `extensions.argument` names it. Nothing was sent upstream. */
  BAD_USER_INPUT = 'BAD_USER_INPUT',
  /** The operation is not valid against the schema (unknown field, wrong type of a literal). */
  GRAPHQL_VALIDATION_FAILED = 'GRAPHQL_VALIDATION_FAILED',
  /** The thing asked for (e.g. an event type id) does not exist at Cal.com. */
  NOT_FOUND = 'NOT_FOUND',
  /** Cal.com did not answer, timed out or failed (5xx); retry later. */
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  /** Cal.com refused a request slotgraph made (an unexpected 4xx); `extensions.upstream` has its code. */
  UPSTREAM_REJECTED = 'UPSTREAM_REJECTED',
  /** The Cal.com quota for this credential is spent; `extensions.retryAfterSeconds` says when to retry. */
  QUOTA_EXHAUSTED = 'QUOTA_EXHAUSTED',
  /** The client went away before the upstream call was made; nothing was spent. */
  CANCELLED = 'CANCELLED',
  /** No valid `Authorization: Bearer <token>` (HTTP 401). */
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  /** The token lacks the scope a field needs; `extensions.scope` names it (HTTP 403). */
  FORBIDDEN = 'FORBIDDEN',
  /** The operation exceeds a limit (size, depth, aliases, upstream cost…); `extensions.limit` names it. Nothing ran. */
  OPERATION_LIMIT = 'OPERATION_LIMIT',
  /** A bug in slotgraph; the message is masked and the details are in the server log. */
  INTERNAL_SERVER_ERROR = 'INTERNAL_SERVER_ERROR',
}

/** Descriptions of the codes, for the schema's `ErrorCode` enum. */
export const ERROR_CODE_DESCRIPTIONS: Record<ErrorCode, string> = {
  BAD_USER_INPUT: 'An argument is invalid; `extensions.argument` names it. Nothing was sent to Cal.com.',
  GRAPHQL_VALIDATION_FAILED: 'The operation does not match the schema.',
  NOT_FOUND: 'The event type (or other object) does not exist at Cal.com.',
  UPSTREAM_UNAVAILABLE: 'Cal.com did not answer, timed out or failed (5xx). Retry later.',
  UPSTREAM_REJECTED: 'Cal.com refused the request (unexpected 4xx); `extensions.upstream` carries its error code.',
  QUOTA_EXHAUSTED:
    'No Cal.com quota within the deadline, or Cal.com answered 429; retry after `extensions.retryAfterSeconds` seconds (`extensions.reason`: deadline | rate-limited).',
  CANCELLED: 'The client went away before the upstream call was made; no quota was spent.',
  UNAUTHENTICATED: 'No valid `Authorization: Bearer <token>` (HTTP 401).',
  FORBIDDEN: 'The token lacks the scope a field needs; `extensions.scope` names it (HTTP 403).',
  OPERATION_LIMIT: 'The operation exceeds a limit (`extensions.limit`: tokens, depth, aliases, directives, upstreamCost, quotaShare); nothing ran and nothing was sent to Cal.com.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure inside slotgraph (details are logged, not returned).',
};

/**
 * An expected failure (bad input, unknown event type, quota, Cal.com down) as a GraphQL error with
 * a one-line `stack` (`GraphQLError: <message>`), made without capturing a trace: it is data for the
 * caller, never a bug to trace, and graphql-js reads the stack of every error a resolver throws (to
 * locate it). See src/stackless.ts.
 */
export function expectedError(message: string, options: GraphQLErrorOptions): GraphQLError {
  return withoutStackTrace(() => new GraphQLError(message, options));
}

/**
 * Serialises results with stack capture off. graphql-yoga's JSON result processor rebuilds every
 * error of a result as new `GraphQLError`s (to drop internal extensions), each capturing a trace and
 * reading its original's, only to print message, locations, path and extensions; with stack capture
 * off the same JSON costs a fraction of the CPU (src/stackless.ts). Through yoga's `resultProcess`
 * instrumentation, so it covers exactly the (synchronous) processing of a result into a Response.
 */
export const useStacklessResultProcessing: Plugin = {
  instrumentation: { resultProcess: (_payload, wrapped) => withoutStackTrace(wrapped) },
};

/** BAD_USER_INPUT naming `argument`, e.g. `badUserInput('end', 'is before start (…)')`. */
export function badUserInput(argument: string, problem: string): GraphQLError {
  return expectedError(`Invalid argument "${argument}": ${problem}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument },
  });
}

export function notFound(message: string, argument?: string): GraphQLError {
  return expectedError(message, { extensions: { code: ErrorCode.NOT_FOUND, ...(argument ? { argument } : {}) } });
}

/**
 * Maps an upstream or quota failure to the client-facing error: quota deadline or 429 →
 * QUOTA_EXHAUSTED with `retryAfterSeconds` (from `X-RateLimit-Reset-Default` for a 429), open
 * breaker or none/5xx → UPSTREAM_UNAVAILABLE, 404 → NOT_FOUND (`notFoundMessage`), other 4xx →
 * UPSTREAM_REJECTED, cancelled → CANCELLED. Anything else is rethrown (and masked).
 */
export function toGraphQLError(err: unknown, notFoundMessage?: { message: string; argument?: string }): GraphQLError {
  if (err instanceof GraphQLError) return err;
  // The booking service's failures, where a query (not a mutation's union) meets them.
  if (err instanceof QuotaExhausted) {
    return expectedError(err.message, { extensions: { code: ErrorCode.QUOTA_EXHAUSTED, retryAfterSeconds: err.retryAfterSeconds } });
  }
  if (err instanceof UpstreamUnavailable) {
    return expectedError(err.message, {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, ...(err.retryAfterSeconds !== null ? { retryAfterSeconds: err.retryAfterSeconds } : {}) },
    });
  }
  if (err instanceof BookingNotFound) return notFound(err.message, 'uid');
  if (err instanceof InvalidInput) return badUserInput(err.field, err.message);
  if (err instanceof QuotaExhaustedError) {
    return expectedError(`The Cal.com request quota is exhausted (${err.reason}); retry in ${err.retryAfterSeconds} s.`, {
      extensions: {
        code: ErrorCode.QUOTA_EXHAUSTED,
        reason: err.reason,
        retryAfterSeconds: err.retryAfterSeconds,
        ...(err.upstream ? { upstream: { status: err.upstream.status, code: err.upstream.calcomCode } } : {}),
      },
    });
  }
  if (err instanceof CircuitOpenError) {
    return expectedError(`Cal.com ${err.group} calls are suspended after repeated failures; retry in ${err.retryAfterSeconds} s.`, {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, breaker: 'OPEN', retryAfterSeconds: err.retryAfterSeconds },
    });
  }
  if (err instanceof CallCancelledError) {
    return expectedError(err.message, { extensions: { code: ErrorCode.CANCELLED } });
  }
  if (!(err instanceof UpstreamError)) throw err;
  const upstream = { status: err.status, code: err.calcomCode };
  if (err.status === 404 && notFoundMessage) return notFound(notFoundMessage.message, notFoundMessage.argument);
  if (err.isRateLimited) {
    return expectedError('The Cal.com request quota is exhausted; retry later.', {
      extensions: { code: ErrorCode.QUOTA_EXHAUSTED, upstream, ...retryAfter(err.rateLimit.resetSeconds) },
    });
  }
  if (err.isUnavailable) {
    return expectedError(`Cal.com is unavailable (${err.status === 0 ? err.calcomCode : `HTTP ${err.status}`}); retry later.`, {
      // No retryAfterSeconds: X-RateLimit-Reset-Default times the quota window, not Cal.com's recovery.
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream },
    });
  }
  return expectedError(`Cal.com rejected the request: ${err.message}`, {
    extensions: { code: ErrorCode.UPSTREAM_REJECTED, upstream },
  });
}

function retryAfter(seconds: number | undefined) {
  return seconds === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
}
