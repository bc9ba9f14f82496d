/**
 * The gateway's HTTP side: graphql-yoga on node:http (GraphiQL and GraphQL over HTTP/SSE at
 * /graphql), graphql-ws on the same path, Cal.com webhooks at POST /webhooks/calcom, and the
 * operations endpoints: GET /healthz, /readyz, /metrics, /status and /status.json
 * (src/observability). Transport only: authentication picks the caller's tenant, whose services
 * (src/services.ts) and loaders do the work. `drain()` is the graceful shutdown.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { getOperationAST, GraphQLError } from 'graphql';
import { createYoga, maskError, type Plugin } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { createAnswerWitness, useAnswerCache } from './answer-cache.js';
import type { GatewayContext, GatewayServices } from './context.js';
import { ErrorCode, useStacklessResultProcessing } from './errors.js';
import { closeServer, listen, stopListening } from './http-server.js';
import { createRequestLoaders } from './loaders/index.js';
import type { SlotCacheTuning } from './loaders/slot-cache/index.js';
import type { Logger } from './logger.js';
import { readiness, type Readiness } from './observability/health.js';
import { createMetrics, type GatewayMetrics } from './observability/metrics.js';
import { createSchedulerObserver } from './observability/observer.js';
import { createDrainSignal, useOperationObservability } from './observability/operations.js';
import { createRecentErrors } from './observability/recent-errors.js';
import { STATUS_PAGE_HTML, statusSnapshot, type StatusSnapshot } from './observability/status.js';
import type { CallOptions, QuotaStatus, SchedulerObserver, SchedulerOptions } from './quota/scheduler.js';
import type { QuotaLimits } from './quota/admission-log.js';
import { schema } from './schema/index.js';
import { useInputErrorCodes } from './schema/use-input-error-codes.js';
import { useRequestPriority } from './schema/use-request-priority.js';
import { checkScopes, createAuthenticator, unauthenticated, type AuthResult, type Authentication } from './security/auth.js';
import { browserPlugins, corsFor, originAllowed, type BrowserOptions } from './security/browser.js';
import { armorPlugins, DEFAULT_OPERATION_LIMITS, useUpstreamCostLimit, type OperationLimits } from './security/limits.js';
import type { Scope, TenantConfig } from './security/tenants.js';
import { createTenantServices, tenantNamespace, type TenantServices } from './services.js';
import type { Store, StoreHealth } from './store/store.js';
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
  /** Whole answers of warm slot queries (src/answer-cache.ts). @default 1000 entries; 0 = off */
  answerCache?: { maxEntries?: number };
  /** The gateway's clock in ms since the epoch (tests pass a controllable one). @default Date.now */
  now?: () => number;
  /** Cal.com's limit and our share of it; see {@link QuotaLimits} for defaults (120 per 60 s, 90 %). */
  quota?: Partial<QuotaLimits>;
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
  /** How long `drain()` lets in-flight operations finish (ms). @default 10000 */
  shutdownTimeoutMs?: number;
  /** Upstream failures the status page keeps. @default 20 */
  recentErrors?: number;
}

/** What `drain()` did. */
export interface DrainResult {
  /** Queued upstream calls had to be failed (typed UPSTREAM_UNAVAILABLE) because the timeout came. */
  forced: boolean;
  ms: number;
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
  /** Prometheus metrics (also at `GET /metrics`). */
  metrics: GatewayMetrics;
  /** What `/readyz` answers. */
  readiness(): Promise<Readiness>;
  /** What `/status.json` answers. */
  status(): Promise<StatusSnapshot>;
  /**
   * Graceful drain: stops accepting connections (and answers not-ready), ends SSE subscriptions,
   * lets in-flight operations finish; near the timeout, fails what is still queued for Cal.com with
   * typed errors; then closes graphql-ws sockets with 1001 Going Away and every connection.
   * `close()` afterwards releases the rest.
   */
  drain(timeoutMs?: number): Promise<DrainResult>;
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
  const drainSignal = createDrainSignal();
  /** Set when the drain timeout came: what fails from now on fails because of the shutdown. */
  let forcedShutdown = false;
  const recentErrors = createRecentErrors(options.recentErrors ?? 20);
  const tenantByNamespace = new Map<string, string>();
  const storeHealth = (): StoreHealth => store.health?.() ?? { kind: store.kind, ok: true, degraded: false };
  // Filled below once the tenants exist; the metrics pull from them at scrape time. One list per
  // answer: each tenant's quota status (a store round trip) is read once however often it is asked.
  const tenantSources = () =>
    [...tenants.values()].map((t) => {
      let quota: Promise<QuotaStatus> | undefined;
      return {
        id: t.tenant.id,
        quota: () => (quota ??= t.services.scheduler.status()),
        cache: () => t.services.slotCache.stats(),
        subscriptions: () => t.services.changes.active(),
      };
    });
  const ready = (sources = tenantSources()) => readiness({ draining: drainSignal.draining, store: storeHealth(), tenants: sources });
  const metrics = createMetrics({ tenants: tenantSources, store: storeHealth, ready: async (sources) => (await ready(sources)).ready });
  const observer: SchedulerObserver = createSchedulerObserver({ metrics, recentErrors, tenantOf: (ns) => tenantByNamespace.get(ns) ?? 'unknown' });
  // services.ts passes its scheduler settings through to createQuotaScheduler, observer included.
  const schedulerSettings: NonNullable<GatewayOptions['scheduler']> & { observer: SchedulerObserver } = { ...options.scheduler, observer };
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
    tenantByNamespace.set(tenantNamespace(tenant), tenant.id);
    tenants.set(
      tenant.id,
      createTenantServices(tenant, {
        store,
        log,
        now,
        ...(options.calcom.timeoutMs !== undefined ? { timeoutMs: options.calcom.timeoutMs } : {}),
        ...(options.slotCache ? { slotCache: options.slotCache } : {}),
        ...(options.quota ? { quota: options.quota } : {}),
        scheduler: schedulerSettings,
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
  /**
   * Past the drain timeout the scheduler fails the Cal.com calls still queued (CANCELLED, or an
   * error of whatever waited for them): their answers say why, typed and retryable, not as a bug.
   */
  const useShutdownErrors: Plugin<GatewayContext> = {
    onExecute() {
      return {
        onExecuteDone({ result, setResult }) {
          if (!forcedShutdown || !('errors' in result) || !result.errors?.length) return;
          setResult({
            ...result,
            errors: result.errors.map((error) => {
              const code = error.extensions?.code;
              if (code !== undefined && code !== ErrorCode.CANCELLED && code !== ErrorCode.INTERNAL_SERVER_ERROR) return error;
              if (code === undefined) log.warn({ err: error.originalError ?? error }, 'an operation failed during the forced shutdown');
              return new GraphQLError('The gateway is shutting down and could not ask Cal.com in time; retry (another instance will answer).', {
                ...(error.nodes ? { nodes: error.nodes } : {}),
                ...(error.path ? { path: error.path } : {}),
                extensions: { code: ErrorCode.UPSTREAM_UNAVAILABLE, reason: 'SHUTTING_DOWN', retryAfterSeconds: 1 },
              });
            }),
          });
        },
      };
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

  /** The answer cache's key prefix per caller: the tenant and the scopes decide what an operation may read. */
  const callerKeys = new WeakMap<AuthResult, string>();
  const answerCache = useAnswerCache({
    ...(options.answerCache?.maxEntries !== undefined ? { maxEntries: options.answerCache.maxEntries } : {}),
    now,
    callerOf(request) {
      const who = requestAuth.get(request);
      if (!who) return null;
      let key = callerKeys.get(who);
      if (key === undefined) callerKeys.set(who, (key = `${who.tenantId}\u0000${[...who.scopes].sort().join(' ')}`));
      return { key, tenant: who.tenantId };
    },
    witnessOf: (context) => (context as GatewayContext).witness,
    observe(tenant, result, hit) {
      metrics.answerCache(tenant, result);
      if (hit) metrics.operation(tenant, 'query', hit.operationName, 'ok', hit.seconds, []);
    },
  });

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
      useStacklessResultProcessing,
      useShutdownErrors,
      useOperationObservability({ metrics, drain: drainSignal }),
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
      useUpstreamCostLimit<GatewayContext>(limits, (context) => context.services.scheduler.shape.capacity),
      useRequestPriority(),
      // Last: it keeps only answers every plugin above let run, and serves them before parsing.
      answerCache,
    ],
    // HTTP and SSE requests carry a Request; graphql-ws operations get one made in onSubscribe below,
    // so both have the client's headers (x-slotgraph-priority) and a signal that fires when it goes.
    context: ({ request, auth }): GatewayContext => {
      const who = auth ?? (request ? requestAuth.get(request) : undefined);
      if (!who) throw unauthenticated('no authentication for this operation');
      const services = tenants.get(who.tenantId)!.services;
      const call: CallOptions = { priority: 'interactive', ...(request?.signal ? { signal: request.signal } : {}) };
      const witness = createAnswerWitness();
      return { services, auth: who, call, witness, loaders: createRequestLoaders(services, loaderOptions, call, witness) };
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

  /** HTTP requests being answered now (the drain waits for them). */
  let inflightHttp = 0;
  const httpServer = createServer(async (req, res) => {
    // Server-Timing `gateway;dur=<ms>`: from the request's arrival to its response's head, so a
    // client can tell the gateway's time from the network's and its own.
    const arrived = performance.now();
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => ServerResponse;
    res.writeHead = ((...args: unknown[]) => {
      if (!res.headersSent) res.setHeader('server-timing', `gateway;dur=${(performance.now() - arrived).toFixed(1)}`);
      return writeHead(...args);
    }) as typeof res.writeHead;
    inflightHttp += 1;
    res.once('close', () => (inflightHttp -= 1));
    // While draining, every answer closes its connection: keep-alive clients go elsewhere.
    if (drainSignal.draining) res.setHeader('connection', 'close');
    const path = (req.url ?? '/').split('?')[0]!;
    if (path === WEBHOOK_PATH) {
      const { answer, tenant } = await receiveWebhook(req, maxWebhookBytes, [...tenants.values()]).catch((err: unknown) => {
        log.error({ err }, 'webhook handling failed');
        return { answer: { status: 500, body: { error: 'internal error' } }, tenant: 'unknown' };
      });
      metrics.webhook(tenant, webhookResult(answer));
      return json(res, answer.status, answer.body);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const noStore = { 'cache-control': 'no-store' };
      if (path === '/healthz') {
        // The process is up and serving: always 200. Readiness (Redis, breakers, drain) is /readyz.
        const health = storeHealth();
        return json(
          res,
          200,
          {
            status: 'ok',
            // Userinfo in a configured URL never leaves the process.
            upstream: { kind: options.upstreamKind ?? 'calcom', url: redactUrl(options.calcom.apiUrl, { dropUserinfo: true }) },
            store: { kind: health.kind, ok: health.ok },
          },
          noStore,
        );
      }
      if (path === '/readyz') {
        const r = await ready();
        return json(res, r.ready ? 200 : 503, { status: r.ready ? 'ready' : 'not_ready', ...r }, noStore);
      }
      if (path === '/metrics') {
        const text = await metrics.render();
        res.writeHead(200, { 'content-type': metrics.contentType, ...noStore });
        return res.end(text);
      }
      if (path === '/status.json') return json(res, 200, await status(), noStore);
      if (path === '/status') {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', ...noStore });
        return res.end(STATUS_PAGE_HTML);
      }
    }
    if (req.method === 'POST' || req.method === 'PUT' || req.method === 'PATCH') {
      // The body is read here, capped, before GraphQL parses anything.
      const tooLarge = () =>
        json(res, 413, { errors: [{ message: `The request body is larger than ${maxBodyBytes} bytes.`, extensions: { code: ErrorCode.OPERATION_LIMIT, limit: 'bodySize' } }] });
      const declared = Number(req.headers['content-length'] ?? 0);
      if (declared > maxBodyBytes) {
        req.resume();
        return tooLarge();
      }
      if (req.headers['content-length'] === undefined) {
        const body = await readCapped(req, maxBodyBytes);
        if (body === null) return tooLarge();
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
    // A draining gateway takes no new sockets.
    verifyClient: (info: { origin?: string }) => !drainSignal.draining && originAllowed(info.origin, browser.corsOrigins),
  });
  /** graphql-ws queries and mutations being answered now, per socket (the drain waits for them). */
  const wsBusy = new Map<object, Set<string>>();
  const wsInflight = () => [...wsBusy.values()].reduce((n, ids) => n + ids.size, 0);
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
            wsBusy.delete(socket);
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
        if (getOperationAST(args.document, params.operationName)?.operation !== 'subscription') {
          let busy = wsBusy.get(socket);
          if (!busy) wsBusy.set(socket, (busy = new Set()));
          busy.add(id);
        }
        return args;
      },
      onComplete: (ctx, id) => {
        const operations = wsOperations.get(ctx.extra.socket);
        operations?.get(id)?.abort();
        operations?.delete(id);
        wsBusy.get(ctx.extra.socket)?.delete(id);
      },
    },
    wsServer,
  );

  const { url, hostPort } = await listen(httpServer, options.port ?? 4000, options.host ?? '127.0.0.1');

  async function status(): Promise<StatusSnapshot> {
    const sources = tenantSources();
    return statusSnapshot({ readiness: await ready(sources), tenants: sources, recentErrors: recentErrors.list() });
  }

  let wsClosed = false;
  const closeWebSockets = async () => {
    if (wsClosed) return;
    wsClosed = true;
    await wsDisposable.dispose(); // every socket: 1001 Going Away
  };
  /** Polls until nothing is in flight or `ms` passed; true when nothing is. */
  const settle = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (inflightHttp > 0 || wsInflight() > 0) {
      if (Date.now() >= deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  };
  let draining: Promise<DrainResult> | undefined;

  return {
    url,
    graphqlUrl: `${url}/graphql`,
    wsUrl: `ws://${hostPort}/graphql`,
    services: first.services,
    tenants,
    webhooks: first.webhooks,
    httpServer,
    metrics,
    readiness: () => ready(),
    status,
    drain(timeoutMs = options.shutdownTimeoutMs ?? 10_000) {
      draining ??= (async () => {
        const startedAt = Date.now();
        drainSignal.start(); // /readyz says not ready; SSE subscriptions end
        // Connections the kernel accepted already (still in the listen backlog) would be reset
        // with the listening socket: let the event loop take them in first.
        for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
        const stopped = stopListening(httpServer); // no new connections; open ones are closed below
        log.info({ inflight: inflightHttp + wsInflight(), timeoutMs }, 'draining: no new connections; waiting for operations in flight');
        // Near the timeout, what still waits for Cal.com's quota is failed (typed) so its answer can go out.
        const grace = Math.min(2000, Math.floor(timeoutMs / 4));
        const settled = await settle(timeoutMs - grace);
        if (!settled) {
          forcedShutdown = true;
          log.warn({ inflight: inflightHttp + wsInflight() }, 'drain timeout: failing the upstream calls still queued');
          for (const tenant of tenants.values()) tenant.services.scheduler.close();
          if (!(await settle(grace))) log.warn({ inflight: inflightHttp + wsInflight() }, 'drain timeout: closing connections with operations still in flight');
        }
        await closeWebSockets();
        httpServer.closeAllConnections();
        await stopped;
        const ms = Date.now() - startedAt;
        log.info({ ms, forced: !settled }, 'drained');
        return { forced: !settled, ms };
      })();
      return draining;
    },
    async close() {
      await closeWebSockets();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await closeServer(httpServer);
      await yoga.dispose();
      for (const tenant of tenants.values()) await tenant.close();
    },
  };
}

/** A webhook answer as a bounded metrics label. */
function webhookResult(answer: WebhookAnswer): string {
  if (answer.status === 200) {
    const status = answer.body.status;
    return status === 'ignored' || status === 'duplicate' || status === 'already-applied' ? status : 'ok';
  }
  return { 400: 'invalid', 401: 'unauthorized', 404: 'not_configured', 405: 'method_not_allowed', 413: 'too_large' }[answer.status] ?? 'error';
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
async function receiveWebhook(req: IncomingMessage, maxBytes: number, tenants: TenantServices[]): Promise<{ answer: WebhookAnswer; tenant: string }> {
  const refuse = (status: number, error: string) => ({ answer: { status, body: { error } }, tenant: 'unknown' });
  if (req.method !== 'POST') return refuse(405, 'Cal.com delivers webhooks with POST');
  if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
    req.resume();
    return refuse(413, `the body is larger than ${maxBytes} bytes`);
  }
  const body = await readCapped(req, maxBytes);
  if (body === null) return refuse(413, `the body is larger than ${maxBytes} bytes`);
  const signature = req.headers[SIGNATURE_HEADER];
  const header = Array.isArray(signature) ? signature[0] : signature;
  const signer = tenants.find((t) => verifyCalcomSignature(body, header, t.tenant.webhookSecrets));
  const tenant = signer ?? tenants[0]!;
  return { answer: await tenant.webhooks.handle(body, req.headers), tenant: signer ? signer.tenant.id : 'unknown' };
}
