/**
 * OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set: one span per GraphQL
 * operation (src/observability/operations.ts), and per upstream call and per quota-queue wait
 * (src/observability/observer.ts), children of the operation that caused them.
 *
 * Deliberately small: the trace SDK for Node (its AsyncLocalStorage context manager carries the
 * operation's span into resolvers and the scheduler) and the OTLP/HTTP exporter, loaded only when
 * tracing is on. Without it, `@opentelemetry/api` hands out no-op spans that cost next to nothing.
 */
import { trace, type Tracer } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export const TRACER_NAME = 'slotgraph';

/** The gateway's tracer (a no-op one unless {@link startTracing} registered a provider). */
export const tracer = (): Tracer => trace.getTracer(TRACER_NAME);

export interface TracingOptions {
  /** OTLP/HTTP base URL (`http://collector:4318`); traces go to `<endpoint>/v1/traces`. */
  endpoint?: string | undefined;
  /** `service.name` of the spans. @default "slotgraph" */
  serviceName?: string;
  /** Export here instead (tests: an in-memory exporter), span by span. */
  exporter?: SpanExporter;
}

export interface Tracing {
  /** Flushes what is buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** Registers the global tracer provider; null (and nothing loaded) when there is nowhere to export. */
export async function startTracing(options: TracingOptions): Promise<Tracing | null> {
  if (!options.endpoint && !options.exporter) return null;
  const [{ NodeTracerProvider }, { BatchSpanProcessor, SimpleSpanProcessor }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
  ]);
  let processor;
  if (options.exporter) {
    processor = new SimpleSpanProcessor(options.exporter);
  } else {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processor = new BatchSpanProcessor(new OTLPTraceExporter({ url: `${options.endpoint!.replace(/\/+$/, '')}/v1/traces` }));
  }
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName ?? 'slotgraph' }),
    spanProcessors: [processor],
  });
  provider.register();
  return {
    async shutdown() {
      await provider.shutdown().catch(() => {});
    },
  };
}
