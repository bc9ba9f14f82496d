/**
 * The contract suite's HTTP side: raw Cal.com v2 requests (status, headers and body as they come,
 * unlike the gateway's client, which parses bodies into typed values) sent through the gateway's own
 * quota scheduler with an in-process store, and a hard budget of calls it never exceeds.
 *
 * - Every request is one scheduled task: no retries, no re-send after a 429 (`maxRetries: 0`,
 *   `max429Requeues: 0`), so one `call()` is at most one HTTP request.
 * - The scheduler's admission log keeps the suite inside the key's rate limit, and re-syncs from
 *   `X-RateLimit-Remaining-Default`: when the key's window is nearly spent (other clients of the same
 *   key count too), it waits for the window to reset rather than lock the key out.
 * - `budget` caps the requests sent in the whole run; a call past it is refused before anything is sent.
 */
import { pino } from 'pino';
import { createQuotaScheduler, type EndpointGroup, type QuotaScheduler } from '../../src/quota/scheduler.js';
import { DEFAULT_QUOTA_LIMITS } from '../../src/quota/admission-log.js';
import { createMemoryStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/store.js';
import { parseRateLimit, UpstreamError } from '../../src/upstream/errors.js';

export interface ProbeRequest {
  /** Short name for the report, e.g. `slots America/Los_Angeles`. */
  label: string;
  group: EndpointGroup;
  method: 'GET' | 'POST' | 'DELETE';
  /** Below the API base, without a leading slash, e.g. `slots`. */
  path: string;
  query?: Record<string, string | number>;
  /** `cal-api-version`. */
  version?: string;
  body?: unknown;
}

export interface ProbeResponse {
  label: string;
  status: number;
  /** Lower-case names. */
  headers: Record<string, string>;
  /** Parsed JSON, or the text when it is not JSON. */
  body: any;
  /** Path and query as sent (what Cal.com's error envelope echoes as `path`). */
  sentPath: string;
}

/** The run's call budget is spent: nothing was sent. */
export class BudgetExhaustedError extends Error {
  override name = 'BudgetExhaustedError';
  constructor(budget: number) {
    super(`the call budget (${budget}) is spent: not sent`);
  }
}

export interface ProbeOptions {
  /** API base including /v2. */
  apiUrl: string;
  apiKey: string;
  /** Most requests this run may send. */
  budget: number;
  /** Cal.com's limit per window for the key (the scheduler keeps 90 % of it). @default 120 */
  rateLimit?: number;
  /** Per-request timeout, ms. @default 10000 */
  timeoutMs?: number;
}

export interface Probe {
  call(request: ProbeRequest): Promise<ProbeResponse>;
  /** Requests sent so far. */
  spent(): number;
  /** Requests the budget still allows. */
  left(): number;
  /** Every response, in order. */
  responses(): ProbeResponse[];
  close(): Promise<void>;
}

export function createProbe(options: ProbeOptions): Probe {
  const base = options.apiUrl.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const store: Store = createMemoryStore();
  const scheduler: QuotaScheduler = createQuotaScheduler({
    store,
    credentialId: 'contract-suite',
    limits: { ...DEFAULT_QUOTA_LIMITS, limit: options.rateLimit ?? DEFAULT_QUOTA_LIMITS.limit },
    log: pino({ level: 'silent' }),
    retries: { maxRetries: 0 },
    max429Requeues: 0,
    // Waiting for the key's window to reset (up to 60 s) is better than failing a check.
    deadlinesMs: { critical: 120_000 },
  });
  let spent = 0;
  const seen: ProbeResponse[] = [];

  async function send(request: ProbeRequest, signal: AbortSignal | undefined): Promise<ProbeResponse> {
    if (spent >= options.budget) throw new BudgetExhaustedError(options.budget);
    spent += 1;
    const search = request.query ? `?${new URLSearchParams(Object.entries(request.query).map(([k, v]) => [k, String(v)]))}` : '';
    const headers: Record<string, string> = { authorization: `Bearer ${options.apiKey}`, 'user-agent': 'slotgraph-contract-suite' };
    if (request.version) headers['cal-api-version'] = request.version;
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    const timeout = AbortSignal.timeout(timeoutMs);
    const res = await fetch(`${base}/${request.path}${search}`, {
      method: request.method,
      headers,
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    }).catch((err: unknown) => {
      throw new UpstreamError({ endpoint: request.group, status: 0, calcomCode: (err as Error)?.name ?? 'ERR', message: `${request.label}: no answer (${(err as Error)?.message ?? err})`, rateLimit: {} });
    });
    const text = await res.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text
    }
    const response: ProbeResponse = {
      label: request.label,
      status: res.status,
      headers: Object.fromEntries([...res.headers.entries()].map(([k, v]) => [k.toLowerCase(), v])),
      body,
      sentPath: `${new URL(`${base}/${request.path}`).pathname}${search}`,
    };
    seen.push(response);
    return response;
  }

  return {
    async call(request) {
      if (spent >= options.budget) throw new BudgetExhaustedError(options.budget);
      return scheduler.schedule<ProbeResponse>(
        {
          group: request.group,
          method: request.method,
          run: async (signal) => {
            const response = await send(request, signal);
            const rateLimit = parseRateLimit(response.headers);
            // A 429 goes back to the scheduler as what it is: it pauses the credential, and with
            // max429Requeues 0 it is not sent again.
            if (response.status === 429) {
              throw new UpstreamError({ endpoint: request.group, status: 429, calcomCode: 'ThrottlerException', message: `${request.label}: 429`, rateLimit });
            }
            return { value: response, rateLimit };
          },
        },
        { priority: 'critical' },
      );
    },
    spent: () => spent,
    left: () => Math.max(0, options.budget - spent),
    responses: () => [...seen],
    async close() {
      scheduler.close();
      await store.close();
    },
  };
}
