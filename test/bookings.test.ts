/**
 * Booking mutations end to end (gateway → simulator over loopback, Redis where instances share
 * state): typed results, idempotency, no double booking, taken slots answered with alternatives,
 * reservations, validation before any upstream call, and attendee data kept out of the logs.
 * Upstream calls are counted by the simulator.
 */
import { randomUUID } from 'node:crypto';
import { beforeEach, describe, expect, it } from 'vitest';
import { print } from 'graphql';
import { graphql } from './gql/index.js';
import { capturingLog, prepareSalons, type Stack, startStack, startStore, uniquePrefix, until } from './support/stack.js';

const CreateBooking = graphql(`
  mutation CreateBooking($input: CreateBookingInput!) {
    createBooking(input: $input) {
      __typename
      ... on Booking {
        uid
        status
        eventTypeId
        start
        end
        timeZone
        localDate
        localTime
        utcOffset
        attendees {
          name
          email
          timeZone
        }
      }
      ... on SlotUnavailable {
        requestedStart
        alternatives {
          slot {
            start
            localTime
          }
          label
        }
      }
      ... on InvalidInput {
        field
      }
      ... on Error {
        message
      }
    }
  }
`);

const ReserveSlot = graphql(`
  mutation ReserveSlot($input: ReserveSlotInput!) {
    reserveSlot(input: $input) {
      __typename
      ... on Reservation {
        uid
        start
        end
        expiresAt
      }
      ... on Error {
        message
      }
    }
  }
`);

const CancelBooking = graphql(`
  mutation CancelBooking($input: CancelBookingInput!) {
    cancelBooking(input: $input) {
      __typename
      ... on Booking {
        uid
        status
      }
      ... on Error {
        message
      }
    }
  }
`);

const RescheduleBooking = graphql(`
  mutation RescheduleBooking($input: RescheduleBookingInput!) {
    rescheduleBooking(input: $input) {
      __typename
      ... on Booking {
        uid
        start
        localTime
        rescheduledFromUid
      }
      ... on Error {
        message
      }
    }
  }
`);

const Day = graphql(`
  query BookingDay($eventTypeId: Int!, $date: LocalDate!) {
    availability(eventTypeId: $eventTypeId, start: $date, end: $date, timeZone: "Europe/Berlin") {
      days {
        slots {
          start
          localTime
        }
      }
    }
  }
`);

/** The gateways' and the simulator's clock: Monday 2025-10-20, 00:00 UTC. */
const NOW = '2025-10-20T00:00:00Z';
/** Wednesday 2025-10-22, 10:00 Berlin (CEST). */
const SLOT = '2025-10-22T08:00:00.000Z';

const attendee = (n = 1) => ({ name: `Caller ${n}`, email: `caller${n}@example.com`, timeZone: 'Europe/Berlin', language: 'de' });
const bookingInput = (overrides: Record<string, unknown> = {}) => ({
  eventTypeId: 1,
  start: SLOT,
  attendee: attendee(),
  idempotencyKey: randomUUID(),
  ...overrides,
});

/** Event type 1 (60 min) and 2 (30 min) of user 7, open 09:00-17:00 Berlin every day, on the clock at NOW. */
const prepare = (stack: Stack) => prepareSalons(stack, NOW);

const calls = async (stack: Stack, route: string) => (await stack.admin.stats()).requests[route] ?? 0;
const bookingsAt = async (stack: Stack) => ((await stack.admin.bookings()) as Array<{ start: string; status: string }>).filter((b) => b.status === 'accepted');

let stack: Stack;
beforeEach(async () => {
  stack = await startStack({ now: () => Date.parse(NOW) });
  await prepare(stack);
});

describe('createBooking', () => {
  it('books a free slot, answers it in the attendee’s zone, and takes it from every event type of the host', async () => {
    await stack.client.request(Day, { eventTypeId: 2, date: '2025-10-22' }); // cached before
    const feed = stack.gateway.services.changes.subscribe(2); // the sibling's changes
    const next = feed.next();
    await stack.gateway.services.changes.ready();
    const { createBooking } = await stack.client.request(CreateBooking, { input: bookingInput() });
    expect(createBooking).toMatchObject({
      __typename: 'Booking',
      status: 'ACCEPTED',
      eventTypeId: 1,
      start: SLOT,
      end: '2025-10-22T09:00:00.000Z',
      timeZone: 'Europe/Berlin',
      localDate: '2025-10-22',
      localTime: '10:00',
      utcOffset: '+02:00',
      attendees: [{ name: 'Caller 1', email: 'caller1@example.com', timeZone: 'Europe/Berlin' }],
    });
    expect(await calls(stack, 'POST /v2/bookings')).toBe(1);
    // The sibling event type (same host) no longer offers 10:00 and 10:30: refetched once.
    await stack.admin.clearStats();
    const sibling = await stack.client.request(Day, { eventTypeId: 2, date: '2025-10-22' });
    expect(sibling.availability!.days[0]!.slots.map((s) => s.localTime)).not.toContain('10:00');
    expect(sibling.availability!.days[0]!.slots.map((s) => s.localTime)).not.toContain('10:30');
    expect(await calls(stack, 'GET /v2/slots')).toBe(1);
    expect((await next).value).toMatchObject({ eventTypeId: 2, reason: 'booking.created', days: ['2025-10-22'], ranges: [[Date.parse(SLOT), Date.parse(SLOT) + 3_600_000]] });
    await feed.return!();
  });

  it('answers a slot booked behind its back (after our availability read) with SlotUnavailable and fresh alternatives', async () => {
    const before = await stack.client.request(Day, { eventTypeId: 1, date: '2025-10-22' });
    expect(before.availability!.days[0]!.slots.map((s) => s.start)).toContain(SLOT);
    await stack.admin.addBooking(1, SLOT); // someone else, at Cal.com
    const { createBooking } = await stack.client.request(CreateBooking, { input: bookingInput() });
    expect(createBooking.__typename).toBe('SlotUnavailable');
    if (createBooking.__typename !== 'SlotUnavailable') return;
    expect(createBooking.requestedStart).toBe(SLOT);
    expect(createBooking.alternatives.length).toBeGreaterThan(0);
    expect(createBooking.alternatives.map((a) => a.slot.start)).not.toContain(SLOT);
    expect(createBooking.alternatives[0]!.label).toMatch(/am selben Tag|Uhr/);
    expect(await bookingsAt(stack)).toHaveLength(1);
  });

  it('reads the day fresh before refusing on stale data: a slot freed since the last read is booked', async () => {
    let now = Date.parse(NOW);
    const clocked = await startStack({ now: () => now });
    await prepare(clocked);
    const theirs = (await clocked.admin.addBooking(1, SLOT)) as { uid: string };
    const before = await clocked.client.request(Day, { eventTypeId: 1, date: '2025-10-22' });
    expect(before.availability!.days[0]!.slots.map((s) => s.start)).not.toContain(SLOT);
    // They cancel at Cal.com; slotgraph has not heard of it, and its copy of the day turns stale.
    await fetch(`${clocked.sim.apiUrl}/bookings/${theirs.uid}/cancel`, { method: 'POST', headers: { 'cal-api-version': '2024-08-13', 'content-type': 'application/json' }, body: '{}' });
    now += 60_000;
    const { createBooking } = await clocked.client.request(CreateBooking, { input: bookingInput() });
    expect(createBooking.__typename).toBe('Booking');
  });

  it('refuses a start that is not a free slot without asking Cal.com to book', async () => {
    const { createBooking } = await stack.client.request(CreateBooking, { input: bookingInput({ start: '2025-10-22T03:00:00.000Z' }) });
    expect(createBooking.__typename).toBe('SlotUnavailable');
    expect(await calls(stack, 'POST /v2/bookings')).toBe(0);
  });

  it('is idempotent: the same request twice at once on two instances and once later → one booking, one upstream write', async () => {
    const keyPrefix = uniquePrefix();
    const first = await startStack({ now: () => Date.parse(NOW), store: await startStore('redis', keyPrefix) });
    const second = await startStack({ sim: first.sim, now: () => Date.parse(NOW), store: await startStore('redis', keyPrefix) });
    await prepare(first);
    await first.admin.configure({ latencyMs: { min: 100, max: 100 } }); // both arrive while the first is in flight
    const input = bookingInput();
    const [a, b] = await Promise.all([first.client.request(CreateBooking, { input }), second.client.request(CreateBooking, { input })]);
    const c = await second.client.request(CreateBooking, { input });
    expect([a, b, c].map((r) => r.createBooking.__typename)).toEqual(['Booking', 'Booking', 'Booking']);
    const uids = [a, b, c].map((r) => (r.createBooking as { uid: string }).uid);
    expect(new Set(uids).size).toBe(1);
    expect(await calls(first, 'POST /v2/bookings')).toBe(1);
    expect(await bookingsAt(first)).toHaveLength(1);
    // The key reused with another start: refused, nothing booked.
    const reused = await first.client.request(CreateBooking, { input: { ...input, start: '2025-10-22T12:00:00.000Z' } });
    expect(reused.createBooking).toMatchObject({ __typename: 'InvalidInput', field: 'idempotencyKey' });
    expect(await calls(first, 'POST /v2/bookings')).toBe(1);
  });

  it('never double-books: 20 callers at once on two instances → one booking, 19 SlotUnavailable without the slot', async () => {
    const keyPrefix = uniquePrefix();
    const first = await startStack({ now: () => Date.parse(NOW), store: await startStore('redis', keyPrefix) });
    const second = await startStack({ sim: first.sim, now: () => Date.parse(NOW), store: await startStore('redis', keyPrefix) });
    await prepare(first);
    await first.admin.configure({ latencyMs: { min: 20, max: 60 } });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? second : first).client.request(CreateBooking, { input: bookingInput({ attendee: attendee(i) }) })),
    );
    const kinds = results.map((r) => r.createBooking.__typename);
    expect(kinds.filter((k) => k === 'Booking')).toHaveLength(1);
    expect(kinds.filter((k) => k === 'SlotUnavailable')).toHaveLength(19);
    for (const r of results) {
      if (r.createBooking.__typename === 'SlotUnavailable') expect(r.createBooking.alternatives.map((a) => a.slot.start)).not.toContain(SLOT);
    }
    expect(await bookingsAt(first)).toHaveLength(1);
  });

  it('resolves a timeout after Cal.com booked by finding the booking, never by booking twice', async () => {
    const slow = await startStack({ now: () => Date.parse(NOW), timeoutMs: 300 });
    await prepare(slow);
    await slow.admin.configure({ nextBookingCall: { delayMs: 1_000 } }); // Cal.com books, then answers late
    const input = bookingInput();
    const { createBooking } = await slow.client.request(CreateBooking, { input });
    // Found through the booking's metadata at once, or, if the lookup came too early, on the retry.
    const settled = createBooking.__typename === 'Booking' ? createBooking : (await slow.client.request(CreateBooking, { input })).createBooking;
    expect(settled.__typename).toBe('Booking');
    expect(await bookingsAt(slow)).toHaveLength(1);
    expect(await calls(slow, 'POST /v2/bookings')).toBe(1);
  });

  it('reports Cal.com down as UpstreamUnavailable and books on the retry with the same key', async () => {
    await stack.admin.configure({ nextBookingCall: { status: 503, commit: false } });
    const input = bookingInput();
    const failed = await stack.client.request(CreateBooking, { input });
    expect(failed.createBooking.__typename).toBe('UpstreamUnavailable');
    const retried = await stack.client.request(CreateBooking, { input });
    expect(retried.createBooking.__typename).toBe('Booking');
    expect(await bookingsAt(stack)).toHaveLength(1);
  });
});

describe('reservations', () => {
  it('lets the reserver book, refuses another caller meanwhile, and answers ReservationExpired once it lapsed', async () => {
    const { reserveSlot } = await stack.client.request(ReserveSlot, { input: { eventTypeId: 1, start: SLOT, timeZone: 'Europe/Berlin', idempotencyKey: randomUUID() } });
    expect(reserveSlot.__typename).toBe('Reservation');
    if (reserveSlot.__typename !== 'Reservation') return;
    expect(reserveSlot).toMatchObject({ start: SLOT, end: '2025-10-22T09:00:00.000Z' });

    const other = await stack.client.request(CreateBooking, { input: bookingInput({ attendee: attendee(2) }) });
    expect(other.createBooking.__typename).toBe('SlotUnavailable');

    const mine = await stack.client.request(CreateBooking, { input: bookingInput({ reservationUid: reserveSlot.uid }) });
    expect(mine.createBooking).toMatchObject({ __typename: 'Booking', start: SLOT });
    expect(await bookingsAt(stack)).toHaveLength(1);

    // A reservation on another slot, left to lapse (the simulator's clock moves past it).
    const later = await stack.client.request(ReserveSlot, { input: { eventTypeId: 1, start: '2025-10-22T12:00:00.000Z', idempotencyKey: randomUUID() } });
    if (later.reserveSlot.__typename !== 'Reservation') throw new Error('not reserved');
    await stack.admin.setClock('2025-10-20T00:10:00Z');
    const lapsed = await startStack({ sim: stack.sim, now: () => Date.parse('2025-10-20T00:10:00Z') });
    const expired = await lapsed.client.request(CreateBooking, {
      input: bookingInput({ start: '2025-10-22T12:00:00.000Z', reservationUid: later.reserveSlot.uid }),
    });
    expect(expired.createBooking.__typename).toBe('ReservationExpired');
  });
});

describe('cancel and reschedule', () => {
  it('cancels once (a repeat with the key answers the same), and frees the slot for everyone', async () => {
    const booked = (await stack.client.request(CreateBooking, { input: bookingInput() })).createBooking as { uid: string };
    const input = { uid: booked.uid, reason: 'caller cancelled', idempotencyKey: randomUUID() };
    const first = await stack.client.request(CancelBooking, { input });
    const again = await stack.client.request(CancelBooking, { input });
    expect([first.cancelBooking, again.cancelBooking]).toEqual([
      { __typename: 'Booking', uid: booked.uid, status: 'CANCELLED' },
      { __typename: 'Booking', uid: booked.uid, status: 'CANCELLED' },
    ]);
    expect(await calls(stack, 'POST /v2/bookings/{uid}/cancel')).toBe(1);
    const day = await stack.client.request(Day, { eventTypeId: 1, date: '2025-10-22' });
    expect(day.availability!.days[0]!.slots.map((s) => s.start)).toContain(SLOT);
    const unknown = await stack.client.request(CancelBooking, { input: { uid: 'nope', idempotencyKey: randomUUID() } });
    expect(unknown.cancelBooking.__typename).toBe('BookingNotFound');
  });

  it('reschedules with one upstream write: a new uid, the old time free, the new one taken', async () => {
    const booked = (await stack.client.request(CreateBooking, { input: bookingInput() })).createBooking as { uid: string };
    await stack.admin.clearStats();
    const moved = await stack.client.request(RescheduleBooking, { input: { uid: booked.uid, start: '2025-10-23T12:00:00.000Z', idempotencyKey: randomUUID() } });
    expect(moved.rescheduleBooking).toMatchObject({ __typename: 'Booking', start: '2025-10-23T12:00:00.000Z', localTime: '14:00', rescheduledFromUid: booked.uid });
    expect(await calls(stack, 'POST /v2/bookings/{uid}/reschedule')).toBe(1);
    expect(await calls(stack, 'POST /v2/bookings')).toBe(0);
    const oldDay = await stack.client.request(Day, { eventTypeId: 1, date: '2025-10-22' });
    expect(oldDay.availability!.days[0]!.slots.map((s) => s.start)).toContain(SLOT);
    const newDay = await stack.client.request(Day, { eventTypeId: 1, date: '2025-10-23' });
    expect(newDay.availability!.days[0]!.slots.map((s) => s.localTime)).not.toContain('14:00');
  });
});

describe('validation before any upstream call', () => {
  it.each([
    ['attendee.name', { attendee: { ...attendee(), name: '  ' } }],
    ['attendee.email', { attendee: { name: 'No Contact', timeZone: 'Europe/Berlin' } }],
    ['attendee.email', { attendee: { ...attendee(), email: 'not-an-address' } }],
    ['attendee.phoneNumber', { attendee: { ...attendee(), phoneNumber: '030 123456' } }],
    ['attendee.timeZone', { attendee: { ...attendee(), timeZone: 'Mars/Olympus_Mons' } }],
    ['attendee.language', { attendee: { ...attendee(), language: 'klingon' } }],
    ['metadata', { metadata: Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, 'v'])) }],
    ['metadata.slotgraphIdempotencyKey', { metadata: { slotgraphIdempotencyKey: 'mine' } }],
    ['metadata.note', { metadata: { note: 'x'.repeat(501) } }],
    ['guests.0', { guests: ['nobody'] }],
    ['start', { start: '2025-10-19T08:00:00.000Z' }],
    ['start', { start: '2026-12-01T08:00:00.000Z' }],
    ['duration', { duration: 0 }],
    ['eventTypeId', { eventTypeId: -3 }],
    ['idempotencyKey', { idempotencyKey: '' }],
  ])('%s → InvalidInput, zero upstream calls', async (field, override) => {
    const { createBooking } = await stack.client.request(CreateBooking, { input: bookingInput(override) });
    expect(createBooking).toMatchObject({ __typename: 'InvalidInput', field });
    expect((await stack.admin.stats()).total).toBe(0);
  });
});

describe('attendee data in logs', () => {
  it('never shows an attendee’s e-mail address or phone number, through successes and failures', async () => {
    const { log, lines } = capturingLog();
    const logged = await startStack({ now: () => Date.parse(NOW), log });
    await prepare(logged);
    const who = { name: 'Private Person', email: 'private.person@example.org', phoneNumber: '+4915112345678', timeZone: 'Europe/Berlin' };
    await logged.client.request(CreateBooking, { input: bookingInput({ attendee: who }) });
    await logged.client.request(CreateBooking, { input: bookingInput({ attendee: who }) }); // taken
    await logged.admin.configure({ nextBookingCall: { status: 500 } });
    await logged.client.request(CreateBooking, { input: bookingInput({ attendee: who, start: '2025-10-22T12:00:00.000Z' }) });
    const all = lines.join('');
    expect(all).toContain('upstream call'); // the check below looked at something
    expect(all).not.toContain('private.person@example.org');
    expect(all).not.toContain('+4915112345678');
    expect(all).not.toContain('4915112345678');
  });
});

it('answers a mutation document over GraphQL-over-HTTP with typed data, not an error', async () => {
  const body = await stack.post(print(CreateBooking), { input: bookingInput({ attendee: { ...attendee(), email: 'x' } }) });
  expect(body.errors).toBeUndefined();
  expect(body.data.createBooking).toMatchObject({ __typename: 'InvalidInput', field: 'attendee.email' });
});
