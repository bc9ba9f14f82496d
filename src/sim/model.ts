/**
 * The Cal.com simulator's data model: event types with Cal.com's field names
 * (EventTypeOutput_2024_06_14, reference.md §4.1), schedules in Cal.com's shape, and bookings.
 * The zod schemas here validate the bodies of the `/_sim` admin API.
 */
import { z } from 'zod';
import { isValidZone } from '../time.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'expected HH:mm');
/** Cal.com's weekday names, Monday first (luxon's `weekday` 1..7 indexes this list from 1). */
export const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
const weekday = z.enum(WEEKDAYS);

/** A weekly schedule in Cal.com's shape; times are local wall times in `timeZone`. */
export const scheduleSchema = z.object({
  timeZone: z.string().refine(isValidZone, 'unknown IANA time zone'),
  availability: z.array(z.object({ days: z.array(weekday).min(1), startTime: hhmm, endTime: hhmm })),
  /** Whole-day replacements: every override of a date replaces that date's weekly hours. */
  overrides: z
    .array(z.object({ date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/), startTime: hhmm, endTime: hhmm }))
    .default([]),
});
export type SimSchedule = z.infer<typeof scheduleSchema>;

/** Body of `POST /_sim/event-types`: one event type, created or replaced by `id`. */
export const eventTypeInputSchema = z.object({
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
  seatsPerTimeSlot: z.number().int().positive().nullable().default(null),
  /** Cal.com's REST (camelCase) values; null for an individual event type. */
  schedulingType: z.enum(['roundRobin', 'collective', 'managed']).nullable().default(null),
  teamId: z.number().int().positive().nullable().default(null),
  ownerId: z.number().int().positive().default(1),
  schedule: scheduleSchema,
});
export type SimEventTypeInput = z.input<typeof eventTypeInputSchema>;
export type SimEventType = z.infer<typeof eventTypeInputSchema>;

/** Body of `POST /_sim/bookings`: a booking made by someone else. */
export const bookingInputSchema = z.object({
  eventTypeId: z.number().int().positive(),
  start: z.iso.datetime({ offset: true }),
  lengthInMinutes: z.number().int().positive().optional(),
});

/** A booking as the simulator keeps it; times are UTC instants in ms since the epoch. */
export interface SimBooking {
  id: number;
  uid: string;
  eventTypeId: number;
  startMs: number;
  endMs: number;
  status: 'accepted' | 'cancelled';
}

/** Body of `PUT /_sim/config`. Every part is optional; what is left out keeps its value. */
export const simConfigSchema = z.object({
  /** Extra latency per `/v2` response, drawn uniformly from `[min, max]` ms. */
  latencyMs: z.object({ min: z.number().nonnegative(), max: z.number().nonnegative() }).refine((l) => l.max >= l.min, 'max must be >= min').optional(),
  /** Share (0..1) of `/v2` requests answered with a 500 instead of their real answer. */
  errorRate: z.number().min(0).max(1).optional(),
  /** Cal.com's default throttler (reference.md §6): `limit` requests per `windowMs`, then a `blockMs` lock-out. */
  rateLimit: z
    .object({ limit: z.number().int().positive(), windowMs: z.number().int().positive(), blockMs: z.number().int().nonnegative() })
    .optional(),
});
export type SimConfigPatch = z.infer<typeof simConfigSchema>;
export interface SimConfig {
  latencyMs: { min: number; max: number };
  errorRate: number;
  rateLimit: { limit: number; windowMs: number; blockMs: number };
}

/** Cal.com's defaults: 120 requests per 60 s per API key, 60 s block (reference.md §6). */
export const defaultSimConfig = (): SimConfig => ({
  latencyMs: { min: 0, max: 0 },
  errorRate: 0,
  rateLimit: { limit: 120, windowMs: 60_000, blockMs: 60_000 },
});
