/**
 * Expected failures without stack traces. A quota refusal, a bad argument or an unknown event type
 * is data for the caller, never a bug to trace, yet every `Error` captures a trace when made, and
 * graphql-js and graphql-yoga read `stack` while locating and serialising errors, which formats it
 * (with source maps under tsx: ~100 µs each, measured with a 30-frame stack). Made with
 * `Error.stackTraceLimit` at 0, such an error's `stack` is its one header line
 * (`QuotaExhaustedError: <message>`) and costs next to nothing to capture and to read.
 */

/** Runs `make` (synchronous) with stack capture off: errors it creates carry only their header line. */
export function withoutStackTrace<T>(make: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return make();
  } finally {
    Error.stackTraceLimit = limit;
  }
}

/** Base of expected failures (quota refusals, open breakers, cancellations): no stack trace is captured. */
export class StacklessError extends Error {
  constructor(message: string) {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message);
    Error.stackTraceLimit = limit;
  }
}
