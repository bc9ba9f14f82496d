/**
 * Every error code slotgraph puts in `extensions.code`, in one enum (exposed in the schema as
 * `ErrorCode`), and the constructors resolvers use. Resolvers never invent codes.
 */
import { GraphQLError } from 'graphql';
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
  QUOTA_EXHAUSTED: 'The Cal.com request quota is spent; retry after `extensions.retryAfterSeconds` seconds.',
  INTERNAL_SERVER_ERROR: 'An unexpected failure inside slotgraph (details are logged, not returned).',
};

/** BAD_USER_INPUT naming `argument`, e.g. `badUserInput('end', 'is before start (…)')`. */
export function badUserInput(argument: string, problem: string): GraphQLError {
  return new GraphQLError(`Invalid argument "${argument}": ${problem}`, {
    extensions: { code: ErrorCode.BAD_USER_INPUT, argument },
  });
}

export function notFound(message: string, argument?: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: ErrorCode.NOT_FOUND, ...(argument ? { argument } : {}) } });
}

/**
 * Maps an upstream failure to the client-facing error: 404 → NOT_FOUND (`notFoundMessage`),
 * 429 → QUOTA_EXHAUSTED with `retryAfterSeconds` from `X-RateLimit-Reset-Default`, none/5xx →
 * UPSTREAM_UNAVAILABLE, other 4xx → UPSTREAM_REJECTED. Anything else is rethrown (and masked).
 */
export function toGraphQLError(err: unknown, notFoundMessage?: { message: string; argument?: string }): GraphQLError {
  if (err instanceof GraphQLError) return err;
  if (!(err instanceof UpstreamError)) throw err;
  const upstream = { status: err.status, code: err.calcomCode };
  if (err.status === 404 && notFoundMessage) return notFound(notFoundMessage.message, notFoundMessage.argument);
  if (err.isRateLimited) {
    return new GraphQLError('The Cal.com request quota is exhausted; retry later.', {
      extensions: { code: ErrorCode.QUOTA_EXHAUSTED, upstream, ...retryAfter(err.rateLimit.resetSeconds) },
    });
  }
  if (err.isUnavailable) {
    return new GraphQLError(`Cal.com is unavailable (${err.status === 0 ? err.calcomCode : `HTTP ${err.status}`}); retry later.`, {
      extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, upstream, ...retryAfter(err.rateLimit.resetSeconds && err.status === 503 ? err.rateLimit.resetSeconds : undefined) },
    });
  }
  return new GraphQLError(`Cal.com rejected the request: ${err.message}`, {
    extensions: { code: ErrorCode.UPSTREAM_REJECTED, upstream },
  });
}

function retryAfter(seconds: number | undefined) {
  return seconds === undefined ? {} : { retryAfterSeconds: Math.max(1, Math.ceil(seconds)) };
}
