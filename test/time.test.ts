import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { countLocalDays, listLocalDates, localDaysToRange, parseInstantMs, toCalcomWindow, toLocalSlotMs } from '../src/time.js';

const utc = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();
const HOUR_MS = 3_600_000;

describe('local day windows', () => {
  it('makes the Europe/Berlin autumn-switch day 25 hours long', () => {
    const range = localDaysToRange('2025-10-26', '2025-10-26', 'Europe/Berlin');
    expect(iso(range.start)).toBe('2025-10-25T22:00:00.000Z');
    expect(iso(range.end)).toBe('2025-10-26T23:00:00.000Z');
    expect((range.end - range.start) / HOUR_MS).toBe(25);
  });

  it('makes the America/New_York spring-switch day 23 hours long', () => {
    const range = localDaysToRange('2025-03-09', '2025-03-09', 'America/New_York');
    expect(iso(range.start)).toBe('2025-03-09T05:00:00.000Z');
    expect(iso(range.end)).toBe('2025-03-10T04:00:00.000Z');
    expect((range.end - range.start) / HOUR_MS).toBe(23);
  });

  it('starts every local day at its first instant, for two years, in zones whose clocks change at or near midnight', () => {
    // Havana and Santiago skip 00:00 on their spring day (luxon resolves it), Beirut and Cairo switch
    // at 00:00, Lord Howe by half an hour, Kathmandu sits at +05:45, Apia dropped DST.
    const zones = ['America/Havana', 'America/Santiago', 'Asia/Beirut', 'Africa/Cairo', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Pacific/Apia', 'Europe/Berlin', 'America/New_York'];
    for (const zone of zones) {
      for (let day = DateTime.fromISO('2025-01-01', { zone: 'UTC' }); day.year < 2027; day = day.plus({ days: 1 })) {
        const date = day.toISODate()!;
        const range = localDaysToRange(date, date, zone);
        // The day starts at the first instant whose local date is `date` (luxon renders it), and
        // ends where the next one starts.
        const dateAt = (ms: number) => DateTime.fromMillis(ms, { zone }).toISODate();
        expect([zone, date, dateAt(range.start), dateAt(range.start - 1)]).toEqual([zone, date, date, day.minus({ days: 1 }).toISODate()]);
        expect(range.end).toBe(localDaysToRange(day.plus({ days: 1 }).toISODate()!, day.plus({ days: 1 }).toISODate()!, zone).start);
        // Luxon's startOf('day') is the same instant, except on a day whose 00:00 happens twice
        // (Havana falls back from 01:00 to 00:00), where it takes the second.
        const luxonStart = DateTime.fromISO(date, { zone }).startOf('day').toMillis();
        if (range.start !== luxonStart) expect([zone, date, luxonStart - range.start]).toEqual([zone, date, HOUR_MS]);
      }
    }
  });

  it('lists and counts local days inclusively', () => {
    expect(listLocalDates('2025-10-30', '2025-11-02')).toEqual(['2025-10-30', '2025-10-31', '2025-11-01', '2025-11-02']);
    expect(countLocalDays('2025-10-30', '2025-11-02')).toBe(4);
    expect(countLocalDays('2025-10-30', '2025-10-30')).toBe(1);
    expect(countLocalDays('2025-10-30', '2025-10-29')).toBe(0);
  });
});

describe('toCalcomWindow', () => {
  it('never sends an end at 00:00:00Z (Cal.com would widen it to 23:59:59)', () => {
    for (const zone of ['UTC', 'Europe/London', 'Africa/Abidjan', 'Europe/Berlin', 'Pacific/Kiritimati']) {
      const window = toCalcomWindow(localDaysToRange('2025-01-15', '2025-01-16', zone));
      expect(window.end, zone).not.toMatch(/T00:00:00(\.0+)?Z$/);
    }
    expect(toCalcomWindow(localDaysToRange('2025-01-15', '2025-01-15', 'UTC'))).toEqual({
      start: '2025-01-15T00:00:00Z',
      end: '2025-01-15T23:59:59Z',
    });
  });

  it('floors a range end that is not on a whole second and still avoids midnight', () => {
    expect(toCalcomWindow({ start: utc('2025-01-15T00:00:00Z'), end: utc('2025-01-16T00:00:00.500Z') }).end).toBe('2025-01-15T23:59:59Z');
    expect(toCalcomWindow({ start: utc('2025-01-15T00:00:00Z'), end: utc('2025-01-15T12:30:00Z') }).end).toBe('2025-01-15T12:29:59Z');
  });
});

describe('toLocalSlotMs', () => {
  it('reads a UTC instant as local wall time with the offset in force then', () => {
    // The old system read 06:00Z aloud as "06:00" on 2025-10-26; it is 07:00 in Berlin (CET).
    const slot = toLocalSlotMs(utc('2025-10-26T06:00:00Z'), utc('2025-10-26T06:30:00Z'), 'Europe/Berlin');
    expect(slot).toMatchObject({ localDate: '2025-10-26', localTime: '07:00', utcOffset: '+01:00' });
    expect(toLocalSlotMs(utc('2025-10-25T06:00:00Z'), utc('2025-10-25T06:30:00Z'), 'Europe/Berlin').localTime).toBe('08:00');
    expect(toLocalSlotMs(utc('2025-10-26T23:30:00Z'), utc('2025-10-27T00:00:00Z'), 'America/New_York')).toMatchObject({
      localDate: '2025-10-26',
      localTime: '19:30',
      utcOffset: '-04:00',
    });
  });
});

describe('parseInstantMs', () => {
  it('reads Cal.com instants with Z or an offset, with or without seconds and fraction', () => {
    const at = Date.UTC(2026, 2, 29, 8, 0);
    expect(parseInstantMs('2026-03-29T10:00:00.000+02:00')).toBe(at);
    expect(parseInstantMs('2026-03-29T08:00:00Z')).toBe(at);
    expect(parseInstantMs('2026-03-29T03:00-05:00')).toBe(at);
    expect(parseInstantMs('2026-03-29T08:00:00.000000Z')).toBe(at);
  });

  it('refuses what is not an instant: no offset (a local time), a date, garbage', () => {
    for (const bad of ['2026-03-29T10:00:00', '2026-03-29', 'tomorrow', '2026-03-29T10:00:00+0200', '']) expect(parseInstantMs(bad), bad).toBeNull();
  });
});
