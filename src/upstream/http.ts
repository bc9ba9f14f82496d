/**
 * The HTTP transport to Cal.com v2: one got instance (keep-alive, timeouts, bearer auth), the
 * `cal-api-version` of each call, JSON bodies, answers parsed with zod, and every failure turned
 * into one {@link UpstreamError} carrying Cal.com's code and message and the rate-limit headers.
 *
 * Retries are off here on purpose: every upstream request must pass the quota scheduler, and a retry
 * spends quota like any other request, so retrying belongs there (src/quota), not inside got.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { got, RequestError, type Got, type Response } from 'got';
import { z } from 'zod';
import { UpstreamError, parseRateLimit, type RateLimitInfo } from './errors.js';

export interface HttpOptions {
  /** API base including `/v2`, e.g. `https://api.cal.com/v2`. */
  apiUrl: string;
  /** Sent as `Authorization: Bearer <apiKey>` on every request; never logged. */
  apiKey: string;
  /**
   * Tried once when Cal.com answers 401 to `apiKey` (a key rotation in progress: the old key
   * revoked before every instance has the new one); counted. Never logged.
   */
  secondaryApiKey?: string;
  /** Whole-request timeout in ms (connect timeout is the smaller of this and 2000 ms). @default 5000 */
  timeoutMs?: number;
}

/** Per-call transport options. */
export interface RequestOptions {
  /** Aborts the HTTP request. */
  signal?: AbortSignal | undefined;
}

/** One Cal.com call. */
export interface CallSpec<T> {
  /** Endpoint group, for errors and logs: `slots`, `eventTypes`, `bookings`, `reservations`. */
  endpoint: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Path below the API base, without a leading slash, e.g. `bookings/abc/cancel`. */
  path: string;
  /** `cal-api-version`; omitted for controllers that take any (docs/calcom-contract.md#api-versions). */
  version?: string;
  searchParams?: Record<string, string | number>;
  /** Sent as JSON. */
  body?: unknown;
  /** Parses a 2xx answer's JSON body. */
  schema: z.ZodType<T>;
}

export interface Http {
  call<T>(spec: CallSpec<T>, options?: RequestOptions): Promise<{ data: T; rateLimit: RateLimitInfo }>;
  /** Requests answered 401 with the primary key and retried with the secondary one, since start. */
  secondaryKeyFallbacks(): number;
  /** Frees keep-alive sockets. */
  close(): void;
}

/** Cal.com's error envelope (docs/calcom-contract.md#errors), or Nest's bare `{statusCode, message}`. */
const envelopeErrorSchema = z.looseObject({ error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }) });
const nestErrorSchema = z.looseObject({ message: z.union([z.string(), z.array(z.string())]) });

export function createHttp(options: HttpOptions): Http {
  const timeoutMs = options.timeoutMs ?? 5000;
  const agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  const http: Got = got.extend({
    prefixUrl: options.apiUrl.replace(/\/+$/, ''),
    headers: { authorization: `Bearer ${options.apiKey}`, 'user-agent': 'slotgraph' },
    timeout: { connect: Math.min(2000, timeoutMs), request: timeoutMs },
    retry: { limit: 0 },
    throwHttpErrors: false,
    agent: agents,
  });

  let fallbacks = 0;
  return {
    secondaryKeyFallbacks: () => fallbacks,
    async call<T>(spec: CallSpec<T>, callOptions: RequestOptions = {}) {
      const { endpoint } = spec;
      const send = (apiKey?: string) =>
        http(spec.path, {
          method: spec.method,
          headers: { ...(spec.version ? { 'cal-api-version': spec.version } : {}), ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
          ...(spec.searchParams ? { searchParams: spec.searchParams } : {}),
          ...(spec.body !== undefined ? { json: spec.body } : {}),
          ...(callOptions.signal ? { signal: callOptions.signal } : {}),
        });
      let response: Response<string>;
      try {
        response = await send();
        if (response.statusCode === 401 && options.secondaryApiKey) {
          // Cal.com's 401 comes from its throttler guard, before the request is processed: resending is safe.
          fallbacks += 1;
          response = await send(options.secondaryApiKey);
        }
      } catch (err) {
        const code = err instanceof RequestError ? err.code : (err as Error)?.name === 'AbortError' ? 'ABORTED' : 'ERR_UNKNOWN';
        throw new UpstreamError({ endpoint, status: 0, calcomCode: code, message: `${endpoint}: ${code}`, rateLimit: {}, cause: err });
      }
      const rateLimit = parseRateLimit(response.headers);
      let body: unknown;
      try {
        body = JSON.parse(response.body);
      } catch {
        body = undefined;
      }
      if (response.statusCode < 200 || response.statusCode >= 300) {
        let calcomCode = `HTTP_${response.statusCode}`;
        let message = response.statusMessage ?? 'upstream error';
        const envelope = envelopeErrorSchema.safeParse(body);
        const nest = nestErrorSchema.safeParse(body);
        if (envelope.success) {
          calcomCode = envelope.data.error.code ?? calcomCode;
          message = envelope.data.error.message ?? message;
        } else if (nest.success) {
          message = [nest.data.message].flat().join(', ');
        }
        throw new UpstreamError({ endpoint, status: response.statusCode, calcomCode, message, rateLimit });
      }
      const parsed = spec.schema.safeParse(body);
      if (!parsed.success) {
        throw new UpstreamError({ endpoint, status: 502, calcomCode: 'INVALID_RESPONSE', message: `${endpoint}: unexpected response shape: ${z.prettifyError(parsed.error)}`, rateLimit });
      }
      return { data: parsed.data, rateLimit };
    },
    close() {
      agents.http.destroy();
      agents.https.destroy();
    },
  };
}

/** Cal.com's success envelope `{status: "success", data}` around `data`. */
export const success = <T extends z.ZodType>(data: T) => z.object({ status: z.literal('success'), data });
