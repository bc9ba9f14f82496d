/**
 * The yoga plugin that observes GraphQL operations: a span per operation (its resolvers and the
 * upstream calls they queue run inside it), the operations counter and latency histogram, errors
 * by code; and, for graceful drain, ends SSE subscriptions when the gateway drains (graphql-ws ones
 * end with their socket, closed 1001 Going Away by src/server.ts).
 */
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { ExecutionResult, GraphQLError } from 'graphql';
import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.js';
import type { GatewayMetrics, OperationOutcome } from './metrics.js';
import { tracer } from './tracing.js';

/** Fires once when the gateway starts draining; subscriptions wait on it. */
export interface DrainSignal {
  readonly draining: boolean;
  /** Calls `fn` once the drain starts (at once if it has); returns a function that forgets it. */
  onDrain(fn: () => void): () => void;
}

export function createDrainSignal(): DrainSignal & { start(): void } {
  let draining = false;
  const waiters = new Set<() => void>();
  return {
    get draining() {
      return draining;
    },
    onDrain(fn) {
      if (draining) {
        fn();
        return () => {};
      }
      waiters.add(fn);
      return () => void waiters.delete(fn);
    },
    start() {
      if (draining) return;
      draining = true;
      for (const fn of [...waiters]) fn();
      waiters.clear();
    },
  };
}

const isAsyncIterable = (value: unknown): value is AsyncIterable<unknown> =>
  typeof value === 'object' && value !== null && typeof (value as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

/** `source`, ending (as if complete) when the drain starts; the source is returned then. */
export function endOnDrain<T>(source: AsyncIterable<T>, drain: DrainSignal): AsyncIterableIterator<T> {
  const inner = source[Symbol.asyncIterator]();
  let forget = () => {};
  const drained = new Promise<IteratorResult<T>>((resolve) => {
    forget = drain.onDrain(() => resolve({ done: true, value: undefined }));
  });
  const finish = async (value?: unknown): Promise<IteratorResult<T>> => {
    forget();
    await inner.return?.(value as T);
    return { done: true, value: undefined };
  };
  return {
    async next() {
      const result = await Promise.race([inner.next(), drained]);
      if (result.done) {
        if (drain.draining) await finish();
        else forget();
      }
      return result;
    },
    return: (value?: unknown) => finish(value),
    async throw(err?: unknown) {
      forget();
      if (inner.throw) return inner.throw(err);
      throw err;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

function outcomeOf(result: ExecutionResult): { outcome: OperationOutcome; codes: string[] } {
  const errors = (result.errors ?? []) as readonly GraphQLError[];
  const codes = errors.map((e) => String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'));
  if (errors.length === 0) return { outcome: 'ok', codes };
  const hasData = result.data !== null && result.data !== undefined && Object.values(result.data).some((v) => v !== null);
  return { outcome: hasData ? 'partial' : 'error', codes };
}

export function useOperationObservability(options: { metrics: GatewayMetrics; drain: DrainSignal }): Plugin<GatewayContext> {
  const { metrics, drain } = options;
  return {
    onValidate() {
      return ({ valid }) => {
        if (!valid) metrics.rejected('validation');
      };
    },
    onExecute({ args, executeFn, setExecuteFn }) {
      const operation = getOperationAST(args.document, args.operationName);
      const type = operation?.operation ?? 'query';
      const name = operation?.name?.value;
      const tenant = args.contextValue.auth?.tenantId ?? 'unknown';
      const startedAt = performance.now();
      const span = tracer().startSpan(`graphql.${type}${name ? ` ${name.slice(0, 64)}` : ''}`, {
        attributes: { 'graphql.operation.type': type, ...(name ? { 'graphql.operation.name': name.slice(0, 64) } : {}), 'slotgraph.tenant': tenant },
      });
      const spanContext = trace.setSpan(context.active(), span);
      setExecuteFn((executeArgs) => context.with(spanContext, () => executeFn(executeArgs)));
      return {
        onExecuteDone({ result }) {
          const seconds = (performance.now() - startedAt) / 1000;
          if (isAsyncIterable(result)) {
            metrics.operation(tenant, type, name, 'ok', seconds, []);
            span.end();
            return;
          }
          const { outcome, codes } = outcomeOf(result);
          metrics.operation(tenant, type, name, outcome, seconds, codes);
          if (outcome !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, message: [...new Set(codes)].join(',') });
          span.end();
        },
      };
    },
    onSubscribe({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      const name = operation?.name?.value;
      const tenant = args.contextValue.auth?.tenantId ?? 'unknown';
      // graphql-ws operations carry their socket: those end when it closes (1001), not here.
      const overWebSocket = Boolean((args.contextValue as unknown as { socket?: unknown }).socket);
      return {
        onSubscribeResult({ result, setResult }) {
          if (isAsyncIterable(result)) {
            metrics.operation(tenant, 'subscription', name, 'ok', null, []);
            if (!overWebSocket) setResult(endOnDrain(result, drain) as AsyncIterableIterator<ExecutionResult>);
          } else {
            const { outcome, codes } = outcomeOf(result);
            metrics.operation(tenant, 'subscription', name, outcome, null, codes);
          }
        },
      };
    },
  };
}
