/**
 * `npm run bench`: every scenario side by side against the embedded simulator on loopback, printed
 * as figures and ratios (never asserted: these machines are shared and noisy).
 *
 *   npm run bench                              # every scenario
 *   npm run bench -- loader quota              # the named scenarios
 *   npm run bench -- compare                   # the comparison harness (bench/mesh.ts; alias: mesh), every workload
 *   npm run bench -- compare voice coldstart   # the comparison harness, the named workloads
 *                                              # (warm-burst, cold, burst, voice, coldstart)
 */
import { runAdmissionScenario } from './admission.js';
import { runAlternativesScenario } from './alternatives.js';
import { runFailuresScenario } from './failures.js';
import { runLoaderScenario } from './loader.js';
import { runCompareScenario } from './mesh.js';
import { runQuotaScenario } from './quota.js';
import { runRssScenario } from './rss.js';
import { runWarmScenario } from './warm.js';
import { runWebhookScenario } from './webhooks.js';

const args = process.argv.slice(2);
const ALIASES: Record<string, string> = { mesh: 'compare' };
const scenarios: Record<string, () => Promise<void>> = {
  loader: runLoaderScenario,
  alternatives: runAlternativesScenario,
  quota: runQuotaScenario,
  admission: runAdmissionScenario,
  webhooks: runWebhookScenario,
  warm: runWarmScenario,
  failures: runFailuresScenario,
  rss: runRssScenario,
  // Every other argument names a workload of the comparison harness (it refuses unknown ones).
  compare: () => runCompareScenario(args.filter((a) => !(a in scenarios) && !(a in ALIASES))),
};
const wanted = new Set(args.filter((a) => a in scenarios || a in ALIASES).map((a) => ALIASES[a] ?? a));
if (args.some((a) => !(a in scenarios) && !(a in ALIASES)) && !wanted.has('compare')) {
  console.error(`unknown scenario in ${args.join(' ')}: one of ${[...Object.keys(scenarios), ...Object.keys(ALIASES)].join(', ')}`);
  process.exit(2);
}
for (const [name, run] of Object.entries(scenarios)) {
  if (wanted.size > 0 && !wanted.has(name)) continue;
  await run();
}
