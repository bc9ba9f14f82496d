/**
 * The last upstream failures, for the status page: what failed, when, and how — the endpoint
 * group, the HTTP status and Cal.com's error code. Never a message, a URL, a query or a body, which
 * may carry attendee data or keys.
 */
import type { EndpointGroup, Priority } from '../quota/scheduler.js';

export interface RecentUpstreamError {
  /** ISO 8601. */
  at: string;
  tenant: string;
  group: EndpointGroup;
  method: string;
  priority: Priority;
  /** HTTP status; 0 = no answer (timeout, network). */
  status: number;
  /** Cal.com's `error.code` or the transport's (`ETIMEDOUT`), letters, digits and `_` only. */
  code: string;
  ms: number;
}

export interface RecentErrors {
  add(error: RecentUpstreamError): void;
  /** Newest first. */
  list(): RecentUpstreamError[];
}

export function createRecentErrors(max = 20): RecentErrors {
  const items: RecentUpstreamError[] = [];
  return {
    add(error) {
      items.unshift({ ...error, code: error.code.replace(/[^A-Za-z0-9_]/g, '').slice(0, 40) || 'UNKNOWN' });
      if (items.length > max) items.length = max;
    },
    list: () => items.map((e) => ({ ...e })),
  };
}
