/**
 * The Cal.com simulator's data model: event types with Cal.com's field names
 * (EventTypeOutput_2024_06_14, docs/calcom-contract.md), schedules in Cal.com's shape, hosts, and
 * bookings. The zod schemas here validate the bodies of the `/_sim` admin API.
 */
import { IANAZone } from 'luxon';
import { z } from 'zod';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:mm');
/** Cal.com's weekday names, Monday first (luxon's `weekday` 1..7 indexes this list from 1). */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const weekday = z.enum(WEEKDAYS);

/**
 * A weekly schedule in Cal.com's shape; times are local wall times in `timeZone`. Every host of the
 * event type works these hours: Cal.com uses the event type's own schedule for each host when the
 * event type has one (packages/features/availability/lib/getUserAvailability.ts,
 * detectEventTypeScheduleForUser); per-host schedules are not modelled.
 */
export const scheduleSchema = z.object({
  timeZone: z.string().refine((zone) => IANAZone.isValidZone(zone), 'unknown IANA time zone'),
  /** `endTime` "23:59" counts as the next midnight, as in Cal.com; "24:00" is accepted too. */
  availability: z.array(z.object({ days: z.array(weekday).min(1), startTime: hhmm, endTime: hhmm })),
  /** Whole-day replacements: the overrides of a date replace that date's weekly hours. */
  overrides: z
    .array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), startTime: hhmm, endTime: hhmm }))
    .default([]),
});
export type SimSchedule = z.infer<typeof scheduleSchema>;

/** Cal.com's host priorities (v2 names; the database stores 0..4, default 2 = "medium"). */
export const HOST_PRIORITIES = ['lowest', 'low', 'medium', 'high', 'highest'] as const;

/** A host of a team event type (Cal.com's `Host`: userId, isFixed as `mandatory`, priority). */
export const hostSchema = z.object({
  userId: z.number().int().positive(),
  name: z.string().optional(),
  username: z.string().optional(),
  /** Round robin only: a mandatory (Cal.com: `isFixed`) host attends every booking. */
  mandatory: z.boolean().default(false),
  priority: z.enum(HOST_PRIORITIES).default('medium'),
});
export type SimHost = z.infer<typeof hostSchema>;

/** Body of `POST /_sim/event-types`: one event type, created or replaced by `id`. */
export const eventTypeInputSchema = z
  .object({
    id: z.number().int().positive(),
    slug: z.string().min(1),
    title: z.string().min(1),
    description: z.string().default(''),
    lengthInMinutes: z.number().int().positive(),
    lengthInMinutesOptions: z.array(z.number().int().positive()).optional(),
    /** Minutes between slot starts; null = step by the slot's length. */
    slotInterval: z.number().int().positive().nullable().default(null),
    /** Minutes before "now" within which no slot is offered. */
    minimumBookingNotice: z.number().int().nonnegative().default(0),
    beforeEventBuffer: z.number().int().nonnegative().default(0),
    afterEventBuffer: z.number().int().nonnegative().default(0),
    /** Input only: the output carries it in `seats` (no top-level field in Cal.com's output). */
    seatsPerTimeSlot: z.number().int().positive().nullable().default(null),
    seatsShowAttendees: z.boolean().default(false),
    seatsShowAvailabilityCount: z.boolean().default(false),
    /** Cal.com's REST (camelCase) values; null for an individual event type. */
    schedulingType: z.enum(['roundRobin', 'collective', 'managed']).nullable().default(null),
    teamId: z.number().int().positive().nullable().default(null),
    /** The owner of an individual event type, and the default host of a team one. */
    ownerId: z.number().int().positive().default(1),
    /** Team event types only; defaults to `[{ userId: ownerId }]`. */
    hosts: z.array(hostSchema).optional(),
    /** Team event types only: the team's name and slug in the output. */
    team: z.object({ name: z.string().min(1).optional(), slug: z.string().min(1).optional() }).optional(),
    schedule: scheduleSchema,
  })
  .superRefine((et, ctx) => {
    if (et.teamId === null && (et.hosts !== undefined || et.team !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'hosts and team are for team event types: set teamId' });
    }
    if (et.teamId !== null && et.hosts !== undefined && et.hosts.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'a team event type needs at least one host' });
    }
    const ids = (et.hosts ?? []).map((h) => h.userId);
    if (new Set(ids).size !== ids.length) ctx.addIssue({ code: 'custom', path: ['hosts'], message: 'each host userId once' });
  })
  .transform((et) => ({
    ...et,
    hosts: et.teamId === null ? [] : (et.hosts ?? [hostSchema.parse({ userId: et.ownerId })]),
  }));
export type SimEventTypeInput = z.input<typeof eventTypeInputSchema>;
export type SimEventType = z.output<typeof eventTypeInputSchema>;

/**
 * The Cal.com users whose busy time an event type's slots depend on: the owner of an individual
 * event type, the hosts of a team one (packages/trpc/server/routers/viewer/slots/util.ts hands
 * each host to getUserAvailability).
 */
export function hostUserIdsOf(et: SimEventType): number[] {
  return et.teamId === null ? [et.ownerId] : et.hosts.map((h) => h.userId);
}

/**
 * Admin-only keys of `POST /_sim/bookings` (a booking made by someone else). The rest of the body is
 * Cal.com's CreateBookingInput_2024_08_13 and goes through the same checks as `POST /v2/bookings`;
 * `attendee` defaults to {@link SOMEONE_ELSE}.
 */
export const adminBookingExtrasSchema = z.object({
  /** The hosts the booking occupies, instead of Cal.com's choice (must be hosts of the event type). */
  hostUserIds: z.array(z.number().int().positive()).min(1).optional(),
  /** Test set-ups only: skip the time, availability, seat and reservation checks. */
  force: z.boolean().default(false),
});
export const SOMEONE_ELSE = { name: 'Someone Else', email: 'someone.else@example.com', timeZone: 'UTC' } as const;

/** A booking as the slot engine sees it; times are UTC instants in ms since the epoch. */
export interface SimBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  /** The organizer (Cal.com's `Booking.userId`). */
  userId: number;
  /** Every host the booking occupies: the organizer plus hosts attending (Cal.com matches them by email). */
  hostUserIds: number[];
  startMs: number;
  endMs: number;
  status: 'accepted' | 'cancelled';
}

export interface SimAttendee {
  name: string;
  email: string;
  timeZone: string;
  language: string;
  phoneNumber?: string;
}

/** A booking as the simulator stores it: the engine's fields plus what Cal.com's booking output shows. */
export interface StoredBooking extends SimBooking {
  title: string;
  description: string;
  attendee: SimAttendee;
  guests?: string[];
  metadata: Record<string, unknown>;
  /** Cal.com's `responses` (input.service.ts transformInputCreateBooking). */
  responses: Record<string, unknown>;
  location: string;
  createdAtMs: number;
  updatedAtMs: number | null;
  iCalUid: string;
  /**
   * getICalSequence: 0 for a new booking, the original's + 1 for a reschedule; a cancel stores the
   * cancel payload's (+ 1) (handleCancelBooking.ts). Only webhooks show it.
   */
  iCalSequence: number;
  cancellationReason?: string;
  /** The old booking's uid on a rescheduled booking (Cal.com's `fromReschedule`). */
  rescheduledFromUid?: string;
  /** Set on the old booking when it was rescheduled (Cal.com: `rescheduled: true`). */
  rescheduled?: boolean;
  rescheduledByEmail?: string;
  /** Seated event types: this row is one seat; its seat reference uid. */
  seatUid?: string;
  /** Who made it: the API, the admin API (someone else), or the demo data. */
  source: 'api' | 'admin' | 'demo';
}

/**
 * A slot reservation (Cal.com's `SelectedSlots` row, one per host here), as the slot engine sees it
 * (packages/trpc/server/routers/viewer/slots/util.ts).
 */
export interface SimReservation {
  startMs: number;
  endMs: number;
  hostUserIds: number[];
  /** A seat reservation counts as a taken seat of its event type instead of blocking. */
  isSeat?: boolean;
  eventTypeId?: number;
  /** Expiry (Cal.com's `releaseAt`); an expired reservation is ignored. Absent = unexpired. */
  releaseAtMs?: number;
}

/** A reservation as `POST /v2/slots/reservations` stores it (slots.repository.ts createSlot). */
export interface StoredReservation extends SimReservation {
  /** Row id: creation order, Cal.com's tie-break after `releaseAt`. */
  id: number;
  uid: string;
  eventTypeId: number;
  /** The owner of an individual event type, `hosts[0]` of a team one. */
  userId: number;
  isSeat: boolean;
  releaseAtMs: number;
  createdAtMs: number;
}

/**
 * A user-level webhook as `POST /v2/webhooks` stores it (Cal.com's `Webhook` row,
 * apps/api/v2/src/modules/webhooks/webhooks.repository.ts `createUserWebhook`: id = uuid v4).
 */
export interface StoredWebhook {
  id: string;
  userId: number;
  subscriberUrl: string;
  payloadTemplate: string | null;
  active: boolean;
  /** Cal.com's `eventTriggers`, in the order given. */
  triggers: string[];
  secret: string | null;
  createdAtMs: number;
}

/**
 * A committed booking write, as the booking engine reports it to the webhook delivery
 * (webhook-delivery.ts): the triggers Cal.com fires for them (handleNewBooking / RegularBookingService,
 * handleCancelBooking). A reschedule is one BOOKING_RESCHEDULED for the new booking, nothing for the old.
 */
export type BookingEvent =
  | { trigger: 'BOOKING_CREATED'; booking: StoredBooking }
  | { trigger: 'BOOKING_RESCHEDULED'; booking: StoredBooking; from: StoredBooking }
  | { trigger: 'BOOKING_CANCELLED'; booking: StoredBooking; cancelledBy?: string };

/** Body of `PUT /_sim/config`. Every part is optional; what is left out keeps its value. */
export const simConfigSchema = z.object({
  /** Extra latency per `/v2` response, drawn uniformly from `[min, max]` ms. */
  latencyMs: z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() }).refine((l) => l.max >= l.min, 'max must be >= min').optional(),
  /** Share (0..1) of `/v2` requests answered with a 500 instead of their real answer. */
  errorRate: z.number().min(0).max(1).optional(),
  /**
   * Cal.com's CustomThrottlerGuard (apps/api/v2/src/lib/throttler-guard.ts); a partial object is
   * merged into the current values. `limit` is the API-key limit.
   */
  rateLimit: z
    .object({
      limit: z.number().int().positive(),
      windowMs: z.number().int().positive(),
      blockMs: z.number().int().nonnegative(),
      /** Throttler name; the header suffix is it with the first letter upper-cased. */
      name: z.string().min(1).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, "_" and "-" only'),
      accessTokenLimit: z.number().int().positive(),
      oauthClientLimit: z.number().int().positive(),
      ipLimit: z.number().int().positive(),
    })
    .partial()
    .optional(),
  /**
   * The valid API keys (each `cal_…`). A list makes any other `Bearer cal_…` key a 401 on every
   * `/v2` route (throttler-guard.ts); null = any `cal_` key is accepted.
   */
  apiKeys: z.array(z.string().startsWith('cal_', 'an API key starts with cal_')).nullable().optional(),
  /**
   * One-shot fault for the next booking write (`POST /v2/bookings`, `/reschedule`, `/cancel`):
   * `commit` (default true) processes it first; then the answer waits `delayMs` and/or is `status`
   * in Cal.com's envelope instead of the real one. `null` clears it.
   */
  nextBookingCall: z
    .object({
      delayMs: z.number().int().nonnegative().max(600_000).optional(),
      status: z.number().int().min(400).max(599).optional(),
      commit: z.boolean().optional(),
    })
    .refine((f) => f.delayMs !== undefined || f.status !== undefined || f.commit === false, 'give delayMs, status or commit: false')
    .nullable()
    .optional(),
  /**
   * Milliseconds between a committed booking write and the POST of its webhooks (default 0: as soon
   * as the write's request handler has returned).
   */
  webhookDelayMs: z.number().int().nonnegative().max(600_000).optional(),
});
export type SimConfigPatch = z.infer<typeof simConfigSchema>;

export interface SimRateLimit {
  limit: number;
  windowMs: number;
  blockMs: number;
  name: string;
  accessTokenLimit: number;
  oauthClientLimit: number;
  ipLimit: number;
}
export interface NextBookingCallFault {
  delayMs?: number;
  status?: number;
  commit?: boolean;
}
export interface SimConfig {
  latencyMs: { min: number; max: number };
  errorRate: number;
  rateLimit: SimRateLimit;
  apiKeys: string[] | null;
  nextBookingCall: NextBookingCallFault | null;
  webhookDelayMs: number;
}

/**
 * Cal.com's defaults (apps/api/v2/src/lib/throttler-guard.ts): per 60 s, 120 requests per API
 * key, 500 per access token and per OAuth client, 120 per IP; a 60 s block; throttler "default".
 */
export const defaultSimConfig = (): SimConfig => ({
  latencyMs: { min: 0, max: 0 },
  errorRate: 0,
  rateLimit: { limit: 120, windowMs: 60_000, blockMs: 60_000, name: 'default', accessTokenLimit: 500, oauthClientLimit: 500, ipLimit: 120 },
  apiKeys: null,
  nextBookingCall: null,
  webhookDelayMs: 0,
});
