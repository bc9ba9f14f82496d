/**
 * `/v2/webhooks`: Cal.com's user-level webhooks API (any `cal-api-version` or none;
 * docs/calcom-contract.md#webhooks). Sources (paths in calcom/cal.com):
 *
 * - apps/api/v2/src/modules/webhooks/controllers/webhooks.controller.ts @0e907a82: routes, controller
 *   `ApiAuthGuard`, `IsUserWebhookGuard` on `/:webhookId`, `SkipTakePagination` (take default 250),
 *   POST 201 and the rest 200, bodies through `plainToClass(UserWebhookOutputDto, …)` with
 *   `strategy: "excludeAll"` except `GET /:webhookId` (no strategy: every column of the row);
 * - …/inputs/webhook.input.ts @03670679 (`CreateWebhookInputDto`, `UpdateWebhookInputDto` =
 *   `PartialType`) through the global ValidationPipe (apps/api/v2/src/app.ts: `whitelist`, errors as
 *   `BadRequestException({errors})`, booking-input.ts `globalPipe`);
 * - …/services/user-webhooks.service.ts @03670679: 409 `Webhook with this subscriber url already
 *   exists for this user`; `payloadTemplate` and `secret` default to null;
 * - …/services/webhooks.service.ts @1409d293 `getWebhookById`: 404 `Webhook (<id>) not found`;
 * - …/guards/is-user-webhook-guard.ts @e5255bee: another user's webhook → 403 (never here: one user);
 * - …/webhooks.repository.ts @03670679: `id` = uuid v4 (a string, though the output DTO says number);
 * - …/pipes/WebhookInputPipe.ts, WebhookOutputPipe.ts: `triggers` ⇄ the row's `eventTriggers`;
 *   the output adds `oAuthClientId` (the row's `platformOAuthClientId`);
 * - apps/api/v2/src/modules/auth/strategies/api-auth/api-auth.strategy.ts @5b6d63e6: the 401s of
 *   ApiAuthGuard.
 *
 * Every accepted API key is the one simulator user, {@link SIM_USER_ID}, as every key owns every event
 * type (docs/calcom-contract.md#simulator-differences).
 */
import type { IncomingMessage } from 'node:http';
import { randomUUID } from 'node:crypto';
import { CALCOM_WEBHOOK_DELIVERY, CALCOM_WEBHOOK_TRIGGERS } from '../upstream/contract.js';
import { globalPipe, type Validated } from './booking-input.js';
import { HttpFailure } from './http.js';
import type { StoredWebhook } from './model.js';
import type { SimState } from './state.js';
import { success, type ApiHandler } from './api/context.js';

/** The user every API key authenticates as (webhooks' `userId`). */
export const SIM_USER_ID = 1;

const X_CAL_SECRET_KEY = 'x-cal-secret-key';
const X_CAL_CLIENT_ID = 'x-cal-client-id';
/** api-auth.strategy.ts NO_AUTH_PROVIDED_MESSAGE, ONLY_CLIENT_ID_PROVIDED_MESSAGE, ONLY_CLIENT_SECRET_PROVIDED_MESSAGE. */
const NO_AUTH_PROVIDED = `No authentication method provided. Either pass an API key as 'Bearer' header or OAuth client credentials as '${X_CAL_SECRET_KEY}' and '${X_CAL_CLIENT_ID}' headers`;
const ONLY_CLIENT_ID = `Only '${X_CAL_CLIENT_ID}' header provided. Please also provide '${X_CAL_SECRET_KEY}' header or Auth bearer token as 'Authentication' header`;
const ONLY_CLIENT_SECRET = `Only '${X_CAL_SECRET_KEY}' header provided. Please also provide '${X_CAL_CLIENT_ID}' header or Auth bearer token as 'Authentication' header`;

const header = (req: IncomingMessage, name: string) => {
  const v = req.headers[name];
  return (Array.isArray(v) ? v[0] : v) || undefined;
};

/**
 * ApiAuthGuard (api-auth.strategy.ts `authenticate`) as far as the simulator has credentials: a `cal_`
 * key is the simulator user (an unknown one was refused by the throttler when keys are configured);
 * other bearer tokens are access tokens it does not know; OAuth clients do not exist.
 */
function apiAuthGuard(req: IncomingMessage): number {
  const unauthorized = (message: string) => new HttpFailure(401, 'UnauthorizedException', `ApiAuthStrategy - ${message}`);
  const secret = header(req, X_CAL_SECRET_KEY);
  const clientId = header(req, X_CAL_CLIENT_ID);
  const bearer = header(req, 'authorization')?.replace('Bearer ', '');
  if (clientId && secret) throw unauthorized(`oAuth client - Client with ID ${clientId} not found`);
  if (bearer) {
    if (bearer.startsWith('cal_')) return SIM_USER_ID;
    // accessTokenStrategy: INVALID_ACCESS_TOKEN (packages/platform/constants; text UNCONFIRMED).
    throw unauthorized('access token - Invalid Access Token.');
  }
  if (clientId) throw unauthorized(ONLY_CLIENT_ID);
  if (secret) throw unauthorized(ONLY_CLIENT_SECRET);
  throw unauthorized(NO_AUTH_PROVIDED);
}

/**
 * webhooks.service.ts getWebhookById (404), then IsUserWebhookGuard (403 for another user's; text of
 * apps/api/v2/src/modules/webhooks/guards/is-user-webhook-guard.ts, newer versions: `ForbiddenException(
 * "IsUserWebhookGuard - user with id=(<user>) is not the owner of webhook with id=(<id>)")`, system
 * admins excepted; older versions return false, i.e. Nest's "Forbidden resource").
 */
function userWebhook(state: SimState, id: string, userId: number): StoredWebhook {
  const webhook = state.webhooks.find((w) => w.id === id);
  if (!webhook) throw new HttpFailure(404, 'NotFoundException', `Webhook (${id}) not found`);
  if (webhook.userId !== userId) {
    throw new HttpFailure(403, 'ForbiddenException', `IsUserWebhookGuard - user with id=(${userId}) is not the owner of webhook with id=(${id})`);
  }
  return webhook;
}

interface WebhookBody {
  payloadTemplate?: string | null;
  active?: boolean;
  subscriberUrl?: string;
  triggers?: string[];
  secret?: string | null;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
const given = (v: unknown) => v !== undefined && v !== null;
const TRIGGERS: readonly string[] = CALCOM_WEBHOOK_TRIGGERS;
/** class-validator 0.14 IsEnum with `each`: the enum's values joined with ", ". */
const ENUM_MESSAGE = `each value in triggers must be one of the following values: ${CALCOM_WEBHOOK_TRIGGERS.join(', ')}`;

/**
 * CreateWebhookInputDto (or, `partial`, UpdateWebhookInputDto: PartialType makes every property
 * `@IsOptional`, which skips null and undefined) through the global pipe. Unknown keys are dropped.
 * Constraints per property in class-validator's order (decorators bottom-up).
 */
function validateWebhookBody(raw: unknown, partial: boolean): Validated<WebhookBody> {
  const body = isObject(raw) ? raw : {};
  const known = ['payloadTemplate', 'active', 'subscriberUrl', 'triggers', 'secret'];
  const target = Object.fromEntries(Object.entries(body).filter(([k]) => known.includes(k)));
  const checked = (k: string) => (partial ? given(target[k]) : true);
  const triggers = target.triggers;
  const enumFails = Array.isArray(triggers) ? triggers.some((t) => !TRIGGERS.includes(t as string)) : !TRIGGERS.includes(triggers as string);
  return globalPipe<WebhookBody>(target, [
    ['payloadTemplate', [['isString', given(target.payloadTemplate) && typeof target.payloadTemplate !== 'string' && 'payloadTemplate must be a string']]],
    ['active', [['isBoolean', checked('active') && typeof target.active !== 'boolean' && 'active must be a boolean value']]],
    ['subscriberUrl', [['isString', checked('subscriberUrl') && typeof target.subscriberUrl !== 'string' && 'subscriberUrl must be a string']]],
    [
      'triggers',
      [
        ['isEnum', checked('triggers') && enumFails && ENUM_MESSAGE],
        ['isArray', checked('triggers') && !Array.isArray(triggers) && 'triggers must be an array'],
      ],
    ],
    ['secret', [['isString', given(target.secret) && typeof target.secret !== 'string' && 'secret must be a string']]],
  ]);
}

/** SkipTakePagination (@calcom/platform-types): `@Transform(v ? parseInt(v) : default)`, `@IsNumber`, `@Min`, `@Max`. */
function validatePagination(raw: Record<string, string>): Validated<{ take: number; skip: number }> {
  const int = (v: string | undefined, fallback: number) => (v ? parseInt(v, 10) : fallback);
  const target = { take: int(raw.take, 250), skip: int(raw.skip, 0) };
  const isNumber = (n: number) => Number.isFinite(n);
  return globalPipe(target, [
    [
      'take',
      [
        ['max', !(target.take <= 250) && 'take must not be greater than 250'],
        ['min', !(target.take >= 1) && 'take must not be less than 1'],
        ['isNumber', !isNumber(target.take) && 'take must be a number conforming to the specified constraints'],
      ],
    ],
    [
      'skip',
      [
        ['min', !(target.skip >= 0) && 'skip must not be less than 0'],
        ['isNumber', !isNumber(target.skip) && 'skip must be a number conforming to the specified constraints'],
      ],
    ],
  ]);
}

function pipe<T>(v: Validated<T>): T {
  if (!v.ok) throw new HttpFailure(400, 'BadRequestException', v.message, v.details ?? true);
  return v.value;
}

/** UserWebhookOutputDto with `excludeAll`: the exposed properties, base class first. */
export function toWebhookOutput(w: StoredWebhook) {
  return {
    id: w.id,
    payloadTemplate: w.payloadTemplate,
    triggers: w.triggers,
    subscriberUrl: w.subscriberUrl,
    active: w.active,
    secret: w.secret,
    userId: w.userId,
  };
}

/**
 * `GET /v2/webhooks/{id}`: plainToClass without a strategy keeps every column of the row, through
 * WebhookOutputPipe (`eventTriggers` → `triggers`, `platformOAuthClientId` → `oAuthClientId`, both last).
 * Columns of the `Webhook` model (packages/prisma/schema.prisma, newer, with `version`; column order
 * UNCONFIRMED).
 */
function toWebhookRow(w: StoredWebhook) {
  return {
    id: w.id,
    userId: w.userId,
    teamId: null,
    eventTypeId: null,
    subscriberUrl: w.subscriberUrl,
    payloadTemplate: w.payloadTemplate,
    createdAt: new Date(w.createdAtMs).toISOString(),
    active: w.active,
    appId: null,
    secret: w.secret,
    platform: false,
    time: null,
    timeUnit: null,
    version: CALCOM_WEBHOOK_DELIVERY.version,
    triggers: w.triggers,
    oAuthClientId: null,
  };
}

const duplicateUrl = () => new HttpFailure(409, 'ConflictException', 'Webhook with this subscriber url already exists for this user');

/** `POST /v2/webhooks` → 201. */
export const postWebhook: ApiHandler = ({ state, req, body }) => {
  const userId = apiAuthGuard(req);
  const input = pipe(validateWebhookBody(body, false));
  // user-webhooks.service.ts createUserWebhook: the same URL twice for a user → 409.
  if (state.webhooks.some((w) => w.userId === userId && w.subscriberUrl === input.subscriberUrl)) throw duplicateUrl();
  const webhook: StoredWebhook = {
    id: randomUUID(),
    userId,
    subscriberUrl: input.subscriberUrl!,
    payloadTemplate: input.payloadTemplate ?? null,
    active: input.active!,
    triggers: [...input.triggers!],
    secret: input.secret ?? null,
    createdAtMs: state.now(),
  };
  state.webhooks.push(webhook);
  return success(201, toWebhookOutput(webhook));
};

/** `GET /v2/webhooks` → 200, the user's webhooks (`skip`, `take`), creation order. */
export const listWebhooks: ApiHandler = ({ state, req, url }) => {
  const userId = apiAuthGuard(req);
  const { take, skip } = pipe(validatePagination(Object.fromEntries(url.searchParams)));
  const mine = state.webhooks.filter((w) => w.userId === userId);
  return success(200, mine.slice(skip, skip + take).map(toWebhookOutput));
};

/** `GET /v2/webhooks/{id}` → 200 with the whole row, 404. */
export const getWebhook: ApiHandler = ({ state, req, params }) => {
  const userId = apiAuthGuard(req);
  return success(200, toWebhookRow(userWebhook(state, params.id!, userId)));
};

/**
 * `PATCH /v2/webhooks/{id}` → 200 (PartialWebhookInputPipe; null `payloadTemplate`/`secret` clear them).
 * A subscriber URL another of the user's webhooks has → 409 (Cal.com: the `@@unique([userId,
 * subscriberUrl])` index; its answer UNCONFIRMED).
 */
export const patchWebhook: ApiHandler = ({ state, req, params, body }) => {
  const userId = apiAuthGuard(req);
  const webhook = userWebhook(state, params.id!, userId);
  const input = pipe(validateWebhookBody(body, true));
  if (given(input.subscriberUrl) && state.webhooks.some((w) => w !== webhook && w.userId === userId && w.subscriberUrl === input.subscriberUrl)) {
    throw duplicateUrl();
  }
  if (given(input.subscriberUrl)) webhook.subscriberUrl = input.subscriberUrl!;
  if (given(input.active)) webhook.active = input.active!;
  if (given(input.triggers)) webhook.triggers = [...input.triggers!];
  if (input.payloadTemplate !== undefined) webhook.payloadTemplate = input.payloadTemplate;
  if (input.secret !== undefined) webhook.secret = input.secret;
  return success(200, toWebhookOutput(webhook));
};

/** `DELETE /v2/webhooks/{id}` → 200 with the deleted webhook. */
export const deleteWebhook: ApiHandler = ({ state, req, params }) => {
  const userId = apiAuthGuard(req);
  const webhook = userWebhook(state, params.id!, userId);
  state.webhooks = state.webhooks.filter((w) => w !== webhook);
  return success(200, toWebhookOutput(webhook));
};
