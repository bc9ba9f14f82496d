/**
 * `npm run bench`: every scenario side by side against the embedded simulator on loopback, printed
 * as figures and ratios (never asserted: these machines are shared and noisy).
 */
import { runAdmissionScenario } from './admission.js';
import { runAlternativesScenario } from './alternatives.js';
import { runFailuresScenario } from './failures.js';
import { runLoaderScenario } from './loader.js';
import { runMeshScenario } from './mesh.js';
import { runQuotaScenario } from './quota.js';
import { runRssScenario } from './rss.js';
import { runWarmScenario } from './warm.js';
import { runWebhookScenario } from './webhooks.js';

const scenarios: Record<string, () => Promise<void>> = {
  loader: runLoaderScenario,
  alternatives: runAlternativesScenario,
  quota: runQuotaScenario,
  admission: runAdmissionScenario,
  webhooks: runWebhookScenario,
  warm: runWarmScenario,
  failures: runFailuresScenario,
  rss: runRssScenario,
  mesh: runMeshScenario,
};
const wanted = process.argv.slice(2);
for (const [name, run] of Object.entries(scenarios)) {
  if (wanted.length > 0 && !wanted.includes(name)) continue;
  await run();
}
