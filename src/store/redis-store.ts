/**
 * Redis {@link Store} (ioredis): shared by every gateway instance on the same REDIS_URL. Keys and
 * channels are namespaced by `keyPrefix`; pub/sub uses a second connection, opened on first use.
 */
import { createRedisEventTarget } from '@graphql-yoga/redis-event-target';
import { Redis } from 'ioredis';
import type { ScriptResult, SetOptions, Store, StoreScript } from './store.js';

export interface RedisStoreOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix of every key and channel. @default "slotgraph:" */
  keyPrefix?: string;
  /** Name shown in `CLIENT LIST`. @default "slotgraph" */
  connectionName?: string;
  /** Connection errors (ioredis reconnects by itself); without it they are dropped silently. */
  onError?: (err: Error) => void;
}

type ScriptCommand = (numKeys: number, ...keysAndArgs: Array<string | number>) => Promise<ScriptResult>;

/** Connects and resolves once Redis answers; rejects (and disconnects) when it cannot be reached. */
export async function createRedisStore(options: RedisStoreOptions): Promise<Store> {
  const keyPrefix = options.keyPrefix ?? 'slotgraph:';
  const connectionName = options.connectionName ?? 'slotgraph';
  const connect = () => {
    const redis = new Redis(options.url, { keyPrefix, connectionName, lazyConnect: true, maxRetriesPerRequest: 2, enableOfflineQueue: true });
    redis.on('error', (err: Error) => options.onError?.(err));
    return redis;
  };
  const client = connect();
  try {
    await client.connect();
  } catch (err) {
    client.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL (${redactUrl(options.url)}): ${(err as Error).message}`);
  }
  const defined = new Set<string>();
  let subscriber: Redis | undefined;
  let events: { target: EventTarget; clients: Redis[] } | undefined;
  const handlers = new Map<string, Set<(message: string) => void>>();

  async function getSubscriber(): Promise<Redis> {
    if (subscriber) return subscriber;
    subscriber = connect();
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of handlers.get(channel.slice(keyPrefix.length)) ?? []) handler(message);
    });
    await subscriber.connect();
    return subscriber;
  }

  return {
    kind: 'redis',
    get: (key) => client.get(key),
    async set(key, value, { ttlMs, onlyIfAbsent }: SetOptions = {}) {
      const px = ttlMs === undefined ? undefined : Math.max(1, Math.round(ttlMs));
      let reply: string | null;
      if (px !== undefined && onlyIfAbsent) reply = await client.set(key, value, 'PX', px, 'NX');
      else if (px !== undefined) reply = await client.set(key, value, 'PX', px);
      else if (onlyIfAbsent) reply = await client.set(key, value, 'NX');
      else reply = await client.set(key, value);
      return reply === 'OK';
    },
    del: (...keys) => (keys.length === 0 ? Promise.resolve(0) : client.del(...keys)),
    pttl: (key) => client.pttl(key),
    async run<R extends ScriptResult>(script: StoreScript<R>, keys: string[], args: Array<string | number>) {
      if (!defined.has(script.name)) {
        client.defineCommand(script.name, { lua: script.lua });
        defined.add(script.name);
      }
      const command = (client as unknown as Record<string, ScriptCommand>)[script.name]!;
      return (await command.call(client, keys.length, ...keys, ...args)) as R;
    },
    async publish(channel, message) {
      await client.publish(keyPrefix + channel, message);
    },
    async subscribe(channel, onMessage) {
      const sub = await getSubscriber();
      let set = handlers.get(channel);
      if (!set) {
        set = new Set();
        handlers.set(channel, set);
        await sub.subscribe(keyPrefix + channel);
      }
      set.add(onMessage);
      return async () => {
        set.delete(onMessage);
        if (set.size === 0 && handlers.get(channel) === set) {
          handlers.delete(channel);
          await sub.unsubscribe(keyPrefix + channel);
        }
      };
    },
    eventTarget() {
      if (!events) {
        // Channels carry no key prefix in Redis: put the store's prefix into every event type.
        const plain = () => {
          const redis = new Redis(options.url, { connectionName, maxRetriesPerRequest: 2 });
          redis.on('error', (err: Error) => options.onError?.(err));
          return redis;
        };
        const clients = [plain(), plain()];
        const target = createRedisEventTarget({ publishClient: clients[0]!, subscribeClient: clients[1]! });
        events = { target: prefixedEventTarget(target, keyPrefix), clients };
      }
      return events.target;
    },
    async eventTargetReady() {
      // Commands on one connection run in order: once this PING is answered, every SUBSCRIBE sent
      // before it has been confirmed.
      if (events) await events.clients[1]!.ping();
    },
    async ping() {
      try {
        return (await client.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      await Promise.allSettled([client.quit(), subscriber?.quit(), ...(events?.clients ?? []).map((c) => c.quit())]);
    },
  };
}

/** An event target whose event types all carry `prefix` on the inner target (and lose it on the way out). */
function prefixedEventTarget(inner: EventTarget, prefix: string): EventTarget {
  const wrapped = new WeakMap<EventListenerOrEventListenerObject, EventListener>();
  const unwrap = (listener: EventListenerOrEventListenerObject): EventListener => {
    let fn = wrapped.get(listener);
    if (!fn) {
      fn = (event: Event) => {
        const plain = new CustomEvent(event.type.slice(prefix.length), { detail: (event as CustomEvent).detail });
        if (typeof listener === 'function') listener(plain);
        else listener.handleEvent(plain);
      };
      wrapped.set(listener, fn);
    }
    return fn;
  };
  return {
    addEventListener: (type: string, listener: EventListenerOrEventListenerObject | null) => {
      if (listener) inner.addEventListener(prefix + type, unwrap(listener));
    },
    removeEventListener: (type: string, listener: EventListenerOrEventListenerObject | null) => {
      if (listener) inner.removeEventListener(prefix + type, unwrap(listener));
    },
    dispatchEvent: (event: Event) => inner.dispatchEvent(new CustomEvent(prefix + event.type, { detail: (event as CustomEvent).detail })),
  };
}

/** The URL without its password (or, with `dropUserinfo`, without user and password), for messages. */
export function redactUrl(url: string, options: { dropUserinfo?: boolean } = {}): string {
  try {
    const parsed = new URL(url);
    if (options.dropUserinfo) {
      parsed.username = '';
      parsed.password = '';
    } else if (parsed.password) {
      parsed.password = '***';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparseable URL)';
  }
}
