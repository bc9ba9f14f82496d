/**
 * The event type directory of one credential: Cal.com event types cached in the store, what the
 * slot cache needs to know about them, and which event types share a host.
 *
 * - **Cache**: `GET /v2/event-types/{id}` answers are kept {@link EVENT_TYPE_TTL_MS}; an id Cal.com
 *   answered 404 for is remembered {@link MISSING_TTL_MS} (negative cache), per endpoint: the
 *   event-types endpoint only shows the key's own event types (and team ones it hosts), while
 *   `GET /v2/slots` is public, so a 404 from one does not mean a 404 from the other
 *   (docs/calcom-contract.md#event-types).
 * - **Hosts**: Cal.com counts a host's bookings of *every* event type as busy time for all of the
 *   host's event types (docs/calcom-contract.md#busy-time). Each event type the slot cache fetches
 *   slots for is looked up once (in the background) and indexed host → event types, so that a
 *   booking on one of them invalidates the days of all of them. The index lives in the store
 *   ({@link HOST_INDEX_TTL_MS}), shared by every instance.
 */
import type { Logger } from '../logger.js';
import type { CallOptions } from '../quota/scheduler.js';
import type { Store, StoreScript } from '../store/store.js';
import type { UpstreamEventType } from '../upstream/calcom-client.js';
import { UpstreamError } from '../upstream/errors.js';
import type { CalcomApi } from '../upstream/scheduled-calcom.js';

/** Event types change rarely; an answer is reused this long (ms). */
export const EVENT_TYPE_TTL_MS = 5 * 60_000;
/** An id Cal.com did not know is not asked about again for this long (ms). */
export const MISSING_TTL_MS = 60_000;
/** How long the host index keeps what it learned (ms); refreshed whenever the event type is read again. */
export const HOST_INDEX_TTL_MS = 24 * 60 * 60_000;

/** What the host index knows of one event type. */
export interface EventTypeHosts {
  /** Cal.com user ids whose bookings take this event type's slots. */
  hostUserIds: number[];
  /** Longest slot length in minutes (`lengthInMinutes` and `lengthInMinutesOptions`). */
  longestLengthMinutes: number;
}

export interface EventTypeDirectory {
  /**
   * The event type, from the store or Cal.com (with `call`'s priority); learns its hosts.
   * @throws UpstreamError (404 when Cal.com does not show it to this credential, remembered briefly)
   */
  get(id: number, call?: CallOptions): Promise<UpstreamEventType>;
  /** Hosts and longest length, when learned; never calls Cal.com. */
  hostsOf(id: number): Promise<EventTypeHosts | null>;
  /**
   * Starts learning the hosts of `id` in the background (priority `background`) unless they are
   * known or being learned. Never rejects; failures are logged.
   */
  learn(id: number): void;
  /** Every event type known to share a host with `id`, `id` first. */
  related(id: number): Promise<number[]>;
  /** Every event type known to have any of these hosts. */
  ofHosts(userIds: readonly number[]): Promise<number[]>;
  /** Remembers that `GET /v2/slots` answered 404 for `id`. */
  markSlotsMissing(id: number): Promise<void>;
  /** True while a 404 from `GET /v2/slots` for `id` is remembered. */
  slotsMissing(id: number): Promise<boolean>;
  /** Resolves when no background lookup is running (tests; shutdown). */
  settled(): Promise<void>;
}

export interface EventTypeDirectoryOptions {
  store: Store;
  calcom: Pick<CalcomApi, 'getEventType'>;
  /** Namespaces every key: one tenant never sees another's event types. */
  credentialId: string;
  log: Logger;
}

/** Adds ARGV[1] to the JSON array of numbers at KEYS[1] (created if absent) and sets its TTL to ARGV[2] ms. */
const indexAdd: StoreScript<number> = {
  name: 'slotgraphHostIndexAdd',
  lua: `local cur = redis.call('GET', KEYS[1])
local ids = {}
if cur then ids = cjson.decode(cur) end
local id = tonumber(ARGV[1])
local found = 0
for _, v in ipairs(ids) do if v == id then found = 1 end end
if found == 0 then table.insert(ids, id) end
redis.call('SET', KEYS[1], '[' .. table.concat(ids, ',') .. ']', 'PX', ARGV[2])
return 1 - found`,
  local(ops, [key], [id, ttl]) {
    const cur = ops.get(key!);
    const ids = cur ? (JSON.parse(cur) as number[]) : [];
    const n = Number(id);
    const found = ids.includes(n);
    if (!found) ids.push(n);
    ops.set(key!, `[${ids.join(',')}]`, Number(ttl));
    return found ? 0 : 1;
  },
};

export function createEventTypeDirectory(options: EventTypeDirectoryOptions): EventTypeDirectory {
  const { store, calcom, credentialId, log } = options;
  const eventTypeKey = (id: number) => `eventType:${credentialId}:${id}`;
  const missingKey = (id: number) => `eventType-missing:${credentialId}:${id}`;
  const slotsMissingKey = (id: number) => `slots-missing:${credentialId}:${id}`;
  const hostsKey = (id: number) => `eventType-hosts:${credentialId}:${id}`;
  const hostIndexKey = (userId: number) => `host-eventTypes:${credentialId}:${userId}`;
  /** In-process lookups under way, so concurrent misses share one call. */
  const inflight = new Map<number, Promise<UpstreamEventType>>();
  const learning = new Set<Promise<unknown>>();
  /** Event types whose hosts are being learned in this process. */
  const learningIds = new Set<number>();

  async function index(et: UpstreamEventType) {
    const entry: EventTypeHosts = {
      hostUserIds: et.hostUserIds,
      longestLengthMinutes: Math.max(et.lengthInMinutes, ...(et.lengthInMinutesOptions ?? [])),
    };
    await Promise.all([
      store.set(hostsKey(et.id), JSON.stringify(entry), { ttlMs: HOST_INDEX_TTL_MS }),
      ...et.hostUserIds.map((userId) => store.run(indexAdd, [hostIndexKey(userId)], [et.id, HOST_INDEX_TTL_MS])),
    ]);
  }

  async function fetchAndIndex(id: number, call: CallOptions): Promise<UpstreamEventType> {
    if (await store.get(missingKey(id))) throw remembered404(id, 'eventTypes');
    let et: UpstreamEventType;
    try {
      et = await calcom.getEventType(id, call);
    } catch (err) {
      if (err instanceof UpstreamError && err.status === 404) await store.set(missingKey(id), '1', { ttlMs: MISSING_TTL_MS });
      throw err;
    }
    await store.set(eventTypeKey(id), JSON.stringify(et), { ttlMs: EVENT_TYPE_TTL_MS });
    await index(et);
    return et;
  }

  const directory: EventTypeDirectory = {
    async get(id, call = {}) {
      const cached = await store.get(eventTypeKey(id));
      if (cached) return JSON.parse(cached) as UpstreamEventType;
      let pending = inflight.get(id);
      if (!pending) {
        pending = fetchAndIndex(id, call).finally(() => inflight.delete(id));
        inflight.set(id, pending);
      }
      return pending;
    },

    async hostsOf(id) {
      const raw = await store.get(hostsKey(id));
      return raw ? (JSON.parse(raw) as EventTypeHosts) : null;
    },

    learn(id) {
      if (inflight.has(id) || learningIds.has(id)) return;
      learningIds.add(id);
      const task = (async () => {
        if (await store.get(hostsKey(id))) return;
        try {
          await directory.get(id, { priority: 'background' });
        } catch (err) {
          // Not shown to this key (a team event type it does not host): nothing to learn for a day,
          // rather than asking again each minute. Invalidation stays per event type.
          if (err instanceof UpstreamError && err.status === 404) {
            const unknown: EventTypeHosts = { hostUserIds: [], longestLengthMinutes: 0 };
            await store.set(hostsKey(id), JSON.stringify(unknown), { ttlMs: HOST_INDEX_TTL_MS });
          }
          throw err;
        }
      })()
        .catch((err: unknown) =>
          log.debug({ eventTypeId: id, err: err instanceof Error ? err.message : String(err) }, 'could not learn the hosts of an event type; invalidation stays per event type'),
        )
        .finally(() => {
          learning.delete(task);
          learningIds.delete(id);
        });
      learning.add(task);
    },

    async related(id) {
      const hosts = await directory.hostsOf(id);
      const ids = new Set([id, ...(hosts ? await directory.ofHosts(hosts.hostUserIds) : [])]);
      return [...ids];
    },

    async ofHosts(userIds) {
      const lists = await Promise.all(userIds.map((userId) => store.get(hostIndexKey(userId))));
      const ids = new Set<number>();
      for (const raw of lists) if (raw) for (const id of JSON.parse(raw) as number[]) ids.add(id);
      return [...ids].sort((a, b) => a - b);
    },

    async markSlotsMissing(id) {
      await store.set(slotsMissingKey(id), '1', { ttlMs: MISSING_TTL_MS });
    },

    async slotsMissing(id) {
      return (await store.get(slotsMissingKey(id))) !== null;
    },

    async settled() {
      while (learning.size > 0) await Promise.all([...learning]);
    },
  };
  return directory;
}

/** The 404 a remembered unknown event type answers with, without asking Cal.com again. */
export function remembered404(id: number, endpoint: 'eventTypes' | 'slots'): UpstreamError {
  return new UpstreamError({
    endpoint,
    status: 404,
    calcomCode: 'NotFoundException',
    message: `event type ${id} was not found at Cal.com (remembered for ${MISSING_TTL_MS / 1000} s)`,
    rateLimit: {},
  });
}
