/**
 * OpenTelemetry traces (an in-memory exporter instead of OTLP/HTTP): one span per GraphQL
 * operation, and within its trace one per quota-queue wait and one per Cal.com call.
 */
import { context, trace } from '@opentelemetry/api';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, describe, expect, it } from 'vitest';
import { startTracing } from '../src/observability/tracing.js';
import { startStack } from './support/stack.js';

describe('traces', () => {
  const exporter = new InMemorySpanExporter();
  afterAll(() => {
    trace.disable();
    context.disable();
  });

  it('are off without an endpoint: nothing registered', async () => {
    expect(await startTracing({ endpoint: undefined })).toBeNull();
  });

  it('hold an operation span, and its queue wait and upstream call as children', async () => {
    const tracing = await startTracing({ exporter, serviceName: 'slotgraph-test' });
    expect(tracing).not.toBeNull();
    const stack = await startStack();
    const body = await stack.post('query Lookup { eventType(id: 1001) { id } }');
    expect(body.errors).toBeUndefined();
    const spans = exporter.getFinishedSpans();
    const operation = spans.find((s) => s.name === 'graphql.query Lookup');
    expect(operation, spans.map((s) => s.name).join(', ')).toBeDefined();
    const traceId = operation!.spanContext().traceId;
    const children = spans.filter((s) => s.spanContext().traceId === traceId && s.parentSpanContext?.spanId === operation!.spanContext().spanId);
    expect(children.map((s) => s.name).sort()).toEqual(['calcom GET eventTypes', 'quota.wait']);
    const call = children.find((s) => s.name === 'calcom GET eventTypes')!;
    expect(call.attributes).toMatchObject({ 'slotgraph.tenant': 'default', 'slotgraph.endpoint_group': 'eventTypes', 'slotgraph.priority': 'interactive' });
    expect(operation!.resource.attributes['service.name']).toBe('slotgraph-test');
    await tracing!.shutdown();
  });
});
