/**
 * The caller's wish as a UTC instant: given as an instant (`wishedStart`) or as a local wall time in
 * the caller's zone (`wishedLocal`, "2025-10-26T10:00"). A wall time that does not exist (spring
 * forward) or exists twice (fall back) is refused with a message that says so.
 */
import { DateTime, FixedOffsetZone } from 'luxon';

export type WishResolution =
  | { ok: true; instant: DateTime }
  | { ok: false; problem: string };

const WALL_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;

/**
 * Resolves a local wall time in `zone` to the instant(s) it names. Candidates come from the zone's
 * offsets a day before and a day after (luxon does the arithmetic); each is kept when it reads back
 * as the same wall time in `zone`.
 */
export function resolveWallTime(wall: string, zone: string): WishResolution {
  if (!WALL_TIME.test(wall)) return { ok: false, problem: `"${wall}" is not a local date-time like 2025-10-26T10:00` };
  const naive = DateTime.fromISO(wall, { zone: 'utc' });
  if (!naive.isValid) return { ok: false, problem: `"${wall}" is not a real date-time` };
  const probe = DateTime.fromISO(wall, { zone });
  const offsets = new Set([probe.minus({ days: 1 }).offset, probe.offset, probe.plus({ days: 1 }).offset]);
  const wallOf = (d: DateTime) => d.setZone(zone).toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const target = naive.toFormat("yyyy-MM-dd'T'HH:mm:ss");
  const candidates = [...offsets]
    .map((offset) => DateTime.fromISO(wall, { zone: FixedOffsetZone.instance(offset) }))
    .filter((d) => wallOf(d) === target)
    .sort((a, b) => a.toMillis() - b.toMillis());
  const unique = candidates.filter((d, i) => i === 0 || d.toMillis() !== candidates[i - 1]!.toMillis());
  if (unique.length === 0) {
    return { ok: false, problem: `${wall} does not exist in ${zone}: the clocks skip it (daylight saving time starts). Ask for a time outside the gap` };
  }
  if (unique.length > 1) {
    const [first, second] = unique.map((d) => d.setZone(zone).toISO({ suppressMilliseconds: true })!);
    return {
      ok: false,
      problem: `${wall} happens twice in ${zone} (daylight saving time ends): ${first} or ${second}. Pass the one meant as wishedStart`,
    };
  }
  return { ok: true, instant: unique[0]!.toUTC() };
}
