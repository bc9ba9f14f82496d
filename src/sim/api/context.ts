/**
 * What a `/v2` route handler gets, and the credential checks of Cal.com's guards the routes share.
 */
import type { IncomingMessage } from 'node:http';
import { HttpFailure, type ApiResult } from '../http.js';
import type { SimState } from '../state.js';

export interface ApiContext {
  state: SimState;
  req: IncomingMessage;
  url: URL;
  /** Path params of the route, e.g. `{ uid }`. */
  params: Record<string, string>;
  /** The parsed JSON body (POST/PATCH), undefined when empty. */
  body: unknown;
}

export type ApiHandler = (ctx: ApiContext) => ApiResult | Promise<ApiResult>;

/** apps/api/v2/src/modules/auth/guards/permissions/permissions.guard.ts. */
export const NO_AUTH_PERMISSIONS =
  "PermissionsGuard - no authentication provided. Provide either authorization bearer token containing managed user access token or oAuth client id in 'x-cal-client-id' header.";

const bearerOf = (req: IncomingMessage) => String(req.headers.authorization ?? '').replace('Bearer ', '');

/**
 * An API key authenticates (the throttler has already refused unknown ones when keys are
 * configured). The simulator has no OAuth clients or access tokens, so any other credential is
 * unknown to it: OptionalApiAuthGuard routes treat the caller as anonymous.
 */
export function isAuthenticated(req: IncomingMessage): boolean {
  return bearerOf(req).startsWith('cal_');
}

/**
 * PermissionsGuard (controller level, before ApiAuthGuard): an API key passes; no credentials at all
 * is a 403, as is an access token or client id the simulator does not know
 * (apps/api/v2/src/modules/auth/guards/permissions/permissions.guard.ts `canActivate`: the bearer
 * token is tried before `x-cal-client-id`; `getOAuthClientByAccessToken` / `getOAuthClientById`
 * throw `ForbiddenException("PermissionsGuard - no oAuth client found for access token=<token>")` /
 * `"… for client id=<id>"`).
 */
export function permissionsGuard(req: IncomingMessage): void {
  const bearer = bearerOf(req);
  const clientId = req.headers['x-cal-client-id'];
  if (bearer.startsWith('cal_')) return;
  if (!bearer && !clientId) throw new HttpFailure(403, 'ForbiddenException', NO_AUTH_PERMISSIONS);
  throw new HttpFailure(
    403,
    'ForbiddenException',
    bearer ? `PermissionsGuard - no oAuth client found for access token=${bearer}` : `PermissionsGuard - no oAuth client found for client id=${String(clientId)}`,
  );
}

export const success = (status: number, data: unknown, extra: Record<string, unknown> = {}): ApiResult => ({
  status,
  body: { status: 'success', data, ...extra },
});
