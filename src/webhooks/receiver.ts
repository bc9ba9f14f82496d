/**
 * The Cal.com webhook receiver, transport-free (src/server.ts routes `POST /webhooks/calcom` here
 * with the raw body, capped):
 *
 * 1. the signature is verified over the raw bytes, constant-time, against every configured secret
 *    (rotation); unsigned or wrongly signed → 401, nothing else read;
 * 2. the body is parsed (zod); malformed or an unknown trigger → 400; a Cal.com trigger without
 *    effect on slots (a meeting started) → 200 "ignored";
 * 3. a delivery seen before (trigger + uid + body hash, kept 24 h) → 200 "duplicate", and a change
 *    slotgraph made itself (a booking mutation, applied and announced then) → 200 "already-applied":
 *    no effect;
 * 4. the hosts' UTC days the booking freed or took (both times of a reschedule) are invalidated for
 *    **every event type of those hosts** and of the booking's event type, before the answer, so no
 *    read after the acknowledgement serves the old slots; one change event per event type is
 *    published to every instance;
 * 5. one delayed background revalidation re-reads those days, for a webhook that outran Cal.com's
 *    own reads, and publishes a `revalidated` change where the slots differ.
 */
import { createHash } from 'node:crypto';
import { appliedBookingKey } from '../bookings/service.js';
import type { ChangeFeed } from '../changes.js';
import type { SlotCache } from '../loaders/slot-cache/index.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/store.js';
import { instantRangeMs } from '../time.js';
import { interpretDelivery } from './payload.js';
import { SIGNATURE_HEADER, verifyCalcomSignature } from './verify.js';

export interface WebhookReceiverOptions {
  /** Accepted signing secrets (CALCOM_WEBHOOK_SECRET, comma-separated); none = every delivery refused. */
  secrets: readonly string[];
  store: Store;
  slotCache: SlotCache;
  changes: ChangeFeed;
  /** Namespaces the replay records per tenant. */
  credentialId: string;
  log: Logger;
  /** ms since the epoch. @default Date.now */
  now?: () => number;
  /** How long a delivery is remembered against replays (ms). @default 86400000 (24 h) */
  dedupeTtlMs?: number;
  /** Delay before the background revalidation of a webhook's days (ms); null = none. @default 10000 */
  revalidateDelayMs?: number | null;
}

export interface WebhookAnswer {
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookReceiver {
  handle(rawBody: Buffer, headers: Record<string, string | string[] | undefined>): Promise<WebhookAnswer>;
  /** Runs the scheduled revalidations now, and resolves when they are done (tests; shutdown). */
  flush(): Promise<void>;
  /** Cancels scheduled revalidations and waits for running ones. */
  close(): Promise<void>;
}

const header = (headers: Record<string, string | string[] | undefined>, name: string) => {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function createWebhookReceiver(options: WebhookReceiverOptions): WebhookReceiver {
  const { secrets, store, slotCache, changes, credentialId, log } = options;
  const now = options.now ?? Date.now;
  const dedupeTtlMs = options.dedupeTtlMs ?? 24 * 60 * 60_000;
  const revalidateDelayMs = options.revalidateDelayMs === undefined ? 10_000 : options.revalidateDelayMs;
  /** Scheduled revalidations: their timers and what each runs. */
  const timers = new Map<NodeJS.Timeout, () => void>();
  const running = new Set<Promise<unknown>>();

  function scheduleRevalidation(eventTypeIds: number[], days: string[]) {
    if (revalidateDelayMs === null) return;
    const run = () => {
      timers.delete(timer);
      const task = slotCache
        .revalidate(eventTypeIds, days)
        .then(async (differing) => {
          const at = now();
          await changes.publish(...differing.map(({ eventTypeId, days: changedDays }) => ({ eventTypeId, reason: 'revalidated' as const, days: changedDays, ranges: [], at })));
          if (differing.length > 0) log.info({ eventTypeIds: differing.map((d) => d.eventTypeId) }, 'revalidation after a webhook found newer slots');
        })
        .catch((err: unknown) => log.warn({ err: (err as Error).message }, 'revalidation after a webhook failed'))
        .finally(() => running.delete(task));
      running.add(task);
    };
    const timer = setTimeout(run, revalidateDelayMs);
    timers.set(timer, run);
  }

  return {
    async handle(rawBody, headers) {
      if (secrets.length === 0) return { status: 404, body: { error: 'Cal.com webhooks are not configured here: set CALCOM_WEBHOOK_SECRET' } };
      if (!verifyCalcomSignature(rawBody, header(headers, SIGNATURE_HEADER), secrets)) {
        log.warn('webhook refused: missing or wrong X-Cal-Signature-256');
        return { status: 401, body: { error: 'missing or invalid X-Cal-Signature-256' } };
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(rawBody.toString('utf8'));
      } catch {
        return { status: 400, body: { error: 'the body is not JSON' } };
      }
      const reading = interpretDelivery(parsed);
      if (reading.kind === 'invalid') {
        log.warn({ problem: reading.problem }, 'webhook refused: malformed');
        return { status: 400, body: { error: reading.problem } };
      }
      if (reading.kind === 'ignored') return { status: 200, body: { status: 'ignored', trigger: reading.trigger } };
      const { effect } = reading;

      if (await store.get(appliedBookingKey(credentialId, effect.trigger, effect.uid))) {
        // Made through slotgraph: invalidated after Cal.com committed it, and announced already.
        return { status: 200, body: { status: 'already-applied' } };
      }
      const bodyHash = createHash('sha256').update(rawBody).digest('hex');
      const seenKey = `webhook-seen:${credentialId}:${createHash('sha256').update(`${effect.trigger}\n${effect.uid}\n${bodyHash}`).digest('hex')}`;
      if (!(await store.set(seenKey, String(now()), { ttlMs: dedupeTtlMs, onlyIfAbsent: true }))) {
        log.info({ trigger: effect.trigger, uid: effect.uid }, 'webhook replay ignored');
        return { status: 200, body: { status: 'duplicate' } };
      }
      try {
        const eventTypeIds = new Set<number>();
        const days = new Set<string>();
        for (const [startMs, endMs] of effect.ranges) {
          const range = instantRangeMs(startMs, endMs);
          const touched = await Promise.all([
            slotCache.invalidateHosts(effect.hostUserIds, range),
            ...(effect.eventTypeId !== null ? [slotCache.invalidate(effect.eventTypeId, range)] : []),
          ]);
          for (const t of touched) {
            for (const id of t.eventTypeIds) eventTypeIds.add(id);
            for (const day of t.days) days.add(day);
          }
        }
        const ids = [...eventTypeIds].sort((a, b) => a - b);
        const dayList = [...days].sort();
        const at = now();
        await changes.publish(...ids.map((eventTypeId) => ({ eventTypeId, reason: effect.reason, days: dayList, ranges: effect.ranges, at })));
        scheduleRevalidation(ids, dayList);
        log.info({ trigger: effect.trigger, uid: effect.uid, eventTypeIds: ids, days: dayList }, 'webhook applied');
        return { status: 200, body: { status: 'ok', eventTypeIds: ids, days: dayList } };
      } catch (err) {
        await store.del(seenKey).catch(() => 0); // not acted on: a redelivery may try again
        throw err;
      }
    },

    async flush() {
      for (const [timer, run] of timers) {
        clearTimeout(timer);
        run();
      }
      while (running.size > 0) await Promise.all([...running]);
    },

    async close() {
      for (const timer of timers.keys()) clearTimeout(timer);
      timers.clear();
      await Promise.all([...running]);
    },
  };
}
