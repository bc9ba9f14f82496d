/**
 * Demo data the simulator starts with (and returns to on `POST /_sim/reset`). The README's example
 * query uses these ids. Bookings are placed relative to the simulator's clock so that the demo
 * always has free and taken slots in the coming days. Haircut and cut & colour have the same owner
 * (user 11), so each one's bookings are busy time for the other, as in Cal.com.
 */
import { DateTime } from 'luxon';
import type { SimEventTypeInput } from './model.js';

/** Demo event type ids, stable across resets. */
export const DEMO = {
  /** Salon Europe/Berlin, "Haircut", 30 min, Mon-Fri 09:00-18:00, Sat 09:00-14:00. */
  haircut: 1001,
  /** Salon Europe/Berlin, "Cut & colour", 60 min, same hours, 15 min after-buffer. */
  cutAndColour: 1002,
  /** Team 501 (collective, hosts 21 and 22) in America/New_York, "Consultation", 30 min, Mon-Fri 09:00-17:00. */
  teamConsultation: 2001,
} as const;

const salonSchedule = {
  timeZone: 'Europe/Berlin',
  availability: [
    { days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], startTime: '09:00', endTime: '18:00' },
    { days: ['Saturday'], startTime: '09:00', endTime: '14:00' },
  ],
  overrides: [],
} satisfies SimEventTypeInput['schedule'];

export function demoEventTypes(): SimEventTypeInput[] {
  return [
    {
      id: DEMO.haircut,
      slug: 'haircut',
      title: 'Haircut',
      description: 'Wash, cut and style.',
      lengthInMinutes: 30,
      ownerId: 11,
      schedule: salonSchedule,
    },
    {
      id: DEMO.cutAndColour,
      slug: 'cut-and-colour',
      title: 'Cut & colour',
      description: 'Cut with full colour.',
      lengthInMinutes: 60,
      slotInterval: 30,
      afterEventBuffer: 15,
      minimumBookingNotice: 120,
      ownerId: 11,
      schedule: salonSchedule,
    },
    {
      id: DEMO.teamConsultation,
      slug: 'consultation',
      title: 'Consultation',
      description: 'A call with the whole team.',
      lengthInMinutes: 30,
      schedulingType: 'collective',
      teamId: 501,
      ownerId: 21,
      hosts: [
        { userId: 21, name: 'Avery Lee', username: 'avery' },
        { userId: 22, name: 'Jordan Kim', username: 'jordan' },
      ],
      team: { name: 'Consulting team', slug: 'consulting' },
      schedule: {
        timeZone: 'America/New_York',
        availability: [{ days: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'], startTime: '09:00', endTime: '17:00' }],
        overrides: [],
      },
    },
  ];
}

/**
 * Demo bookings (made "by someone else") on the next three open days after `nowMs`: for each salon
 * day 10:00 and 14:00 Berlin time on the haircut, 11:00 on cut & colour; for the team 13:00 New York.
 */
export function demoBookings(nowMs: number): Array<{ eventTypeId: number; start: string }> {
  const out: Array<{ eventTypeId: number; start: string }> = [];
  const nextWeekdays = (zone: string, count: number, skipSaturday: boolean) => {
    const days: DateTime[] = [];
    for (let d = DateTime.fromMillis(nowMs, { zone }).startOf('day').plus({ days: 1 }); days.length < count; d = d.plus({ days: 1 })) {
      if (d.weekday === 7 || (skipSaturday && d.weekday === 6)) continue;
      days.push(d);
    }
    return days;
  };
  const at = (d: DateTime, hour: number) => d.set({ hour, minute: 0 }).toUTC().toISO()!;
  for (const day of nextWeekdays('Europe/Berlin', 3, false)) {
    out.push({ eventTypeId: DEMO.haircut, start: at(day, 10) });
    if (day.weekday !== 6) out.push({ eventTypeId: DEMO.haircut, start: at(day, 14) });
    out.push({ eventTypeId: DEMO.cutAndColour, start: at(day, 11) });
  }
  for (const day of nextWeekdays('America/New_York', 3, true)) {
    out.push({ eventTypeId: DEMO.teamConsultation, start: at(day, 13) });
  }
  return out;
}
