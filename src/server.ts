/**
 * The gateway's HTTP side: graphql-yoga on node:http (GraphiQL and GraphQL over HTTP/SSE at
 * /graphql), graphql-ws on the same path, Cal.com webhooks at POST /webhooks/calcom and
 * GET /healthz. Transport only: authentication picks the caller's tenant, whose services
 * (src/services.ts) and loaders do the work.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { GraphQLError } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext, GatewayServices } from './context.js';
import { ErrorCode } from './errors.js';
import { closeServer, listen } from './http-server.js';
import { createRequestLoaders } from './loaders/index.js';
import type { SlotCacheTuning } from './loaders/slot-cache.js';
import type { Logger } from './logger.js';
import type { CallOptions, SchedulerOptions } from './quota/scheduler.js';
import { bucketShape, DEFAULT_BUCKET_LIMITS, type BucketLimits } from './quota/token-bucket.js';
import { schema } from './schema/index.js';
import { useInputErrorCodes } from './schema/use-input-error-codes.js';
import { useRequestPriority } from './schema/use-request-priority.js';
import { checkScopes, createAuthenticator, unauthenticated, type AuthResult, type Authentication } from './security/auth.js';
import { browserPlugins, corsFor, originAllowed, type BrowserOptions } from './security/browser.js';
import { armorPlugins, DEFAULT_OPERATION_LIMITS, useUpstreamCostLimit, type OperationLimits } from './security/limits.js';
import type { Scope, TenantConfig } from './security/tenants.js';
import { createTenantServices, type TenantServices } from './services.js';
import type { Store } from './store/store.js';
import { redactUrl } from './store/index.js';
import type { CalcomClientOptions } from './upstream/calcom-client.js';
import type { WebhookAnswer } from './webhooks/receiver.js';
import { verifyCalcomSignature, SIGNATURE_HEADER } from './webhooks/verify.js';

export { credentialIdOf, tenantNamespace } from './services.js';

export interface GatewayOptions {
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** TCP port; 0 picks a free one. @default 4000 */
  port?: number;
  /**
   * The one tenant's Cal.com credential when `tenants` is not given (it then becomes tenant
   * `default`, with `webhooks.secrets` and `quota`). `timeoutMs` applies to every tenant.
   */
  calcom: CalcomClientOptions;
  /** Tenants (src/security/tenants.ts); the first also serves anonymous callers. @default one, from `calcom` */
  tenants?: TenantConfig[];
  /**
   * Callers without a token. @default allowed with `availability:read` and `bookings:write` (a
   * library default for tests and the embedded demo: `npm start` decides from the environment).
   */
  auth?: { allowAnonymous?: boolean; anonymousScopes?: Scope[] };
  /** `simulator` when the upstream is the embedded simulator; shown on /healthz. @default "calcom" */
  upstreamKind?: 'calcom' | 'simulator';
  store: Store;
  log: Logger;
  /** Pre-filled GraphiQL query. */
  exampleQuery?: string;
  /** Slot cache tuning (TTLs, widening, locks); see {@link SlotCacheTuning} for defaults. */
  slotCache?: Partial<SlotCacheTuning>;
  /** Extra ms the slot loader collects a batch; 0 = the current tick only. @default 0 */
  batchWindowMs?: number;
  /** The gateway's clock in ms since the epoch (tests pass a controllable one). @default Date.now */
  now?: () => number;
  /** Cal.com's limit and our share of it; see {@link BucketLimits} for defaults (120 per 60 s, 90 %). */
  quota?: Partial<BucketLimits>;
  /** Scheduler details: deadlines, retries, breaker. */
  scheduler?: Pick<SchedulerOptions, 'deadlinesMs' | 'retries' | 'breaker' | 'max429Requeues'>;
  /** Cal.com webhooks at `POST /webhooks/calcom` (docs/subscriptions.md). */
  webhooks?: {
    /** Accepted signing secrets of the one tenant built from `calcom` (rotation: several); none = every delivery refused. */
    secrets?: readonly string[];
    /** Largest body accepted, bytes. @default 262144 */
    maxBodyBytes?: number;
    /** Delay of the background revalidation after a webhook (ms); null = none. @default 10000 */
    revalidateDelayMs?: number | null;
  };
  /** `availabilityLive` re-polls this often (ms, priority background); 0 = never. @default 60000 */
  livePollMs?: number;
  /** Operation limits; see {@link DEFAULT_OPERATION_LIMITS}. */
  limits?: Partial<OperationLimits>;
  /** CORS, GraphiQL, introspection, field suggestions. @default no CORS; the rest on */
  browser?: Partial<BrowserOptions>;
  /** Largest GraphQL request body, bytes; larger gets 413. @default 262144 */
  maxBodyBytes?: number;
  /** Persisted operations by hash (`{"<sha256>": "query …"}`); tenants with `persistedOperationsOnly` may run only these. */
  persistedOperations?: Record<string, string>;
}

/** The path Cal.com delivers webhooks to. */
export const WEBHOOK_PATH = '/webhooks/calcom';
/** Largest webhook body accepted by default (bytes); Cal.com's booking payloads are a few KiB. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 256 * 1024;
/** Largest GraphQL request body accepted by default (bytes). */
export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export interface Gateway {
  /** `http://host:port` */
  url: string;
  /** `http://host:port/graphql` (GraphiQL in a browser, GraphQL over HTTP and SSE) */
  graphqlUrl: string;
  /** `ws://host:port/graphql` (graphql-ws) */
  wsUrl: string;
  /** The first tenant's services (the only one's, without a tenants file). */
  services: GatewayServices;
  /** Every tenant's services, by tenant id. */
  tenants: Map<string, TenantServices>;
  /** The first tenant's webhook receiver (behind `POST /webhooks/calcom`). */
  webhooks: TenantServices['webhooks'];
  httpServer: Server;
  /** Stops accepting, closes sockets and the upstream clients. The store is the caller's to close. */
  close(): Promise<void>;
}

/** The context yoga builds from: the request, and for graphql-ws the authentication of its connection. */
interface ServerContext {
  request?: Request;
  auth?: AuthResult;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { log, store } = options;
  const now = options.now ?? Date.now;
  const tenantConfigs: TenantConfig[] = options.tenants ?? [
    {
      id: 'default',
      calcom: options.calcom,
      ...(options.quota ? { quota: options.quota } : {}),
      webhookSecrets: [...(options.webhooks?.secrets ?? [])],
      clients: [],
    },
  ];
  const tenants = new Map<string, TenantServices>();
  for (const tenant of tenantConfigs) {
    tenants.set(
      tenant.id,
      createTenantServices(tenant, {
        store,
        log,
        now,
        ...(options.calcom.timeoutMs !== undefined ? { timeoutMs: options.calcom.timeoutMs } : {}),
        ...(options.slotCache ? { slotCache: options.slotCache } : {}),
        ...(options.quota ? { quota: options.quota } : {}),
        ...(options.scheduler ? { scheduler: options.scheduler } : {}),
        ...(options.webhooks ? { webhooks: options.webhooks } : {}),
        ...(options.livePollMs !== undefined ? { livePollMs: options.livePollMs } : {}),
      }),
    );
  }
  const first = tenants.get(tenantConfigs[0]!.id)!;
  const authenticator = createAuthenticator({
    tenants: tenantConfigs,
    allowAnonymous: options.auth?.allowAnonymous ?? true,
    ...(options.auth?.anonymousScopes ? { anonymousScopes: options.auth.anonymousScopes } : {}),
  });
  const limits: OperationLimits = { ...DEFAULT_OPERATION_LIMITS, ...options.limits };
  const browser: BrowserOptions = { corsOrigins: [], graphiql: true, introspection: true, fieldSuggestions: true, ...options.browser };
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const maxWebhookBytes = options.webhooks?.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  const loaderOptions = { batchWindowMs: options.batchWindowMs ?? 0 };
  const yogaLog = log.child({ component: 'yoga' });
  /** HTTP requests' authentication, made once per request in `useAuthentication`. */
  const requestAuth = new WeakMap<Request, AuthResult>();
  const burst = new Map(tenantConfigs.map((t) => [t.id, bucketShape({ ...DEFAULT_BUCKET_LIMITS, ...options.quota, ...t.quota }).capacity]));
  const persistedOnly = new Set(tenantConfigs.filter((t) => t.persistedOperationsOnly).map((t) => t.id));

  /** Refuses an HTTP GraphQL request without a valid token (401), before anything is parsed. */
  const useAuthentication: Plugin = {
    onRequest({ request, endResponse, fetchAPI }) {
      // GraphiQL's page itself needs no token (its requests carry the header the user sets).
      if (request.method === 'GET' && request.headers.get('accept')?.includes('text/html')) return;
      const result: Authentication = authenticator.authenticate(request.headers.get('authorization'));
      if (!result.ok) {
        const error = unauthenticated(result.reason);
        endResponse(
          new fetchAPI.Response(JSON.stringify({ errors: [{ message: error.message, extensions: { code: ErrorCode.UNAUTHENTICATED } }] }), {
            status: 401,
            headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer' },
          }),
        );
        return;
      }
      requestAuth.set(request, result.auth);
    },
  };
  /** Refuses, before execution, a root field the caller's scopes do not cover (FORBIDDEN). */
  const useScopes: Plugin<GatewayContext> = {
    onExecute({ args, setResultAndStopExecution }) {
      const error = checkScopes(args.contextValue.auth, args.document, args.operationName);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = checkScopes(args.contextValue.auth, args.document, args.operationName);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };

  const yoga = createYoga<ServerContext, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    cors: corsFor(browser.corsOrigins),
    // The bundled GraphiQL: the page loads nothing from a CDN, so it works offline too.
    renderGraphiQL,
    graphiql: browser.graphiql
      ? { title: 'slotgraph', subscriptionsProtocol: 'WS', ...(options.exampleQuery ? { defaultQuery: options.exampleQuery } : {}) }
      : false,
    plugins: [
      useAuthentication,
      ...browserPlugins(browser),
      ...(options.persistedOperations || persistedOnly.size > 0
        ? [
            usePersistedOperations({
              getPersistedOperation: (hash: string) => options.persistedOperations?.[hash] ?? null,
              // Other callers may still send full documents; a tenant declared persisted-only may not.
              allowArbitraryOperations: (request: Request) => !persistedOnly.has(requestAuth.get(request)?.tenantId ?? ''),
            }),
          ]
        : []),
      ...armorPlugins(limits),
      useInputErrorCodes(),
      useScopes,
      useUpstreamCostLimit<GatewayContext>(limits, (context) => burst.get(context.auth.tenantId) ?? 1),
      useRequestPriority(),
    ],
    // HTTP and SSE requests carry a Request; graphql-ws operations get one made in onSubscribe below,
    // so both have the client's headers (x-slotgraph-priority) and a signal that fires when it goes.
    context: ({ request, auth }): GatewayContext => {
      const who = auth ?? (request ? requestAuth.get(request) : undefined);
      if (!who) throw unauthenticated('no authentication for this operation');
      const services = tenants.get(who.tenantId)!.services;
      const call: CallOptions = { priority: 'interactive', ...(request?.signal ? { signal: request.signal } : {}) };
      return { services, auth: who, call, loaders: createRequestLoaders(services, loaderOptions, call) };
    },
    maskedErrors: {
      maskError(error, message, isDev) {
        const masked = maskError(error, message, isDev);
        if (masked instanceof GraphQLError && !masked.extensions.code) {
          return new GraphQLError(masked.message, {
            ...(masked.nodes ? { nodes: masked.nodes } : {}),
            ...(masked.path ? { path: masked.path } : {}),
            extensions: { ...masked.extensions, code: ErrorCode.INTERNAL_SERVER_ERROR },
          });
        }
        return masked;
      },
    },
    logging: {
      debug: (...args: unknown[]) => yogaLog.debug(args.map(String).join(' ')),
      info: (...args: unknown[]) => yogaLog.info(args.map(String).join(' ')),
      warn: (...args: unknown[]) => yogaLog.warn(args.map(String).join(' ')),
      error: (...args: unknown[]) => yogaLog.error({ err: args[0] }, 'unexpected error'),
    },
  });

  const httpServer = createServer(async (req, res) => {
    if (req.url === WEBHOOK_PATH || req.url?.startsWith(`${WEBHOOK_PATH}?`)) {
      const answer = await receiveWebhook(req, maxWebhookBytes, [...tenants.values()]).catch((err: unknown) => {
        log.error({ err }, 'webhook handling failed');
        return { status: 500, body: { error: 'internal error' } };
      });
      return json(res, answer.status, answer.body);
    }
    if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
      const storeOk = await store.ping();
      return json(res, storeOk ? 200 : 503, {
        status: storeOk ? 'ok' : 'degraded',
        // Userinfo in a configured URL never leaves the process.
        upstream: { kind: options.upstreamKind ?? 'calcom', url: redactUrl(options.calcom.apiUrl, { dropUserinfo: true }) },
        store: { kind: store.kind, ok: storeOk },
      });
    }
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      // The body is read here, capped, before GraphQL parses anything.
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBodyBytes) {
        req.resume();
        return json(res, 413, { errors: [{ message: `The request body is larger than ${maxBodyBytes} bytes.`, extensions: { code: ErrorCode.OPERATION_LIMIT, limit: 'bodySize' } }] });
      }
      if (req.headers['content-length'] === undefined) {
        const body = await readCapped(req, maxBodyBytes);
        if (body === null) {
          return json(res, 413, { errors: [{ message: `The request body is larger than ${maxBodyBytes} bytes.`, extensions: { code: ErrorCode.OPERATION_LIMIT, limit: 'bodySize' } }] });
        }
        const replay = Object.assign(Readable.from([body]), { headers: { ...req.headers, 'content-length': String(body.length) }, method: req.method, url: req.url, socket: req.socket });
        return yoga(replay as unknown as IncomingMessage, res);
      }
    }
    return yoga(req, res);
  });

  const wsServer = new WebSocketServer({
    server: httpServer,
    path: yoga.graphqlEndpoint,
    // Browsers do not apply CORS to WebSockets: an Origin outside the list is refused at the upgrade.
    verifyClient: (info: { origin?: string }) => originAllowed(info.origin, browser.corsOrigins),
  });
  /** One abort controller per graphql-ws operation, fired when it completes or its socket closes. */
  const wsOperations = new WeakMap<object, Map<string, AbortController>>();
  /** Each graphql-ws connection's authentication, made once in `connection_init`. */
  const wsAuth = new WeakMap<object, AuthResult>();
  const wsDisposable = useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
      onConnect: (ctx) => {
        const params = ctx.connectionParams as { authorization?: unknown } | undefined;
        const header = typeof params?.authorization === 'string' ? params.authorization : ctx.extra.request.headers.authorization;
        const result = authenticator.authenticate(header);
        if (!result.ok) return false; // graphql-ws closes with 4403 Forbidden
        wsAuth.set(ctx.extra.socket, result.auth);
        return true;
      },
      onSubscribe: async (ctx, id, params) => {
        const socket = ctx.extra.socket;
        let operations = wsOperations.get(socket);
        if (!operations) {
          const ops = new Map<string, AbortController>();
          wsOperations.set(socket, (operations = ops));
          socket.once('close', () => {
            for (const controller of ops.values()) controller.abort();
            ops.clear();
          });
        }
        const controller = new AbortController();
        operations.set(id, controller);
        const upgrade = ctx.extra.request;
        const headers = new Headers();
        for (const [name, value] of Object.entries(upgrade.headers)) {
          if (typeof value === 'string') headers.set(name, value);
          else if (Array.isArray(value)) headers.set(name, value.join(', '));
        }
        const request = new Request(`http://${upgrade.headers.host ?? 'localhost'}${yoga.graphqlEndpoint}`, { headers, signal: controller.signal });
        const { schema: enveloped, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: upgrade,
          socket,
          params,
          request,
          auth: wsAuth.get(socket),
        });
        const args = {
          schema: enveloped,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
      onComplete: (ctx, id) => {
        const operations = wsOperations.get(ctx.extra.socket);
        operations?.get(id)?.abort();
        operations?.delete(id);
      },
    },
    wsServer,
  );

  const { url, hostPort } = await listen(httpServer, options.port ?? 4000, options.host ?? '127.0.0.1');

  return {
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://${hostPort}/graphql`,
    services: first.services,
    tenants,
    webhooks: first.webhooks,
    httpServer,
    async close() {
      await wsDisposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await closeServer(httpServer);
      await yoga.dispose();
      for (const tenant of tenants.values()) await tenant.close();
    },
  };
}

/** The body, or null when it is larger than `maxBytes` (the rest is drained). */
async function readCapped(req: IncomingMessage, maxBytes: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      return null;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/**
 * Reads a webhook delivery's raw body (refusing more than `maxBytes`) and hands it to the receiver
 * of the tenant whose secret signed it (401 when none did).
 */
async function receiveWebhook(req: IncomingMessage, maxBytes: number, tenants: TenantServices[]): Promise<WebhookAnswer> {
  if (req.method !== 'POST') return { status: 405, body: { error: 'Cal.com delivers webhooks with POST' } };
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    return { status: 413, body: { error: `the body is larger than ${maxBytes} bytes` } };
  }
  const body = await readCapped(req, maxBytes);
  if (body === null) return { status: 413, body: { error: `the body is larger than ${maxBytes} bytes` } };
  const signature = req.headers[SIGNATURE_HEADER];
  const header = Array.isArray(signature) ? signature[0] : signature;
  const tenant = tenants.find((t) => verifyCalcomSignature(body, header, t.tenant.webhookSecrets)) ?? tenants[0]!;
  return tenant.webhooks.handle(body, req.headers);
}
