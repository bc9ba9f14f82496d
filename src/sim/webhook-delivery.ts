/**
 * Webhook delivery of the simulator: the booking payloads Cal.com sends on BOOKING_CREATED,
 * BOOKING_RESCHEDULED and BOOKING_CANCELLED, signed and POSTed to every active user webhook subscribed
 * to the trigger, and a log of every attempt for tests (`GET /_sim/webhook-deliveries`).
 * docs/calcom-contract.md#webhooks. Sources (paths in calcom/cal.com):
 *
 * - envelope, headers, signature: packages/features/webhooks/lib/sendPayload.ts @008952de (`sendPayload`:
 *   `JSON.stringify({triggerEvent, createdAt, payload})`, `createdAt` = `new Date().toISOString()` at
 *   send time, `description = description || additionalNotes`, `addUTCOffset` on organizer and attendees;
 *   `_sendPayload`: POST, `redirect: "manual"`, `Content-Type`, `X-Cal-Signature-256`) and
 *   packages/features/webhooks/lib/service/WebhookService.ts @e26484e4 (`sendWebhookDirectly` adds
 *   `X-Cal-Webhook-Version: subscriber.version`);
 * - who gets it: packages/features/webhooks/lib/getWebhooks.ts @0b274f07 (`active` and the trigger in
 *   `eventTriggers`);
 * - no retry: packages/features/bookings/lib/handleWebhookTrigger.ts @5b6d63e6 sends each subscriber
 *   once and only logs a failure (`sendPayload(...).catch(log)`, `Promise.all`); WebhookService.ts
 *   @e26484e4 `processWebhooks` likewise logs a non-ok result (`Promise.allSettled`). Neither sets a
 *   timeout; the simulator gives up after {@link DELIVERY_TIMEOUT_MS};
 * - created / rescheduled payload: packages/features/bookings/lib/service/RegularBookingService.ts
 *   @368f82de (`webhookData = {...evt, ...eventTypeInfo, bookingId, rescheduleId, rescheduleUid,
 *   rescheduleStartTime, rescheduleEndTime, metadata: {...{videoCallUrl}, ...reqBody.metadata},
 *   eventTypeId, status: "ACCEPTED", rescheduledBy}`, times `dayjs(...).utc().format()` = `…Z`);
 * - cancelled payload: packages/features/bookings/lib/handleCancelBooking.ts (`evt` with
 *   `dayjs(startTime).format()` = `…+00:00` on a UTC server, `type` = slug, `team` only with a team id,
 *   `iCalSequence + 1`, then `{...evt, ...eventTypeInfo, status: "CANCELLED", cancelledBy}`).
 *
 * Keys are in the order of the vendored deliveries test/fixtures/webhooks/*.json (built to the shape
 * of @4d51873). What the simulator has no data for is filled as Cal.com fills it for a user without
 * calendars, apps or payments: `destinationCalendar` null ([] on cancel), `price` 0, `currency` "usd".
 */
import { DateTime } from 'luxon';
import { CALCOM_WEBHOOK_DELIVERY, calcomWebhookSignature } from '../upstream/contract.js';
import { hostName } from './booking-engine.js';
import { hostEmail } from './booking-output.js';
import type { BookingEvent, SimEventType, StoredBooking, StoredWebhook } from './model.js';
import type { SimState } from './state.js';

/** The simulator's give-up time for one POST (Cal.com's fetch has none of its own). */
export const DELIVERY_TIMEOUT_MS = 5_000;
/** Delivery attempts kept for `GET /_sim/webhook-deliveries`. */
export const DELIVERY_LOG_SIZE = 1000;

/** One delivery attempt, as `GET /_sim/webhook-deliveries` lists them. */
export interface WebhookDelivery {
  webhookId: string;
  subscriberUrl: string;
  triggerEvent: string;
  /** The booking's uid (for a reschedule, the new booking's). */
  uid: string;
  /** The body's `createdAt` (simulator clock at send time). */
  createdAt: string;
  /** Real time the POST started. */
  sentAt: string;
  /** The subscriber's HTTP status; 0 when no answer came (refused, reset, timed out). */
  status: number;
  /** 2xx. */
  ok: boolean;
  durationMs: number;
  /** Why no answer came (`ECONNREFUSED`, `timeout after 5000 ms`, …). */
  error?: string;
}

const Z_FORMAT = "yyyy-MM-dd'T'HH:mm:ss'Z'";
/** dayjs(x).utc().format(): seconds, no milliseconds, `Z`. */
const utcZ = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toFormat(Z_FORMAT);
/** dayjs(x).format() on a server running in UTC: `+00:00`. */
const utcOffsetFormat = (ms: number) => DateTime.fromMillis(ms, { zone: 'utc' }).toFormat("yyyy-MM-dd'T'HH:mm:ss'+00:00'");
/** packages/lib/dayjs getUTCOffsetByTimezone: the zone's offset in minutes at the booking's start. */
const utcOffset = (zone: string, atMs: number) => DateTime.fromMillis(atMs, { zone }).offset;

const CAL_VIDEO = /^https:\/\/app\.cal\.com\/video\//;
/** The booking's location as Cal.com stores it: Cal Video is `integrations:daily`, its URL goes to metadata. */
const isCalVideo = (b: StoredBooking) => CAL_VIDEO.test(b.location);
const locationOf = (b: StoredBooking) => (isCalVideo(b) ? 'integrations:daily' : b.location);

/**
 * The system booking fields (packages/features/bookings/lib/getBookingFields.ts
 * `ensureBookingInputsHaveSystemFields`: name `your_name`, email `email_address`, location `location`,
 * attendeePhoneNumber `phone_number`, title `what_is_this_meeting_about` (hidden by default), notes
 * `additional_notes`, guests `additional_guests`, rescheduleReason `reason_for_reschedule`) and the
 * simulator's stored response keys for them.
 */
const SYSTEM_RESPONSE_KEYS = new Set(['name', 'email', 'attendeePhoneNumber', 'location', 'title', 'notes', 'guests', 'rescheduleReason', 'rescheduledReason']);

/**
 * `responses` (packages/features/bookings/lib/getCalEventResponses.ts getCalEventResponses): every booking field as `{label, value, isHidden}`, system fields
 * with Cal.com's default labels, then the caller's own fields (labelled by name, as
 * `userFieldsResponses` too).
 */
function calEventResponses(b: StoredBooking) {
  const r = b.responses;
  const location = isCalVideo(b)
    ? { optionValue: '', value: 'integrations:daily' }
    : typeof r.location === 'object' && r.location !== null
      ? { optionValue: (r.location as { optionValue?: string }).optionValue ?? '', value: (r.location as { value?: string }).value ?? '' }
      : { optionValue: b.location, value: 'somewhereElse' };
  const user: Record<string, { label: string; value: unknown; isHidden: boolean }> = {};
  for (const [key, value] of Object.entries(r)) if (!SYSTEM_RESPONSE_KEYS.has(key)) user[key] = { label: key, value, isHidden: false };
  const responses = {
    name: { label: 'your_name', value: b.attendee.name, isHidden: false },
    email: { label: 'email_address', value: b.attendee.email, isHidden: false },
    ...(b.attendee.phoneNumber ? { attendeePhoneNumber: { label: 'phone_number', value: b.attendee.phoneNumber, isHidden: false } } : {}),
    location: { label: 'location', value: location, isHidden: false },
    title: { label: 'what_is_this_meeting_about', isHidden: true },
    notes: { label: 'additional_notes', value: typeof r.notes === 'string' ? r.notes : undefined, isHidden: false },
    guests: { label: 'additional_guests', value: b.guests ?? [], isHidden: false },
    rescheduleReason: { label: 'reason_for_reschedule', isHidden: false, value: typeof r.rescheduledReason === 'string' ? r.rescheduledReason : undefined },
    ...user,
  };
  return { responses, userFieldsResponses: user };
}

/** The organizer as the simulator knows its hosts (booking-output.ts: `user<id>@example.com`, the schedule's zone). */
function organizerOf(et: SimEventType | undefined, b: StoredBooking) {
  const host = et?.hosts.find((h) => h.userId === b.userId);
  return {
    id: b.userId,
    name: et ? hostName(et, b.userId) : 'Nameless',
    email: hostEmail(b.userId),
    username: host?.username || undefined,
    timeZone: et?.schedule.timeZone ?? 'UTC',
    locale: 'en',
    // packages/lib/timeFormat.ts getTimeFormatStringFromUserTimeFormat: anything but 24 → "h:mma".
    timeFormat: 'h:mma',
  };
}

/** The other hosts the booking occupies (Cal.com's `team.members` excludes the organizer). */
const otherHosts = (et: SimEventType, b: StoredBooking) => b.hostUserIds.filter((id) => id !== b.userId).map((id) => ({ id, host: et.hosts.find((h) => h.userId === id) }));

const schedulingTypeOf = (et: SimEventType | undefined) =>
  et?.schedulingType === 'roundRobin' ? 'ROUND_ROBIN' : et?.schedulingType === 'collective' ? 'COLLECTIVE' : et?.schedulingType === 'managed' ? 'MANAGED' : null;
const teamName = (et: SimEventType) => et.team?.name ?? `Team ${et.teamId}`;

/** BOOKING_CREATED and BOOKING_RESCHEDULED (RegularBookingService.ts @368f82de `webhookData`). */
function newBookingPayload(state: SimState, b: StoredBooking, from?: StoredBooking) {
  const et = state.eventTypes.get(b.eventTypeId);
  const org = organizerOf(et, b);
  const guests = b.guests ?? [];
  const { responses, userFieldsResponses } = calEventResponses(b);
  const lengthMinutes = Math.round((b.endMs - b.startMs) / 60_000);
  const videoCallUrl = isCalVideo(b) ? `https://app.cal.com/video/${b.uid}` : undefined;
  return {
    bookerUrl: 'https://cal.com',
    title: b.title,
    startTime: utcZ(b.startMs),
    endTime: utcZ(b.endMs),
    additionalNotes: b.description,
    type: et?.slug ?? '',
    // sendPayload: description || additionalNotes.
    description: et?.description || b.description,
    eventTypeId: b.eventTypeId,
    hideCalendarNotes: false,
    hideCalendarEventDetails: false,
    hideOrganizerEmail: false,
    schedulingType: schedulingTypeOf(et),
    seatsPerTimeSlot: et?.seatsPerTimeSlot ?? null,
    // CalendarEventBuilder: the event type's flags with seats, true without.
    seatsShowAttendees: et?.seatsPerTimeSlot ? et.seatsShowAttendees : true,
    seatsShowAvailabilityCount: et?.seatsPerTimeSlot ? et.seatsShowAvailabilityCount : true,
    customReplyToEmail: null,
    disableRescheduling: false,
    disableCancelling: false,
    organizer: {
      id: org.id,
      name: org.name,
      email: org.email,
      username: org.username,
      timeZone: org.timeZone,
      language: { locale: org.locale },
      timeFormat: org.timeFormat,
      utcOffset: utcOffset(org.timeZone, b.startMs),
    },
    // The booker first, then the guests (name "", the booker's zone, locale "en").
    attendees: [
      {
        email: b.attendee.email,
        name: b.attendee.name,
        firstName: '',
        lastName: '',
        timeZone: b.attendee.timeZone,
        ...(b.attendee.phoneNumber ? { phoneNumber: b.attendee.phoneNumber } : {}),
        language: { locale: b.attendee.language },
        utcOffset: utcOffset(b.attendee.timeZone, b.startMs),
      },
      ...guests.map((email) => ({
        email,
        name: '',
        firstName: '',
        lastName: '',
        timeZone: b.attendee.timeZone,
        language: { locale: 'en' },
        utcOffset: utcOffset(b.attendee.timeZone, b.startMs),
      })),
    ],
    customInputs: {},
    responses,
    userFieldsResponses,
    location: locationOf(b),
    destinationCalendar: null,
    iCalUID: b.iCalUid,
    iCalSequence: b.iCalSequence,
    requiresConfirmation: false,
    oneTimePassword: null,
    platformClientId: null,
    platformRescheduleUrl: null,
    platformCancelUrl: null,
    platformBookingUrl: null,
    uid: b.uid,
    appsStatus: isCalVideo(b) ? [{ appName: 'Cal Video', type: 'daily_video', success: 1, failures: 0, errors: [], warnings: [] }] : [],
    eventTitle: et?.title ?? null,
    eventDescription: et?.description || null,
    price: 0,
    currency: 'usd',
    length: lengthMinutes,
    bookingId: b.id,
    metadata: { ...(videoCallUrl ? { videoCallUrl } : {}), ...b.metadata },
    status: 'ACCEPTED',
    ...(from
      ? {
          rescheduleId: from.id,
          rescheduleUid: from.uid,
          rescheduleStartTime: utcZ(from.startMs),
          rescheduleEndTime: utcZ(from.endMs),
          ...(b.rescheduledByEmail ? { rescheduledBy: b.rescheduledByEmail } : {}),
        }
      : {}),
    // handleNewBooking: `evt.team` for team event types (members: the other hosts booked, no utcOffset).
    ...(et && et.teamId !== null
      ? {
          team: {
            name: teamName(et),
            members: otherHosts(et, b).map(({ id, host }) => ({
              id,
              email: hostEmail(id),
              name: host?.name ?? '',
              firstName: '',
              lastName: '',
              timeZone: et.schedule.timeZone,
              language: { locale: 'en' },
            })),
            id: et.teamId,
          },
        }
      : {}),
  };
}

/** BOOKING_CANCELLED (handleCancelBooking.ts `evt` + `eventTypeInfo` + status + cancelledBy). */
function cancelledPayload(state: SimState, b: StoredBooking, cancelledBy: string | undefined) {
  const et = state.eventTypes.get(b.eventTypeId);
  const org = organizerOf(et, b);
  const { responses, userFieldsResponses } = calEventResponses(b);
  // Attendee rows: the booker (index 0) is always an attendee; rows of hosts go to team.members.
  const attendeeRow = (name: string, email: string, timeZone: string, phoneNumber: string | null, locale: string) => ({
    name,
    email,
    timeZone,
    phoneNumber,
    language: { locale },
    utcOffset: utcOffset(timeZone, b.startMs),
  });
  return {
    bookerUrl: 'https://cal.com',
    title: b.title,
    length: et?.lengthInMinutes ?? Math.round((b.endMs - b.startMs) / 60_000),
    type: et?.slug ?? '',
    additionalNotes: b.description,
    description: et?.description || b.description,
    customInputs: {},
    eventTypeId: b.eventTypeId,
    responses,
    userFieldsResponses,
    startTime: utcOffsetFormat(b.startMs),
    endTime: utcOffsetFormat(b.endMs),
    organizer: {
      id: org.id,
      username: org.username,
      email: org.email,
      name: org.name,
      timeZone: org.timeZone,
      timeFormat: org.timeFormat,
      language: { locale: org.locale },
      utcOffset: utcOffset(org.timeZone, b.startMs),
    },
    attendees: [
      attendeeRow(b.attendee.name, b.attendee.email, b.attendee.timeZone, b.attendee.phoneNumber ?? null, b.attendee.language),
      ...(b.guests ?? []).map((email) => attendeeRow('', email, b.attendee.timeZone, null, 'en')),
    ],
    uid: b.uid,
    bookingId: b.id,
    location: locationOf(b),
    destinationCalendar: [],
    cancellationReason: b.cancellationReason,
    ...(et && et.teamId !== null
      ? {
          team: {
            name: teamName(et),
            members: otherHosts(et, b).map(({ id, host }) => {
              const { utcOffset: _offset, ...member } = attendeeRow(host?.name ?? '', hostEmail(id), et.schedule.timeZone, null, 'en');
              return member;
            }),
            id: et.teamId,
          },
        }
      : {}),
    seatsPerTimeSlot: et?.seatsPerTimeSlot ?? null,
    seatsShowAttendees: et?.seatsShowAttendees ?? false,
    iCalUID: b.iCalUid,
    iCalSequence: b.iCalSequence,
    platformClientId: null,
    platformRescheduleUrl: null,
    platformCancelUrl: null,
    hideOrganizerEmail: false,
    platformBookingUrl: null,
    customReplyToEmail: null,
    // eventTypeInfo in handleCancelBooking: `x || null`.
    eventTitle: et?.title || null,
    eventDescription: et?.description || null,
    requiresConfirmation: null,
    price: null,
    currency: 'usd',
    status: 'CANCELLED',
    cancelledBy,
  };
}

/** The `payload` of a booking event's webhook, built when the write commits. */
export function bookingWebhookPayload(state: SimState, event: BookingEvent): Record<string, unknown> {
  switch (event.trigger) {
    case 'BOOKING_CREATED':
      return newBookingPayload(state, event.booking);
    case 'BOOKING_RESCHEDULED':
      return newBookingPayload(state, event.booking, event.from);
    case 'BOOKING_CANCELLED':
      return cancelledPayload(state, event.booking, event.cancelledBy);
  }
}

/** The body and headers Cal.com sends for one delivery (sendPayload.ts, WebhookService.ts). */
export function webhookRequest(webhook: Pick<StoredWebhook, 'secret'>, triggerEvent: string, createdAt: string, payload: unknown) {
  const body = JSON.stringify({ triggerEvent, createdAt, payload });
  return {
    body,
    headers: {
      'Content-Type': 'application/json',
      [CALCOM_WEBHOOK_DELIVERY.signatureHeader]: calcomWebhookSignature(webhook.secret, body),
      [CALCOM_WEBHOOK_DELIVERY.versionHeader]: CALCOM_WEBHOOK_DELIVERY.version,
    },
  };
}

function failureText(err: unknown, timedOut: boolean): string {
  if (timedOut) return `timeout after ${DELIVERY_TIMEOUT_MS} ms`;
  const cause = (err as { cause?: { code?: string; message?: string } })?.cause;
  return cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : String(err));
}

/**
 * Sends the webhooks of every committed booking write: one POST per active subscribed webhook,
 * `delayMs()` after the write, never retried; every attempt is logged.
 */
export class WebhookDispatcher {
  private log: WebhookDelivery[] = [];
  private readonly scheduled = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<AbortController>();
  private idleWaiters: Array<() => void> = [];
  private readonly listener = (event: BookingEvent) => this.dispatch(event);

  constructor(
    private readonly state: SimState,
    private readonly delayMs: () => number,
  ) {
    state.bookingListeners.add(this.listener);
  }

  /** Attempts so far, oldest first (the last {@link DELIVERY_LOG_SIZE}). */
  deliveries(): WebhookDelivery[] {
    return structuredClone(this.log);
  }

  clearDeliveries(): void {
    this.log = [];
  }

  /** Deliveries scheduled or on the wire. */
  pending(): number {
    return this.scheduled.size + this.inFlight.size;
  }

  /** Resolves once nothing is scheduled or on the wire. */
  idle(): Promise<void> {
    if (this.pending() === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Drops deliveries not yet started (reset); those on the wire finish and are logged. */
  cancelScheduled(): void {
    for (const timer of this.scheduled) clearTimeout(timer);
    this.scheduled.clear();
    this.settle();
  }

  /** Stops everything (the simulator closes). */
  close(): void {
    this.state.bookingListeners.delete(this.listener);
    this.cancelScheduled();
    for (const controller of this.inFlight) controller.abort();
  }

  private dispatch(event: BookingEvent): void {
    // getWebhooks.ts: active webhooks whose eventTriggers has the trigger (read when the write commits).
    const targets = this.state.webhooks.filter((w) => w.active && w.triggers.includes(event.trigger)).map((w) => ({ ...w }));
    if (targets.length === 0) return;
    const payload = bookingWebhookPayload(this.state, event);
    for (const webhook of targets) {
      const timer = setTimeout(() => {
        this.scheduled.delete(timer);
        void this.send(webhook, event.trigger, event.booking.uid, payload);
      }, this.delayMs());
      this.scheduled.add(timer);
    }
  }

  private async send(webhook: StoredWebhook, triggerEvent: string, uid: string, payload: unknown): Promise<void> {
    const createdAt = new Date(this.state.now()).toISOString();
    const { body, headers } = webhookRequest(webhook, triggerEvent, createdAt, payload);
    const controller = new AbortController();
    this.inFlight.add(controller);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, DELIVERY_TIMEOUT_MS);
    const started = Date.now();
    const entry: WebhookDelivery = {
      webhookId: webhook.id,
      subscriberUrl: webhook.subscriberUrl,
      triggerEvent,
      uid,
      createdAt,
      sentAt: new Date(started).toISOString(),
      status: 0,
      ok: false,
      durationMs: 0,
    };
    try {
      const response = await fetch(webhook.subscriberUrl, { method: 'POST', headers, body, redirect: 'manual', signal: controller.signal });
      entry.status = response.status;
      entry.ok = response.ok;
      // _sendPayload reads the answer's text; the delivery ends with it.
      await response.text();
    } catch (err) {
      entry.error = failureText(err, timedOut);
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(controller);
      entry.durationMs = Date.now() - started;
      this.log.push(entry);
      if (this.log.length > DELIVERY_LOG_SIZE) this.log = this.log.slice(-DELIVERY_LOG_SIZE);
      this.settle();
    }
  }

  private settle(): void {
    if (this.pending() !== 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }
}
