/**
 * The voice-agent example (examples/voice-agent) end to end against the simulator: one phone call in
 * German and one in English on a fixed clock, checked line by line, with a competing caller taking
 * an offered slot at the simulator meanwhile (announced through slotsChanged over graphql-ws) and a
 * retried booking that must not book twice.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import { runConversation, CALLER, type TranscriptLine } from '../examples/voice-agent/conversation.js';
import { hashToken } from '../src/security/tenants.js';
import { startSimulator, startStack, type Stack } from './support/stack.js';

/** Monday 2025-10-20, 09:00 in Berlin: "tomorrow" is Tuesday the 21st, whose 10:00 the demo data has booked. */
const NOW = '2025-10-20T07:00:00Z';
const SECRET = 'whsec_voice_agent_test';

/** The demo salon on the fixed clock, and the gateway subscribed to the simulator's booking webhooks (as `npm start` does). */
async function prepare(s: Stack) {
  await s.admin.setClock(NOW);
  await s.admin.reset(); // the demo salon, its bookings placed relative to the fixed clock
  const res = await fetch(`${s.sim.apiUrl}/webhooks`, {
    method: 'POST',
    headers: { authorization: 'Bearer cal_test_key', 'content-type': 'application/json' },
    body: JSON.stringify({ subscriberUrl: `${s.gateway.url}/webhooks/calcom`, triggers: ['BOOKING_CREATED', 'BOOKING_CANCELLED'], secret: SECRET, active: true }),
  });
  expect(res.status).toBe(201);
  return s;
}

let stack: Stack;
beforeEach(async () => {
  stack = await prepare(await startStack({ now: () => Date.parse(NOW), webhooks: { secrets: [SECRET], revalidateDelayMs: null }, livePollMs: 0 }));
});

/** The German call, as the agent says it (the README's sample transcript). */
const GERMAN_AGENT = [
  'Salon Demo, guten Tag! Hier spricht der digitale Assistent. Was kann ich für Sie tun?',
  'Morgen um 10:00 Uhr geht es leider nicht. Ich kann Ihnen anbieten: am selben Tag, 09:30 Uhr; am selben Tag, 10:30 Uhr oder am selben Tag, 09:00 Uhr.',
  'Einen Moment, bitte: am selben Tag, 09:30 Uhr wurde gerade eben vergeben. Frei sind noch: am selben Tag, 10:30 Uhr oder am selben Tag, 09:00 Uhr.',
  'Ich halte Ihnen morgen um 10:30 Uhr für 5 Minuten frei. Auf welchen Namen darf ich buchen?',
  'Danke. Ich buche morgen um 10:30 Uhr für Erika Mustermann.',
  'Ihr Termin ist gebucht: morgen um 10:30 Uhr. Bis dann, auf Wiederhören!',
];

const call = (lang: 'de' | 'en', competitor: boolean) => {
  const printed: string[] = [];
  const transcript = runConversation({
    graphqlUrl: stack.gateway.graphqlUrl,
    wsUrl: stack.gateway.wsUrl,
    lang,
    now: Date.parse(NOW),
    ...(competitor ? { simAdminUrl: stack.sim.url } : {}),
    print: (line) => printed.push(line),
  });
  return transcript.then((lines) => ({ lines, printed }));
};
const said = (lines: TranscriptLine[], speaker: TranscriptLine['speaker']) => lines.filter((l) => l.speaker === speaker).map((l) => l.text);

/** The caller's bookings at the simulator (the competitor's are "Someone Else"'s). */
const callerBookings = async () => (await stack.admin.bookings()).filter((b: any) => b.attendee?.name === CALLER.name && b.status === 'accepted');

describe('the voice-agent example', () => {
  it('in German: offers the labelled alternatives, hears that one was taken meanwhile, holds and books another once', async () => {
    const { lines, printed } = await call('de', true);
    expect(said(lines, 'agent')).toEqual(GERMAN_AGENT);
    expect(said(lines, 'caller')).toEqual(['Ich hätte gern einen Haarschnitt, morgen um 10:00 Uhr.', 'Dann nehme ich 10:30 Uhr.', 'Erika Mustermann.']);
    const [competitor, retry] = said(lines, 'note');
    expect(competitor).toBe('(Demo: ein anderer Anrufer bucht gerade „am selben Tag, 09:30 Uhr“ direkt bei Cal.com.)');

    // The retry with the same idempotency key answered the same booking, and there is only that one.
    const mine = await callerBookings();
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ eventTypeId: 1001, start: '2025-10-21T08:30:00.000Z', attendee: { phoneNumber: CALLER.phoneNumber, language: 'de' } });
    expect(retry).toBe(`(Wiederholung mit demselben Idempotenzschlüssel: dieselbe Buchung ${mine[0]!.uid}, keine zweite.)`);
    // The competitor's booking took 09:30; the reservation was consumed by the booking.
    expect((await stack.admin.bookings()).filter((b) => b.start === '2025-10-21T07:30:00.000Z' && b.status === 'accepted')).toHaveLength(1);
    expect(stack.sim.reservations()).toEqual([]);
    expect(printed[0]).toBe('Agent: Salon Demo, guten Tag! Hier spricht der digitale Assistent. Was kann ich für Sie tun?');
    expect(printed).toHaveLength(lines.length);
  });

  it('in English, without a competitor: books the first alternative', async () => {
    const { lines } = await call('en', false);
    expect(said(lines, 'agent')).toEqual([
      'Demo Salon, hello! This is the digital assistant. How can I help?',
      "Tomorrow at 10:00 isn't possible, I'm afraid. I can offer you: same day, 09:30; same day, 10:30 or same day, 09:00.",
      "I'm holding tomorrow at 09:30 for you for 5 minutes. What name shall I book it under?",
      "Thank you. I'm booking tomorrow at 09:30 for Erika Mustermann.",
      "You're booked: tomorrow at 09:30. See you then, goodbye!",
    ]);
    expect(said(lines, 'caller')).toEqual(["I'd like a haircut tomorrow at 10:00.", "Then I'll take 09:30.", 'Erika Mustermann.']);
    const mine = await callerBookings();
    expect(mine.map((b) => b.start)).toEqual(['2025-10-21T07:30:00.000Z']);
    expect(said(lines, 'note')).toEqual([`(Retried with the same idempotency key: the same booking ${mine[0]!.uid}, no second one.)`]);
  });

  it('books the wish itself when it is free', async () => {
    // Cancel the demo booking at tomorrow 10:00 (Cal.com's cancel route), so the wish is free.
    const demo = (await stack.admin.bookings()).find((b) => b.start === '2025-10-21T08:00:00.000Z' && b.eventTypeId === 1001)!;
    const cancelled = await fetch(`${stack.sim.apiUrl}/bookings/${demo.uid}/cancel`, {
      method: 'POST',
      headers: { authorization: 'Bearer cal_test_key', 'cal-api-version': '2024-08-13', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(cancelled.status).toBe(200);
    const { lines } = await call('de', true); // one offer only: no competitor takes it
    expect(said(lines, 'agent').slice(1, 3)).toEqual([
      'Morgen um 10:00 Uhr ist frei. Passt Ihnen das?',
      'Ich halte Ihnen morgen um 10:00 Uhr für 5 Minuten frei. Auf welchen Namen darf ich buchen?',
    ]);
    expect(said(lines, 'caller')[1]).toBe('Ja, gern.');
    expect((await callerBookings()).map((b) => b.start)).toEqual(['2025-10-21T08:00:00.000Z']);
  });

  it('sends its token (HTTP Authorization, graphql-ws connection_init) to a gateway that refuses anonymous callers', async () => {
    const token = 'voice-agent-test-token';
    const sim = await startSimulator();
    const secured = await prepare(
      await startStack({
        sim,
        now: () => Date.parse(NOW),
        livePollMs: 0,
        auth: { allowAnonymous: false },
        tenants: [
          {
            id: 'salon',
            calcom: { apiUrl: sim.apiUrl, apiKey: 'cal_test_key' },
            webhookSecrets: [SECRET],
            clients: [{ name: 'voice-agent', tokenSha256: hashToken(token), scopes: ['availability:read', 'bookings:write'] }],
          },
        ],
      }),
    );
    const run = (withToken: boolean) =>
      runConversation({
        graphqlUrl: secured.gateway.graphqlUrl,
        wsUrl: secured.gateway.wsUrl,
        now: Date.parse(NOW),
        simAdminUrl: sim.url,
        print: () => {},
        ...(withToken ? { token } : {}),
      });
    await expect(run(false)).rejects.toThrow(/graphql-ws connection to ws:.* closed: 44\d\d/); // before a word is said
    expect(said(await run(true), 'agent')).toEqual(GERMAN_AGENT);
  });

  it('from the command line (the README command): starts its own simulator and gateway and prints the same call', async () => {
    const root = fileURLToPath(new URL('..', import.meta.url));
    const { stdout } = await promisify(execFile)(
      `${root}node_modules/.bin/tsx`,
      ['examples/voice-agent/main.ts', '--now', NOW, '--demo-competitor'],
      { cwd: root, timeout: 55_000, env: { ...process.env, SLOTGRAPH_TOKEN: '' } },
    );
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\(embedded Cal\.com simulator at http:\/\/127\.0\.0\.1:\d+, slotgraph at http:\/\/127\.0\.0\.1:\d+\/graphql\)$/);
    expect(lines.filter((l) => l.startsWith('Agent: ')).map((l) => l.slice('Agent: '.length))).toEqual(GERMAN_AGENT);
    expect(lines.filter((l) => l.startsWith('Anrufer: '))).toHaveLength(3);
    expect(lines.find((l) => l.includes('Idempotenzschlüssel'))).toMatch(/^  \(Wiederholung mit demselben Idempotenzschlüssel: dieselbe Buchung \w{22}, keine zweite\.\)$/);
  }, 60_000); // a child process compiling the example with tsx: seconds on a busy machine
});
