/**
 * Live availability (docs/subscriptions.md), over graphql-ws and GraphQL over SSE on /graphql:
 *
 * - `slotsChanged`: one event per change of an event type's slots that touches the subscribed
 *   window, with the local dates it touched in the subscriber's zone;
 * - `availabilityLive`: the window's availability at once, then again after every change in it
 *   (each read through fresh per-event loaders, so nothing is served from an earlier event's
 *   DataLoader), and on a re-poll interval for what Cal.com sends no webhook for.
 *
 * Changes come from mutations and Cal.com webhooks through the change feed (src/changes.ts),
 * which reaches every instance.
 */
import { DateTime } from 'luxon';
import type { SlotChange, SlotChangeReason } from '../changes.js';
import type { GatewayContext } from '../context.js';
import { badUserInput } from '../errors.js';
import { createRequestLoaders } from '../loaders/index.js';
import { daysOf, rangeInstants, utcDayOf } from '../loaders/planner.js';
import { localDaysToRange, parseLocalDate } from '../time.js';
import { AvailabilityRef, checkAvailabilityArgs, computeAvailability, type AvailabilityShape } from './availability.js';
import { builder } from './builder.js';
import { canonicalZone, checkEventTypeAccess, checkEventTypeId } from './inputs.js';

const REASONS: Record<SlotChangeReason, string> = {
  'booking.created': 'A booking took the time.',
  'booking.requested': 'A booking that needs confirmation may hold the time.',
  'booking.cancelled': 'A cancellation (or rejection) freed the time.',
  'booking.rescheduled': 'A booking moved: its old time is free, its new time taken.',
  'reservation.created': 'A reservation holds the time for a few minutes.',
  'reservation.released': 'A reservation was released.',
  'slot.taken': 'Cal.com refused a booking: the time was taken elsewhere.',
  revalidated: 'A later re-read found Cal.com’s slots changed (a webhook had outrun Cal.com’s own reads).',
};
const reasonName = (r: SlotChangeReason) => r.toUpperCase().replace('.', '_');

const SlotChangeReasonRef = builder.enumType('SlotChangeReason', {
  description: 'Why slots changed.',
  values: Object.fromEntries(Object.entries(REASONS).map(([r, description]) => [reasonName(r as SlotChangeReason), { value: r, description }])) as Record<
    string,
    { value: SlotChangeReason; description: string }
  >,
});

interface SlotsChangedShape {
  eventTypeId: number;
  reason: SlotChangeReason;
  affectedDates: string[];
  occurredAt: Date;
}

const SlotsChangedRef = builder.objectRef<SlotsChangedShape>('SlotsChanged').implement({
  description: 'A change of an event type’s free slots.',
  fields: (t) => ({
    eventTypeId: t.exposeInt('eventTypeId'),
    reason: t.expose('reason', { type: SlotChangeReasonRef }),
    affectedDates: t.expose('affectedDates', {
      type: ['LocalDate'],
      description: "The local dates (in the subscription's `timeZone`) whose slots changed, within the subscribed window.",
    }),
    occurredAt: t.expose('occurredAt', { type: 'DateTime', description: 'When slotgraph learned of the change (UTC).' }),
  }),
});

/** The local dates in `zone` a change touches: its intervals, or (without intervals) its UTC days. */
function localDatesOf(change: SlotChange, zone: string): string[] {
  const dates = new Set<string>();
  const spans = change.ranges.length > 0 ? change.ranges : change.days.map((day) => { const r = rangeInstants({ first: day, last: day }); return [r.start, r.end] as [number, number]; });
  for (const [startMs, endMs] of spans) {
    const first = DateTime.fromMillis(startMs, { zone }).startOf('day');
    const last = DateTime.fromMillis(Math.max(startMs, endMs - 1), { zone }).startOf('day');
    for (let d = first; d <= last; d = d.plus({ days: 1 }).startOf('day')) dates.add(d.toISODate()!);
  }
  return [...dates].sort();
}

/** Resolves on the first of `promise`, the signal's abort (null), or `ms` (undefined). */
function nextOf<T>(promise: Promise<T>, signal: AbortSignal | undefined, ms: number | null): Promise<T | null | undefined> {
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const onAbort = () => finish(() => resolve(null));
    const finish = (settle: () => void) => {
      if (timer) clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      settle();
    };
    if (signal?.aborted) return resolve(null);
    signal?.addEventListener('abort', onAbort, { once: true });
    if (ms !== null) timer = setTimeout(() => finish(() => resolve(undefined)), ms);
    promise.then(
      (value) => finish(() => resolve(value)),
      (err: unknown) => finish(() => reject(err)),
    );
  });
}

/**
 * An async iterator over `run`'s generator that can be ended while the generator waits: `return()`
 * (a client completing the operation) and the outer signal (the client going away) abort the signal
 * `run` waits on, so its pending wait ends at once and its `finally` releases the change feed. (An
 * async generator's own `return()` would only run after its next `yield`.)
 */
function interruptible<T>(run: (signal: AbortSignal) => AsyncGenerator<T>, outer: AbortSignal | undefined): AsyncIterableIterator<T> {
  const controller = new AbortController();
  const onOuter = () => controller.abort();
  if (outer?.aborted) controller.abort();
  else outer?.addEventListener('abort', onOuter, { once: true });
  const generator = run(controller.signal);
  const end = () => {
    controller.abort();
    outer?.removeEventListener('abort', onOuter);
  };
  return {
    next: () => generator.next(),
    return(value?: unknown) {
      end();
      return generator.return(value as T);
    },
    throw(err?: unknown) {
      end();
      return generator.throw(err);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

builder.subscriptionType({ description: 'Live slot changes (graphql-ws or GraphQL over SSE on /graphql); see docs/subscriptions.md.' });

builder.subscriptionField('slotsChanged', (t) =>
  t.field({
    type: SlotsChangedRef,
    description:
      'One event per change of the event type’s slots that touches the window `start`..`end` (local dates in `timeZone`, default UTC; without them, any change). Changes come from bookings through slotgraph and from Cal.com’s booking webhooks.',
    args: {
      eventTypeId: t.arg.int({ required: true }),
      start: t.arg({ type: 'LocalDate' }),
      end: t.arg({ type: 'LocalDate' }),
      timeZone: t.arg({ type: 'TimeZone' }),
    },
    subscribe: (_root, args, ctx: GatewayContext) => interruptible((signal) => slotsChangedStream(args, ctx, signal), ctx.call.signal),
    resolve: (event: SlotsChangedShape) => event,
  }),
);

async function* slotsChangedStream(
  args: { eventTypeId: number; start?: string | null; end?: string | null; timeZone?: string | null },
  ctx: GatewayContext,
  signal: AbortSignal,
) {
  checkEventTypeId(args.eventTypeId);
  checkEventTypeAccess(ctx.services, args.eventTypeId);
  const zone = canonicalZone(args.timeZone ?? 'UTC');
  if (args.start && args.end && args.end < args.start) throw badUserInput('end', `${args.end} is before start ${args.start}`);
  const { changes } = ctx.services;
  const feed = changes.subscribe(args.eventTypeId);
  try {
    const first = feed.next();
    await changes.ready();
    let pending: Promise<IteratorResult<SlotChange>> = first;
    for (;;) {
      const result = await nextOf(pending, signal, null);
      if (!result || result.done) return;
      pending = feed.next();
      const affectedDates = localDatesOf(result.value, zone).filter((d) => (!args.start || d >= args.start) && (!args.end || d <= args.end));
      if (affectedDates.length === 0) continue;
      yield { eventTypeId: args.eventTypeId, reason: result.value.reason, affectedDates, occurredAt: new Date(result.value.at) };
    }
  } finally {
    await feed.return?.();
  }
}

builder.subscriptionField('availabilityLive', (t) =>
  t.field({
    type: AvailabilityRef,
    description:
      'The availability of the window at once, then again after every change in it, and after a re-poll that found something new (for what Cal.com sends no webhook for: schedule edits, external calendars). N subscribers on one window cost one upstream refresh.',
    args: {
      eventTypeId: t.arg.int({ required: true }),
      start: t.arg({ type: 'LocalDate', required: true }),
      end: t.arg({ type: 'LocalDate', required: true }),
      timeZone: t.arg({ type: 'TimeZone', required: true }),
      duration: t.arg.int(),
    },
    subscribe: (_root, args, ctx: GatewayContext) => interruptible((signal) => availabilityLiveStream(args, ctx, signal), ctx.call.signal),
    resolve: (value: AvailabilityShape) => value,
  }),
);

/** The UTC days a local window covers, for matching changes against it. */
function windowDays(start: string, end: string, zone: string): Set<string> {
  const range = localDaysToRange(start, end, zone);
  return new Set(daysOf({ first: utcDayOf(range.start), last: utcDayOf(range.end - 1) }));
}

async function* availabilityLiveStream(
  args: { eventTypeId: number; start: string; end: string; timeZone: string; duration?: number | null },
  ctx: GatewayContext,
  signal: AbortSignal,
) {
  const { services } = ctx;
  checkAvailabilityArgs(args, services.now()); // bad arguments end the subscription before anything
  if (!parseLocalDate(args.start) || !parseLocalDate(args.end)) throw badUserInput('start', 'not a calendar date');
  const zone = canonicalZone(args.timeZone);
  const days = windowDays(args.start, args.end, zone);
  const pollMs = services.live.pollMs;
  /** Each event reads through fresh loaders (a subscription outlives a request's DataLoader cache). */
  const read = (options: { priority?: 'interactive' | 'background'; maxAgeMs?: number } = {}) =>
    computeAvailability(
      args,
      createRequestLoaders(services, { ...(options.maxAgeMs !== undefined ? { maxAgeMs: options.maxAgeMs } : {}) }, {
        priority: options.priority ?? ctx.call.priority ?? 'interactive',
        signal,
      }),
      services,
    );
  const feed = services.changes.subscribe(args.eventTypeId);
  try {
    let pending = feed.next();
    await services.changes.ready();
    let last = await read();
    yield last;
    for (;;) {
      const result = await nextOf(pending, signal, pollMs > 0 ? pollMs : null);
      if (result === null || result?.done) return;
      if (result === undefined) {
        // Re-poll: data younger than the interval counts as refreshed (costs nothing); a change
        // Cal.com sent no webhook for shows here.
        const polled = await read({ priority: 'background', maxAgeMs: pollMs });
        if (JSON.stringify(polled.days) !== JSON.stringify(last.days)) {
          last = polled;
          yield last;
        }
        continue;
      }
      pending = feed.next();
      if (!result.value.days.some((day) => days.has(day))) continue;
      last = await read();
      yield last;
    }
  } finally {
    await feed.return?.();
  }
}
