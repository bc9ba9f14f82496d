/**
 * Redis {@link Store} (ioredis): shared by every gateway instance on the same REDIS_URL. Keys and
 * channels are namespaced by `keyPrefix`; pub/sub uses a second connection, opened on first use,
 * and yoga's event target two more (one publishing, one subscribed).
 *
 * Every command's failure reaches its caller as a rejection, never as an unhandled one: the event
 * target's fire-and-forget SUBSCRIBE/PUBLISH report to `onError` instead. Subscribing connections
 * wait for Redis however long it is away and resubscribe by themselves when it is back.
 */
import { createHash } from 'node:crypto';
import { Redis, ReplyError } from 'ioredis';
import type { ScriptResult, SetOptions, Store, StoreHealth, StoreScript } from './store.js';

export interface RedisStoreOptions {
  /** `redis://host:port/db`. */
  url: string;
  /** Prefix of every key and channel. @default "slotgraph:" */
  keyPrefix?: string;
  /** Name shown in `CLIENT LIST`. @default "slotgraph" */
  connectionName?: string;
  /** Connection errors (ioredis reconnects by itself); without it they are dropped silently. */
  onError?: (err: Error) => void;
  /** A command not answered within this long fails (ms); 0 = no limit. @default 0 */
  commandTimeoutMs?: number;
  /**
   * Queue commands while disconnected and send them on reconnect (failing each after two reconnect
   * attempts). `false`: a command fails at once while Redis is away (the failover store's choice).
   * @default true
   */
  offlineQueue?: boolean;
}

/** A Redis store, with its command connection (the failover store watches it). */
export interface RedisStore extends Store {
  readonly kind: 'redis';
  readonly client: Redis;
}


/** An error Redis itself answered (a script's error, a wrong type): Redis is up, the command is wrong. */
export const isRedisReplyError = (err: unknown): boolean => err instanceof (ReplyError as new () => Error);

/** Connects and resolves once Redis answers; rejects (and disconnects) when it cannot be reached. */
export async function createRedisStore(options: RedisStoreOptions): Promise<RedisStore> {
  const store = openRedisStore({ ...options, lazy: true });
  try {
    await store.client.connect();
  } catch (err) {
    store.client.disconnect();
    throw new Error(`cannot reach Redis at REDIS_URL (${redactUrl(options.url)}): ${(err as Error).message}`);
  }
  return store;
}

/**
 * A Redis store that connects in the background (and keeps reconnecting) instead of waiting: its
 * commands fail while Redis is away. `lazy`: connect only when `client.connect()` is called.
 */
export function openRedisStore(options: RedisStoreOptions & { lazy?: boolean }): RedisStore {
  const keyPrefix = options.keyPrefix ?? 'slotgraph:';
  const connectionName = options.connectionName ?? 'slotgraph';
  const onError = (err: Error) => options.onError?.(err);
  const commandTimeout = options.commandTimeoutMs ? { commandTimeout: options.commandTimeoutMs } : {};
  const client = new Redis(options.url, {
    keyPrefix,
    connectionName,
    lazyConnect: options.lazy ?? false,
    maxRetriesPerRequest: 2,
    enableOfflineQueue: options.offlineQueue ?? true,
    // Commands issued in the same tick (a request's bucket reads and writes, many requests at once)
    // go out as one pipeline: one write and one read per tick instead of one per command.
    enableAutoPipelining: true,
    ...commandTimeout,
  });
  client.on('error', onError);
  /** A connection that only subscribes: its SUBSCRIBEs wait for Redis, and are renewed on reconnect. */
  const subscribing = () => {
    const redis = new Redis(options.url, { connectionName, maxRetriesPerRequest: null, enableOfflineQueue: true });
    redis.on('error', onError);
    return redis;
  };
  /** SHA-1 of each script's Lua, by name. */
  const shas = new Map<string, string>();
  let subscriber: Redis | undefined;
  let events: { target: EventTarget; clients: Redis[] } | undefined;
  const handlers = new Map<string, Set<(message: string) => void>>();

  function getSubscriber(): Redis {
    if (subscriber) return subscriber;
    subscriber = subscribing();
    subscriber.on('message', (channel: string, message: string) => {
      for (const handler of handlers.get(channel.slice(keyPrefix.length)) ?? []) handler(message);
    });
    return subscriber;
  }

  return {
    kind: 'redis',
    client,
    get: (key) => client.get(key),
    getMany: (keys) => (keys.length === 0 ? Promise.resolve([]) : client.mget(...keys)),
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
      // EVALSHA, then EVAL when Redis does not have the script yet (NOSCRIPT: a new or restarted
      // Redis). Builtin commands, not defineCommand: those break auto-pipelines made earlier in the
      // same tick (ioredis#1931).
      let sha = shas.get(script.name);
      if (sha === undefined) shas.set(script.name, (sha = createHash('sha1').update(script.lua).digest('hex')));
      try {
        return (await client.evalsha(sha, keys.length, ...keys, ...args)) as R;
      } catch (err) {
        if (!(isRedisReplyError(err) && (err as Error).message.startsWith('NOSCRIPT'))) throw err;
        return (await client.eval(script.lua, keys.length, ...keys, ...args)) as R;
      }
    },
    async publish(channel, message) {
      await client.publish(keyPrefix + channel, message);
    },
    async subscribe(channel, onMessage) {
      const sub = getSubscriber();
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
        const publisher = new Redis(options.url, { connectionName, maxRetriesPerRequest: 2 });
        publisher.on('error', onError);
        const subscriberClient = subscribing();
        events = { target: redisEventTarget(publisher, subscriberClient, keyPrefix, onError), clients: [publisher, subscriberClient] };
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
    health: (): StoreHealth => ({ kind: 'redis', ok: client.status === 'ready', degraded: false, ...(client.status === 'ready' ? {} : { reason: `Redis connection ${client.status}` }) }),
    async close() {
      const quit = (c: Redis) => (c.status === 'ready' ? c.quit() : Promise.resolve(c.disconnect()));
      await Promise.allSettled([quit(client), ...(subscriber ? [quit(subscriber)] : []), ...(events?.clients ?? []).map(quit)]);
    },
  };
}

/**
 * yoga's pubsub over Redis pub/sub (as @graphql-yoga/redis-event-target, whose SUBSCRIBE and
 * PUBLISH promises are left unhandled — fatal to the process while Redis is away). Event types get
 * `prefix` as their channel name's prefix; details travel as JSON.
 */
function redisEventTarget(publisher: Redis, subscriber: Redis, prefix: string, onError: (err: Error) => void): EventTarget {
  const listeners = new Map<string, Set<EventListenerOrEventListenerObject>>();
  subscriber.on('message', (channel: string, message: string) => {
    if (!channel.startsWith(prefix)) return;
    const type = channel.slice(prefix.length);
    const set = listeners.get(type);
    if (!set) return;
    let detail: unknown;
    try {
      detail = message === '' ? null : JSON.parse(message);
    } catch (err) {
      return onError(err as Error);
    }
    const event = new CustomEvent(type, { detail });
    for (const listener of [...set]) {
      if (typeof listener === 'function') listener(event);
      else listener.handleEvent(event);
    }
  });
  return {
    addEventListener(type: string, listener: EventListenerOrEventListenerObject | null) {
      if (!listener) return;
      let set = listeners.get(type);
      if (!set) {
        listeners.set(type, (set = new Set()));
        subscriber.subscribe(prefix + type).catch(onError);
      }
      set.add(listener);
    },
    removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null) {
      const set = listeners.get(type);
      if (!listener || !set) return;
      set.delete(listener);
      if (set.size > 0) return;
      listeners.delete(type);
      subscriber.unsubscribe(prefix + type).catch(onError);
    },
    dispatchEvent(event: Event) {
      const detail = (event as CustomEvent).detail;
      publisher.publish(prefix + event.type, detail === undefined ? '' : JSON.stringify(detail)).catch(onError);
      return true;
    },
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
