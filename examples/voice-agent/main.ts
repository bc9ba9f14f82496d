/**
 * The voice-agent example's command line:
 *
 *   npm run example:voice-agent                          # embedded simulator + gateway, German
 *   npm run example:voice-agent -- --lang en --demo-competitor
 *   npm run example:voice-agent -- --url http://127.0.0.1:4000/graphql --token "$SLOTGRAPH_TOKEN"
 *
 * Options: --lang de|en (default de); --url of a running slotgraph (default: start one here, with an
 * embedded simulator); --ws-url (default: --url with ws:); --token (or SLOTGRAPH_TOKEN);
 * --demo-competitor: another caller books an offered slot at the simulator meanwhile (needs the
 * embedded simulator, or --sim-url of the one behind --url, e.g. `SIM_PORT=5555 npm start`);
 * --now <ISO instant>: fixed clock for the embedded simulator and gateway.
 */
import { parseArgs } from 'node:util';
import { runConversation } from './conversation.js';
import { startEmbeddedSlotgraph, type EmbeddedSlotgraph } from './embedded.js';

async function main() {
  const { values } = parseArgs({
    options: {
      lang: { type: 'string', default: 'de' },
      url: { type: 'string' },
      'ws-url': { type: 'string' },
      token: { type: 'string' },
      'demo-competitor': { type: 'boolean', default: false },
      'sim-url': { type: 'string' },
      now: { type: 'string' },
    },
  });
  const lang = values.lang;
  if (lang !== 'de' && lang !== 'en') throw new Error(`--lang must be de or en, not ${lang}`);
  const now = values.now === undefined ? undefined : Date.parse(values.now);
  if (now !== undefined && Number.isNaN(now)) throw new Error(`--now must be an ISO instant, e.g. 2025-10-20T07:00:00Z`);
  if (now !== undefined && values.url) throw new Error('--now only applies to the embedded simulator (without --url)');
  if (values['sim-url'] && !values.url) throw new Error('--sim-url goes with --url (the embedded simulator is used otherwise)');

  let embedded: EmbeddedSlotgraph | undefined;
  let graphqlUrl = values.url;
  let wsUrl = values['ws-url'];
  let simAdminUrl = values['sim-url'];
  if (!graphqlUrl) {
    embedded = await startEmbeddedSlotgraph(now === undefined ? {} : { now });
    graphqlUrl = embedded.graphqlUrl;
    wsUrl = embedded.wsUrl;
    simAdminUrl = embedded.simUrl;
    console.log(`(embedded Cal.com simulator at ${embedded.simUrl}, slotgraph at ${graphqlUrl})\n`);
  }
  wsUrl ??= graphqlUrl.replace(/^http/, 'ws');
  if (values['demo-competitor'] && !simAdminUrl) throw new Error('--demo-competitor needs the embedded simulator, or --sim-url with --url');
  const token = values.token ?? process.env.SLOTGRAPH_TOKEN;
  try {
    await runConversation({
      graphqlUrl,
      wsUrl,
      lang,
      ...(token ? { token } : {}),
      ...(values['demo-competitor'] && simAdminUrl ? { simAdminUrl } : {}),
      ...(now !== undefined ? { now } : {}),
    });
  } finally {
    await embedded?.close();
  }
}

main().catch((err: unknown) => {
  console.error(`voice-agent: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
