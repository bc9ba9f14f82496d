/**
 * One phone call of a voice agent booking a haircut through slotgraph, as a script:
 *
 *   1. the caller wishes "tomorrow at 10:00" (Europe/Berlin, the demo haircut, event type 1001);
 *   2. the agent asks slotgraph's `alternatives` once: is it free, and if not, what is?
 *   3. it offers the wished slot, or reads the alternatives' `label`s aloud;
 *   4. while the caller thinks, it listens to `slotsChanged` for the offered days (graphql-ws) and
 *      says so when an offered slot is taken meanwhile (with `simAdminUrl`, another caller books one
 *      at the simulator to show it);
 *   5. the caller picks one; the agent holds it with `reserveSlot` while the caller gives a name;
 *   6. it books with `createBooking` and an idempotency key, and retries once with the same key, as a
 *      client would after a timeout: the answer is the same booking, not a second one.
 *
 * `runConversation` returns the transcript; `print` shows it as it happens. The CLI (main.ts) starts
 * an embedded simulator and gateway, or talks to a running slotgraph.
 */
import { randomUUID } from 'node:crypto';
import { print as printDocument } from 'graphql';
import { GraphQLClient } from 'graphql-request';
import { createClient, type Client } from 'graphql-ws';
import { DateTime } from 'luxon';
import WebSocket from 'ws';
import { Alternatives, Book, HoldSlot, OfferedDays, OfferedSlotsChanged } from './operations.js';
import { phrases, type Lang, type SpokenSlot } from './phrases.js';

/** The demo salon's haircut (30 min) in the embedded simulator. */
export const HAIRCUT_EVENT_TYPE_ID = 1001;
export const TIME_ZONE = 'Europe/Berlin';
/** What the caller wishes: tomorrow at this local time. */
export const WISHED_TIME = '10:00';
/** The caller, as caller ID and the name they give. */
export const CALLER = { name: 'Erika Mustermann', phoneNumber: '+4915112345678' } as const;

export interface ConversationOptions {
  /** slotgraph's GraphQL endpoint, e.g. http://127.0.0.1:4000/graphql */
  graphqlUrl: string;
  /** Its graphql-ws endpoint, e.g. ws://127.0.0.1:4000/graphql */
  wsUrl: string;
  /** @default "de" */
  lang?: Lang;
  /** Sent as `Authorization: Bearer <token>` (graphql-ws: in `connection_init`) when given. */
  token?: string;
  /**
   * The simulator's base URL (e.g. http://127.0.0.1:5555): when given, a competing caller books one
   * of the offered alternatives there (`POST /_sim/bookings`) while this caller thinks, to show the
   * live update. Never set this against Cal.com.
   */
  simAdminUrl?: string;
  /**
   * A fixed clock, ms since the epoch (the simulator's frozen one, for a repeatable call): "tomorrow"
   * and the reservation's minutes are computed from it. @default the real clock
   */
  now?: number;
  /** Called with each transcript line as it is said. @default console.log */
  print?: (line: string) => void;
  /** How long to wait for the live update after the competitor booked, ms. @default 10000 */
  liveUpdateTimeoutMs?: number;
}

export interface TranscriptLine {
  /** `note` lines are what a listener would not hear: demo events, what the retry answered. */
  speaker: 'agent' | 'caller' | 'note';
  text: string;
}

/** A slot offered to the caller. */
interface Offer extends SpokenSlot {
  /** UTC instant, as `createBooking` wants it. */
  start: string;
}

export async function runConversation(options: ConversationOptions): Promise<TranscriptLine[]> {
  const lang = options.lang ?? 'de';
  const clock = () => options.now ?? Date.now();
  const tomorrow = DateTime.fromMillis(clock(), { zone: TIME_ZONE }).plus({ days: 1 }).toISODate()!;
  const t = phrases(lang, tomorrow);
  const show = options.print ?? ((line: string) => console.log(line));
  const transcript: TranscriptLine[] = [];
  const line = (speaker: TranscriptLine['speaker'], text: string) => {
    transcript.push({ speaker, text });
    show(speaker === 'note' ? `  ${text}` : `${speaker === 'agent' ? t.agentName : t.callerName}: ${text}`);
  };
  const agent = (text: string) => line('agent', text);
  const caller = (text: string) => line('caller', text);

  const authorization = options.token ? `Bearer ${options.token}` : undefined;
  const gql = new GraphQLClient(options.graphqlUrl, { headers: authorization ? { authorization } : {} });
  const live = await connectLive(options.wsUrl, authorization);
  try {
    // 1-2. The wish, and one question to slotgraph.
    agent(t.greeting);
    caller(t.wish(WISHED_TIME));
    const { alternatives: answer } = await gql.request(Alternatives, {
      eventTypeId: HAIRCUT_EVENT_TYPE_ID,
      wishedLocal: `${tomorrow}T${WISHED_TIME}`,
      timeZone: TIME_ZONE,
      locale: lang,
    });
    if (!answer) throw new Error('slotgraph answered no alternatives');

    // 3. Offer the wish, or the alternatives as labelled.
    let offers: Offer[];
    if (answer.wishedSlotAvailable && answer.wishedSlot) {
      const wished = answer.wishedSlot;
      offers = [{ start: wished.start, label: '', localDate: wished.localDate, localTime: wished.localTime, dayOffset: 0 }];
      agent(t.wishFree(offers[0]!));
    } else {
      offers = answer.alternatives.map((a) => ({ start: a.slot.start, label: a.label, localDate: a.slot.localDate, localTime: a.slot.localTime, dayOffset: a.dayOffset }));
      if (offers.length === 0) {
        agent(t.nothingFree);
        return transcript;
      }
      agent(t.wishTaken(WISHED_TIME, offers));
    }

    // 4. While the caller thinks: live updates for the offered days.
    const days = offers.map((o) => o.localDate).sort();
    const changes = live.watch({ eventTypeId: HAIRCUT_EVENT_TYPE_ID, start: days[0]!, end: days.at(-1)!, timeZone: TIME_ZONE });
    try {
      if (options.simAdminUrl && offers.length > 1) {
        line('note', t.competitor(offers[0]!));
        await bookAsSomeoneElse(options.simAdminUrl, offers[0]!.start);
        const timeoutMs = options.liveUpdateTimeoutMs ?? 10_000;
        if ((await changes.next(timeoutMs)) === null) line('note', t.noLiveUpdate(timeoutMs / 1000));
      }
      if (changes.received() > 0) {
        // slotsChanged says which days changed, not what is free now: read the offered days again.
        const free = await freeStarts(gql, days[0]!, days.at(-1)!);
        const gone = offers.filter((o) => !free.has(o.start));
        offers = offers.filter((o) => free.has(o.start));
        if (gone.length > 0 && offers.length === 0) {
          agent(t.allGone);
          return transcript;
        }
        if (gone.length > 0) agent(t.takenMeanwhile(gone, offers));
      }
    } finally {
      changes.stop();
    }

    // 5. The caller picks; hold the slot while they give their name.
    const choice = offers[0]!;
    caller(answer.wishedSlotAvailable ? t.acceptWish : t.pick(choice));
    const { reserveSlot: hold } = await gql.request(HoldSlot, {
      input: { eventTypeId: HAIRCUT_EVENT_TYPE_ID, start: choice.start, timeZone: TIME_ZONE, locale: lang, idempotencyKey: randomUUID() },
    });
    if (hold.__typename === 'SlotUnavailable') {
      agent(t.takenNow(hold.alternatives.map((a) => a.label)));
      return transcript;
    }
    if (hold.__typename !== 'Reservation') {
      agent(t.problem(hold.message));
      return transcript;
    }
    agent(t.holding(choice, Math.round((Date.parse(hold.expiresAt) - clock()) / 60_000)));
    caller(t.name(CALLER.name));
    agent(t.booking(choice, CALLER.name));

    // 6. Book once; retry with the same key as after a lost answer: the same booking comes back.
    const input = {
      eventTypeId: HAIRCUT_EVENT_TYPE_ID,
      start: choice.start,
      reservationUid: hold.uid,
      attendee: { name: CALLER.name, phoneNumber: CALLER.phoneNumber, timeZone: TIME_ZONE, language: lang },
      idempotencyKey: randomUUID(),
    };
    const { createBooking: booked } = await gql.request(Book, { input });
    if (booked.__typename === 'SlotUnavailable') {
      agent(t.takenNow(booked.alternatives.map((a) => a.label)));
      return transcript;
    }
    if (booked.__typename !== 'Booking') {
      agent(t.problem(booked.message));
      return transcript;
    }
    const { createBooking: retried } = await gql.request(Book, { input });
    const retriedUid = retried.__typename === 'Booking' ? retried.uid : retried.__typename;
    line('note', retriedUid === booked.uid ? t.retried(booked.uid) : t.retryDiffered(booked.uid, retriedUid));
    agent(t.booked(booked));
    return transcript;
  } finally {
    await live.close();
  }
}

/** The starts of the free slots of the days `start`..`end`, as slotgraph sees them now. */
async function freeStarts(gql: GraphQLClient, start: string, end: string): Promise<Set<string>> {
  const { availability } = await gql.request(OfferedDays, { eventTypeId: HAIRCUT_EVENT_TYPE_ID, start, end, timeZone: TIME_ZONE });
  return new Set((availability?.days ?? []).flatMap((d) => d.slots.map((s) => s.start)));
}

/** Someone else books `start` at Cal.com (here: the simulator's admin API, through Cal.com's booking checks). */
async function bookAsSomeoneElse(simAdminUrl: string, start: string): Promise<void> {
  const res = await fetch(`${simAdminUrl.replace(/\/+$/, '')}/_sim/bookings`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ eventTypeId: HAIRCUT_EVENT_TYPE_ID, start }),
  });
  if (!res.ok) throw new Error(`the competing booking failed: HTTP ${res.status} ${await res.text()}`);
}

/** Live slot changes over one graphql-ws connection. */
interface Live {
  /** Subscribes to `slotsChanged` for a window; events are kept until read. */
  watch(variables: { eventTypeId: number; start: string; end: string; timeZone: string }): Changes;
  close(): Promise<void>;
}

interface Changes {
  /** Resolves with the next change, or null after `timeoutMs`. */
  next(timeoutMs: number): Promise<unknown>;
  /** Changes received so far. */
  received(): number;
  stop(): void;
}

/**
 * Opens the graphql-ws connection and waits for the server's acknowledgement, so that a
 * subscription sent afterwards is in place before anything the agent does next.
 */
async function connectLive(url: string, authorization: string | undefined): Promise<Live> {
  let connected!: () => void;
  let failed!: (err: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => {
    connected = resolve;
    failed = reject;
  });
  const client: Client = createClient({
    url,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    ...(authorization ? { connectionParams: { authorization } } : {}),
    on: { connected: () => connected(), closed: (event) => failed(new Error(`graphql-ws connection to ${url} closed: ${describeClose(event)}`)) },
    onNonLazyError: (err) => failed(err),
  });
  try {
    await ready;
  } catch (err) {
    await client.dispose();
    throw err;
  }
  return {
    watch(variables) {
      const events: unknown[] = [];
      const waiters: Array<(event: unknown) => void> = [];
      let count = 0;
      const unsubscribe = client.subscribe(
        { query: printDocument(OfferedSlotsChanged), variables },
        {
          next: (result) => {
            count += 1;
            const waiter = waiters.shift();
            if (waiter) waiter(result);
            else events.push(result);
          },
          error: () => {},
          complete: () => {},
        },
      );
      return {
        next(timeoutMs) {
          if (events.length > 0) return Promise.resolve(events.shift());
          return new Promise((resolve) => {
            const timer = setTimeout(() => {
              waiters.splice(waiters.indexOf(done), 1);
              resolve(null);
            }, timeoutMs);
            const done = (event: unknown) => {
              clearTimeout(timer);
              resolve(event);
            };
            waiters.push(done);
          });
        },
        received: () => count,
        stop: unsubscribe,
      };
    },
    close: () => client.dispose() as Promise<void>,
  };
}

function describeClose(event: unknown): string {
  const e = event as { code?: number; reason?: string } | undefined;
  return e?.code ? `${e.code}${e.reason ? ` ${e.reason}` : ''}` : String(event);
}
