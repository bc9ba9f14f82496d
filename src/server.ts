/**
 * The gateway's HTTP side: graphql-yoga on node:http (GraphiQL and GraphQL over HTTP/SSE at
 * /graphql), graphql-ws on the same path, and GET /healthz. Transport only: the work is done by the
 * services and loaders the resolvers call.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { GraphQLError } from 'graphql';
import { createYoga, maskError } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { GatewayContext, GatewayServices } from './context.js';
import { ErrorCode } from './errors.js';
import { closeServer, listen } from './http-server.js';
import { createRequestLoaders } from './loaders/index.js';
import { createBookingService } from './bookings/service.js';
import { createChangeFeed } from './changes.js';
import { createEventTypeDirectory } from './loaders/event-types.js';
import { createWebhookReceiver, type WebhookAnswer, type WebhookReceiver } from './webhooks/receiver.js';
import { createSlotCache, type SlotCacheTuning } from './loaders/slot-cache.js';
import { createQuotaScheduler, type CallOptions, type SchedulerOptions } from './quota/scheduler.js';
import { DEFAULT_BUCKET_LIMITS, type BucketLimits } from './quota/token-bucket.js';
import { useRequestPriority } from './schema/use-request-priority.js';
import { createScheduledCalcom } from './upstream/scheduled-calcom.js';
import type { Logger } from './logger.js';
import { schema } from './schema/index.js';
import { useInputErrorCodes } from './schema/use-input-error-codes.js';
import type { Store } from './store/store.js';
import { createCalcomClient, type CalcomClientOptions } from './upstream/calcom-client.js';

export interface GatewayOptions {
  /** Interface to bind. @default "127.0.0.1" */
  host?: string;
  /** TCP port; 0 picks a free one. @default 4000 */
  port?: number;
  calcom: CalcomClientOptions;
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
    /** Accepted signing secrets (rotation: several); none = every delivery refused. */
    secrets: readonly string[];
    /** Largest body accepted, bytes. @default 262144 */
    maxBodyBytes?: number;
    /** Delay of the background revalidation after a webhook (ms); null = none. @default 10000 */
    revalidateDelayMs?: number | null;
  };
  /** `availabilityLive` re-polls this often (ms, priority background); 0 = never. @default 60000 */
  livePollMs?: number;
}

/** The path Cal.com delivers webhooks to. */
export const WEBHOOK_PATH = '/webhooks/calcom';
/** Largest webhook body accepted by default (bytes); Cal.com's booking payloads are a few KiB. */
export const DEFAULT_WEBHOOK_MAX_BODY_BYTES = 256 * 1024;

export interface Gateway {
  /** `http://host:port` */
  url: string;
  /** `http://host:port/graphql` (GraphiQL in a browser, GraphQL over HTTP and SSE) */
  graphqlUrl: string;
  /** `ws://host:port/graphql` (graphql-ws) */
  wsUrl: string;
  services: GatewayServices;
  /** The Cal.com webhook receiver behind `POST /webhooks/calcom`. */
  webhooks: WebhookReceiver;
  httpServer: Server;
  /** Stops accepting, closes sockets and the upstream client. The store is the caller's to close. */
  close(): Promise<void>;
}

/** A short, non-secret id for a credential (first 12 hex digits of its SHA-256). */
export function credentialIdOf(apiKey: string): string {
  return createHash('sha256').update(apiKey).digest('hex').slice(0, 12);
}

export async function startGateway(options: GatewayOptions): Promise<Gateway> {
  const { log, store } = options;
  const client = createCalcomClient(options.calcom);
  const credentialId = credentialIdOf(options.calcom.apiKey);
  const scheduler = createQuotaScheduler({
    store,
    credentialId,
    limits: { ...DEFAULT_BUCKET_LIMITS, ...options.quota },
    log: log.child({ component: 'quota' }),
    ...(options.now ? { now: options.now } : {}),
    ...options.scheduler,
  });
  const calcom = createScheduledCalcom(client, scheduler);
  const eventTypes = createEventTypeDirectory({ store, calcom, credentialId, log: log.child({ component: 'event-types' }) });
  const now = options.now ?? Date.now;
  const slotCache = createSlotCache({
    store,
    calcom,
    credentialId,
    eventTypes,
    log: log.child({ component: 'slot-cache' }),
    now,
    ...(options.slotCache ? { tuning: options.slotCache } : {}),
  });
  const changes = createChangeFeed(store, credentialId);
  const bookings = createBookingService({ calcom, store, slotCache, eventTypes, changes, credentialId, log: log.child({ component: 'bookings' }), now });
  const services: GatewayServices = {
    calcom,
    scheduler,
    store,
    log,
    credentialId,
    eventTypes,
    now,
    slotCache,
    bookings,
    changes,
    live: { pollMs: options.livePollMs ?? 60_000 },
  };
  const webhooks = createWebhookReceiver({
    secrets: options.webhooks?.secrets ?? [],
    store,
    slotCache,
    changes,
    credentialId,
    log: log.child({ component: 'webhooks' }),
    now,
    ...(options.webhooks?.revalidateDelayMs !== undefined ? { revalidateDelayMs: options.webhooks.revalidateDelayMs } : {}),
  });
  const maxWebhookBytes = options.webhooks?.maxBodyBytes ?? DEFAULT_WEBHOOK_MAX_BODY_BYTES;
  const loaderOptions = { batchWindowMs: options.batchWindowMs ?? 0 };
  const yogaLog = log.child({ component: 'yoga' });

  const yoga = createYoga<Record<string, unknown>, GatewayContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // The bundled GraphiQL: the page loads nothing from a CDN, so it works offline too.
    renderGraphiQL,
    graphiql: {
      title: 'slotgraph',
      subscriptionsProtocol: 'WS',
      ...(options.exampleQuery ? { defaultQuery: options.exampleQuery } : {}),
    },
    plugins: [useInputErrorCodes(), useRequestPriority()],
    // HTTP and SSE requests carry a Request; graphql-ws operations get one made in onSubscribe below,
    // so both have the client's headers (x-slotgraph-priority) and a signal that fires when it goes.
    context: ({ request }: { request?: Request }): GatewayContext => {
      const call: CallOptions = { priority: 'interactive', ...(request?.signal ? { signal: request.signal } : {}) };
      return { services, call, loaders: createRequestLoaders(services, loaderOptions, call) };
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
      const answer = await receiveWebhook(req, maxWebhookBytes, webhooks).catch((err: unknown) => {
        log.error({ err }, 'webhook handling failed');
        return { status: 500, body: { error: 'internal error' } };
      });
      res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(answer.body));
      return;
    }
    if (req.url === '/healthz' || req.url?.startsWith('/healthz?')) {
      const storeOk = await store.ping();
      const body = JSON.stringify({
        status: storeOk ? 'ok' : 'degraded',
        upstream: { kind: options.upstreamKind ?? 'calcom', url: options.calcom.apiUrl },
        store: { kind: store.kind, ok: storeOk },
      });
      res.writeHead(storeOk ? 200 : 503, { 'content-type': 'application/json; charset=utf-8' });
      res.end(body);
      return;
    }
    return yoga(req, res);
  });

  const wsServer = new WebSocketServer({ server: httpServer, path: yoga.graphqlEndpoint });
  /** One abort controller per graphql-ws operation, fired when it completes or its socket closes. */
  const wsOperations = new WeakMap<object, Map<string, AbortController>>();
  const wsDisposable = useServer(
    {
      execute: (args: any) => args.rootValue.execute(args),
      subscribe: (args: any) => args.rootValue.subscribe(args),
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
    services,
    webhooks,
    httpServer,
    async close() {
      await wsDisposable.dispose();
      await new Promise<void>((resolve) => wsServer.close(() => resolve()));
      await closeServer(httpServer);
      await yoga.dispose();
      await webhooks.close();
      await services.slotCache.close();
      await bookings.close();
      scheduler.close(); // fails what is still queued, so background event-type lookups end now
      await eventTypes.settled();
      client.close();
    },
  };
}

/** Reads a webhook delivery's raw body (refusing more than `maxBytes`) and hands it to the receiver. */
async function receiveWebhook(req: IncomingMessage, maxBytes: number, receiver: WebhookReceiver): Promise<WebhookAnswer> {
  if (req.method !== 'POST') return { status: 405, body: { error: 'Cal.com delivers webhooks with POST' } };
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) {
    req.resume();
    return { status: 413, body: { error: `the body is larger than ${maxBytes} bytes` } };
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) {
      req.resume();
      return { status: 413, body: { error: `the body is larger than ${maxBytes} bytes` } };
    }
    chunks.push(chunk as Buffer);
  }
  return receiver.handle(Buffer.concat(chunks), req.headers);
}
