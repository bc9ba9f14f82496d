/**
 * Words a voice agent reads aloud for an alternative, in the caller's locale and zone. Dates and
 * weekdays come from Intl (through luxon); only the few fixed phrases below are ours.
 */
import type { DateTime } from 'luxon';

interface Phrases {
  /** Said instead of the date when the slot is on the wished day. */
  sameDay: string;
  /** Intl locale for dates ("en" alone reads "Monday 27 October", British order, 24 h clock). */
  intlLocale: (requested: string) => string;
  /** Wraps the wall time, e.g. German "07:00 Uhr". */
  time: (hhmm: string) => string;
}

const PHRASES: Record<string, Phrases> = {
  en: { sameDay: 'same day', intlLocale: (l) => (l === 'en' ? 'en-GB' : l), time: (t) => t },
  de: { sameDay: 'am selben Tag', intlLocale: (l) => l, time: (t) => `${t} Uhr` },
};

/** Languages labels can be written in. */
export const SUPPORTED_LANGUAGES = Object.keys(PHRASES);

/** The canonical BCP 47 tag of a supported locale ("de-at" → "de-AT"), or null. */
export function supportedLocale(locale: string): string | null {
  let canonical: string;
  try {
    [canonical = ''] = Intl.getCanonicalLocales(locale);
  } catch {
    return null;
  }
  return PHRASES[canonical.split('-')[0]!] ? canonical : null;
}

/**
 * "same day, 09:30" / "am selben Tag, 09:30 Uhr" when `dayOffset` is 0; otherwise weekday and date:
 * "Monday 27 October, 07:00" / "Montag, 27. Oktober, 07:00 Uhr". `local` is the slot start in the
 * caller's zone; `locale` one accepted by {@link supportedLocale}.
 */
export function slotLabel(local: DateTime, dayOffset: number, locale: string): string {
  const phrases = PHRASES[locale.split('-')[0]!] ?? PHRASES.en!;
  const time = phrases.time(local.toFormat('HH:mm'));
  if (dayOffset === 0) return `${phrases.sameDay}, ${time}`;
  const date = local.setLocale(phrases.intlLocale(locale)).toLocaleString({ weekday: 'long', day: 'numeric', month: 'long' });
  return `${date}, ${time}`;
}
