/**
 * What the agent and the caller say, in German and English. Slot labels come from slotgraph
 * (`Alternative.label`, made to be read aloud in the query's `locale`); everything else is here.
 */
import { DateTime } from 'luxon';

export type Lang = 'de' | 'en';

/** A slot as the agent talks about it. */
export interface SpokenSlot {
  /** slotgraph's label, e.g. "am selben Tag, 09:30 Uhr" / "Wednesday 22 October, 10:00". */
  label: string;
  localDate: string;
  localTime: string;
  dayOffset: number;
}

/** "A, B oder C" / "A, B or C"; labels with commas of their own are set apart with semicolons. */
function list(items: string[], or: string): string {
  const separator = items.some((item) => item.includes(',')) ? '; ' : ', ';
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(separator)} ${or} ${items.at(-1)}`;
}

/** "morgen um 10:30 Uhr" when the slot is tomorrow, otherwise "Mittwoch, 22. Oktober, um 10:00 Uhr". */
function when(lang: Lang, slot: { localDate: string; localTime: string }, tomorrow: string): string {
  if (lang === 'de') {
    if (slot.localDate === tomorrow) return `morgen um ${slot.localTime} Uhr`;
    return `${DateTime.fromISO(slot.localDate).setLocale('de').toFormat('cccc, d. LLLL')}, um ${slot.localTime} Uhr`;
  }
  if (slot.localDate === tomorrow) return `tomorrow at ${slot.localTime}`;
  return `${DateTime.fromISO(slot.localDate).setLocale('en-GB').toFormat('cccc d LLLL')} at ${slot.localTime}`;
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

export function phrases(lang: Lang, tomorrow: string) {
  const at = (slot: { localDate: string; localTime: string }) => when(lang, slot, tomorrow);
  if (lang === 'de') {
    return {
      agentName: 'Agent',
      callerName: 'Anrufer',
      greeting: 'Salon Demo, guten Tag! Hier spricht der digitale Assistent. Was kann ich für Sie tun?',
      wish: (time: string) => `Ich hätte gern einen Haarschnitt, morgen um ${time} Uhr.`,
      wishFree: (slot: SpokenSlot) => `${capitalize(at(slot))} ist frei. Passt Ihnen das?`,
      wishTaken: (time: string, offers: SpokenSlot[]) =>
        `Morgen um ${time} Uhr geht es leider nicht. Ich kann Ihnen anbieten: ${list(offers.map((o) => o.label), 'oder')}.`,
      nothingFree: 'Leider ist in den nächsten Tagen nichts mehr frei. Darf ich Sie zurückrufen, wenn etwas frei wird?',
      competitor: (offer: SpokenSlot) => `(Demo: ein anderer Anrufer bucht gerade „${offer.label}“ direkt bei Cal.com.)`,
      noLiveUpdate: (seconds: number) => `(Keine Änderung über slotsChanged binnen ${seconds} s: hört das Gateway die Webhooks des Simulators?)`,
      takenMeanwhile: (gone: SpokenSlot[], rest: SpokenSlot[]) =>
        `Einen Moment, bitte: ${list(gone.map((o) => o.label), 'und')} ${gone.length === 1 ? 'wurde' : 'wurden'} gerade eben vergeben. ` +
        `Frei ${rest.length === 1 ? 'ist' : 'sind'} noch: ${list(rest.map((o) => o.label), 'oder')}.`,
      allGone: 'Das ist leider gerade eben auch vergeben worden. Darf ich Sie zurückrufen?',
      pick: (offer: SpokenSlot) => (offer.dayOffset === 0 ? `Dann nehme ich ${offer.localTime} Uhr.` : `Dann nehme ich ${offer.label}.`),
      acceptWish: 'Ja, gern.',
      holding: (slot: SpokenSlot, minutes: number) =>
        `Ich halte Ihnen ${at(slot)} für ${minutes} Minuten frei. Auf welchen Namen darf ich buchen?`,
      name: (name: string) => `${name}.`,
      booking: (slot: SpokenSlot, name: string) => `Danke. Ich buche ${at(slot)} für ${name}.`,
      retried: (uid: string) => `(Wiederholung mit demselben Idempotenzschlüssel: dieselbe Buchung ${uid}, keine zweite.)`,
      retryDiffered: (first: string, second: string) => `(Achtung: die Wiederholung antwortete ${second} statt ${first}.)`,
      booked: (slot: { localDate: string; localTime: string }) => `Ihr Termin ist gebucht: ${at(slot)}. Bis dann, auf Wiederhören!`,
      takenNow: (offers: string[]) =>
        offers.length > 0
          ? `Dieser Termin ist leider gerade vergeben worden. Frei ist noch: ${list(offers, 'oder')}. Darf ich Sie dafür zurückrufen?`
          : 'Dieser Termin ist leider gerade vergeben worden. Darf ich Sie zurückrufen?',
      problem: (message: string) => `Das hat leider nicht geklappt (${message}). Darf ich Sie zurückrufen?`,
    };
  }
  return {
    agentName: 'Agent',
    callerName: 'Caller',
    greeting: 'Demo Salon, hello! This is the digital assistant. How can I help?',
    wish: (time: string) => `I'd like a haircut tomorrow at ${time}.`,
    wishFree: (slot: SpokenSlot) => `${capitalize(at(slot))} is free. Does that suit you?`,
    wishTaken: (time: string, offers: SpokenSlot[]) =>
      `Tomorrow at ${time} isn't possible, I'm afraid. I can offer you: ${list(offers.map((o) => o.label), 'or')}.`,
    nothingFree: "I'm afraid nothing is free in the coming days. May I call you back when something opens up?",
    competitor: (offer: SpokenSlot) => `(Demo: another caller is booking "${offer.label}" directly at Cal.com.)`,
    noLiveUpdate: (seconds: number) => `(No change through slotsChanged within ${seconds} s: does the gateway receive the simulator's webhooks?)`,
    takenMeanwhile: (gone: SpokenSlot[], rest: SpokenSlot[]) =>
      `One moment, please: ${list(gone.map((o) => o.label), 'and')} ${gone.length === 1 ? 'has' : 'have'} just been taken. ` +
      `Still free: ${list(rest.map((o) => o.label), 'or')}.`,
    allGone: 'That has just been taken as well, I am sorry. May I call you back?',
    pick: (offer: SpokenSlot) => `Then I'll take ${offer.dayOffset === 0 ? offer.localTime : offer.label}.`,
    acceptWish: 'Yes, please.',
    holding: (slot: SpokenSlot, minutes: number) => `I'm holding ${at(slot)} for you for ${minutes} minutes. What name shall I book it under?`,
    name: (name: string) => `${name}.`,
    booking: (slot: SpokenSlot, name: string) => `Thank you. I'm booking ${at(slot)} for ${name}.`,
    retried: (uid: string) => `(Retried with the same idempotency key: the same booking ${uid}, no second one.)`,
    retryDiffered: (first: string, second: string) => `(Warning: the retry answered ${second} instead of ${first}.)`,
    booked: (slot: { localDate: string; localTime: string }) => `You're booked: ${at(slot)}. See you then, goodbye!`,
    takenNow: (offers: string[]) =>
      offers.length > 0
        ? `That slot has just been taken, I'm sorry. Still free: ${list(offers, 'or')}. May I call you back about those?`
        : "That slot has just been taken, I'm sorry. May I call you back?",
    problem: (message: string) => `That didn't work, I'm sorry (${message}). May I call you back?`,
  };
}

export type Phrases = ReturnType<typeof phrases>;
