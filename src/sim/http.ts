/**
 * HTTP plumbing of the simulator: Cal.com's error envelope, JSON in and out, and the failure type
 * every `/v2` handler throws.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A refusal as Cal.com's Nest filters render it (apps/api/v2/src/filters/http-exception.filter.ts). */
export class HttpFailure extends Error {
  constructor(
    readonly status: number,
    /** `error.code`: the exception class name, e.g. `BadRequestException`. */
    readonly code: string,
    message: string,
    /**
     * `error.details`: Nest's `getResponse()`. `true` = `{message, error, statusCode}` (an exception
     * built from a string), `false` = none (TRPCError), or the body itself (e.g. `{errors}` of the
     * global ValidationPipe, or the throttler's string).
     */
    readonly details: boolean | unknown = true,
  ) {
    super(message);
  }
}

export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** Nest's exception class per status, for failures the simulator injects. */
export const EXCEPTION_NAME: Record<number, string> = {
  400: 'BadRequestException',
  401: 'UnauthorizedException',
  403: 'ForbiddenException',
  404: 'NotFoundException',
  409: 'ConflictException',
  422: 'UnprocessableEntityException',
  429: 'ThrottlerException',
  500: 'InternalServerErrorException',
  502: 'BadGatewayException',
  503: 'ServiceUnavailableException',
  504: 'GatewayTimeoutException',
};

/** An injected failure with Nest's default message for the status (e.g. "Internal server error" for 500). */
export function injectedFailure(status: number): HttpFailure {
  const message = status === 500 ? 'Internal server error' : (STATUS_TEXT[status] ?? 'Error');
  return new HttpFailure(status, EXCEPTION_NAME[status] ?? 'HttpException', message);
}

/** Cal.com's error envelope (http-exception.filter.ts; trpc-exception.filter.ts has no details). */
export function envelope(path: string, failure: HttpFailure) {
  const details =
    failure.details === true
      ? { message: failure.message, error: STATUS_TEXT[failure.status] ?? 'Error', statusCode: failure.status }
      : failure.details === false
        ? undefined
        : failure.details;
  return {
    status: 'error',
    timestamp: new Date().toISOString(),
    path,
    error: { code: failure.code, message: failure.message, ...(details !== undefined ? { details } : {}) },
  };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const payload = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(payload), ...headers });
  res.end(payload);
}

/** The request body as JSON; undefined when empty. Throws SyntaxError on bad JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  return text ? JSON.parse(text) : undefined;
}

/** A handler's answer. */
export interface ApiResult {
  status: number;
  body: unknown;
}
