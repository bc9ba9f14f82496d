/**
 * Cal.com webhook deliveries as slotgraph reads them, and what each trigger means for slots
 * (docs/calcom-contract.md#webhooks; Cal.com's sendPayload.ts, handleNewBooking.ts and
 * handleCancelBooking.ts). Only bookings change availability through webhooks: Cal.com sends none
 * when schedules, reservations or event types change (docs/subscriptions.md says what covers those).
 */
import { z } from 'zod';
import type { SlotChangeReason } from '../changes.js';

/** Every trigger of Cal.com's `WebhookTriggerEvents` enum (packages/prisma/schema.prisma). */
export const CALCOM_TRIGGERS = [
  'BOOKING_CREATED',
  'BOOKING_PAYMENT_INITIATED',
  'BOOKING_PAID',
  'BOOKING_RESCHEDULED',
  'BOOKING_REQUESTED',
  'BOOKING_CANCELLED',
  'BOOKING_REJECTED',
  'BOOKING_NO_SHOW_UPDATED',
  'FORM_SUBMITTED',
  'MEETING_ENDED',
  'MEETING_STARTED',
  'RECORDING_READY',
  'INSTANT_MEETING',
  'RECORDING_TRANSCRIPTION_GENERATED',
  'OOO_CREATED',
  'AFTER_HOSTS_CAL_VIDEO_NO_SHOW',
  'AFTER_GUESTS_CAL_VIDEO_NO_SHOW',
  'FORM_SUBMITTED_NO_EVENT',
] as const;

/** The triggers that take or free a host's time, and the change each reports. */
const SLOT_TRIGGERS: Partial<Record<(typeof CALCOM_TRIGGERS)[number], SlotChangeReason>> = {
  BOOKING_CREATED: 'booking.created',
  BOOKING_REQUESTED: 'booking.requested', // a pending booking can block its slot (requiresConfirmationWillBlockSlot)
  BOOKING_CANCELLED: 'booking.cancelled',
  BOOKING_REJECTED: 'booking.cancelled',
  BOOKING_RESCHEDULED: 'booking.rescheduled',
};

/** `{triggerEvent, createdAt, payload}`, the body Cal.com signs. */
const envelopeSchema = z.object({
  triggerEvent: z.string().min(1),
  createdAt: z.string().min(1),
  payload: z.unknown(),
});

/** Created and rescheduled send `…Z`, cancelled `…+00:00`: both are instants. */
const instant = z.string().refine((v) => !Number.isNaN(Date.parse(v)), 'an ISO 8601 instant');

/** The fields of a booking payload that say whose time changed when. */
const bookingPayloadSchema = z.looseObject({
  uid: z.string().min(1),
  eventTypeId: z.number().int().nullish(),
  startTime: instant,
  endTime: instant,
  organizer: z.looseObject({ id: z.number().int().nullish() }).nullish(),
  team: z.looseObject({ members: z.array(z.looseObject({ id: z.number().int().nullish() })).nullish() }).nullish(),
  rescheduleUid: z.string().nullish(),
  rescheduleStartTime: instant.nullish(),
  rescheduleEndTime: instant.nullish(),
});

/** What one delivery means for slots. */
export interface WebhookEffect {
  trigger: string;
  /** The booking's uid (the new one for a reschedule). */
  uid: string;
  reason: SlotChangeReason;
  eventTypeId: number | null;
  /** Cal.com user ids whose time changed: the organizer and a team's members. */
  hostUserIds: number[];
  /** UTC instants (ms) freed or taken: a reschedule has the old and the new time. */
  ranges: Array<[startMs: number, endMs: number]>;
}

export type Interpretation =
  | { kind: 'effect'; effect: WebhookEffect }
  /** A Cal.com trigger that does not change availability (a meeting started, a recording is ready). */
  | { kind: 'ignored'; trigger: string }
  | { kind: 'invalid'; problem: string };

/** Reads a parsed delivery: its effect on slots, or why there is none. */
export function interpretDelivery(body: unknown): Interpretation {
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) return { kind: 'invalid', problem: `not a Cal.com webhook delivery: ${z.prettifyError(envelope.error)}` };
  const trigger = envelope.data.triggerEvent;
  if (!(CALCOM_TRIGGERS as readonly string[]).includes(trigger)) return { kind: 'invalid', problem: `unknown trigger ${JSON.stringify(trigger)}` };
  const reason = SLOT_TRIGGERS[trigger as keyof typeof SLOT_TRIGGERS];
  if (!reason) return { kind: 'ignored', trigger };
  const payload = bookingPayloadSchema.safeParse(envelope.data.payload);
  if (!payload.success) return { kind: 'invalid', problem: `${trigger} payload: ${z.prettifyError(payload.error)}` };
  const p = payload.data;
  const hosts = new Set<number>();
  if (p.organizer?.id != null) hosts.add(p.organizer.id);
  for (const member of p.team?.members ?? []) if (member.id != null) hosts.add(member.id);
  const ranges: Array<[number, number]> = [];
  if (trigger === 'BOOKING_RESCHEDULED' && p.rescheduleStartTime && p.rescheduleEndTime) {
    ranges.push([Date.parse(p.rescheduleStartTime), Date.parse(p.rescheduleEndTime)]);
  }
  ranges.push([Date.parse(p.startTime), Date.parse(p.endTime)]);
  return {
    kind: 'effect',
    effect: { trigger, uid: p.uid, reason, eventTypeId: p.eventTypeId ?? null, hostUserIds: [...hosts].sort((a, b) => a - b), ranges },
  };
}
