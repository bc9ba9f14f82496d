/**
 * The quota scheduler's observer (src/quota/scheduler.ts `SchedulerObserver`): one per gateway,
 * shared by every tenant's scheduler. Per call it records the queue wait (metric and span), each
 * attempt at Cal.com (metric, span, and a failure into the recent errors), in the trace of the
 * operation that queued it.
 */
import { context, SpanKind, SpanStatusCode, trace, type Context } from '@opentelemetry/api';
import type { CallObserver, SchedulerObserver } from '../quota/scheduler.js';
import type { GatewayMetrics } from './metrics.js';
import type { RecentErrors } from './recent-errors.js';
import { tracer } from './tracing.js';

export function createSchedulerObserver(options: {
  metrics: GatewayMetrics;
  recentErrors: RecentErrors;
  /** The tenant id of a credential namespace (bounded: configured ids). */
  tenantOf(credentialId: string): string;
}): SchedulerObserver {
  const { metrics, recentErrors } = options;
  return {
    queued(call): CallObserver {
      const tenant = options.tenantOf(call.credentialId);
      const parent: Context = context.active();
      const traced = trace.getSpan(parent)?.isRecording() ?? false;
      const queuedAt = Date.now();
      const attributes = { 'slotgraph.tenant': tenant, 'slotgraph.endpoint_group': call.group, 'slotgraph.priority': call.priority };
      const wait = traced ? tracer().startSpan('quota.wait', { attributes, startTime: queuedAt }, parent) : undefined;
      let attemptStart = 0;
      return {
        admitted(waitMs) {
          metrics.queueWait(tenant, call.priority, waitMs / 1000);
          wait?.end();
          attemptStart = Date.now();
        },
        attempt(outcome) {
          metrics.upstreamAttempt(tenant, call.group, call.method, outcome.status, outcome.ms / 1000);
          if (traced) {
            const span = tracer().startSpan(
              `calcom ${call.method} ${call.group}`,
              {
                kind: SpanKind.CLIENT,
                attributes: { ...attributes, 'http.request.method': call.method, ...(typeof outcome.status === 'number' ? { 'http.response.status_code': outcome.status } : {}) },
                startTime: attemptStart || Date.now() - outcome.ms,
              },
              parent,
            );
            if (outcome.status !== 'ok') span.setStatus({ code: SpanStatusCode.ERROR, ...(outcome.code ? { message: outcome.code } : {}) });
            span.end();
          }
          // A caller that hung up is not an upstream failure.
          if (outcome.status !== 'ok' && outcome.code !== 'ABORTED' && outcome.code !== 'ERR_ABORTED') {
            recentErrors.add({
              at: new Date().toISOString(),
              tenant,
              group: call.group,
              method: call.method,
              priority: call.priority,
              status: typeof outcome.status === 'number' ? outcome.status : 0,
              code: outcome.code ?? (outcome.status === 'error' ? 'ERROR' : 'UNKNOWN'),
              ms: Math.round(outcome.ms),
            });
          }
        },
        done(error) {
          // A call that never left the queue (deadline, cancelled, open breaker, shutdown).
          if (wait?.isRecording()) {
            if (error) wait.setStatus({ code: SpanStatusCode.ERROR, message: error.name });
            wait.end();
          }
        },
      };
    },
  };
}
