/**
 * `npm run test:contract`: reads the environment, runs the contract suite against Cal.com or an
 * embedded simulator, prints the table and writes the JSON report (docs/contract-suite.md).
 * Returns the exit code: 0 when every assertion is "same" (or the suite was skipped), 1 otherwise.
 */
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEMO } from '../../src/sim/demo.js';
import { startCalcomSimulator, type CalcomSimulator } from '../../src/sim/server.js';
import { formatReport } from './report.js';
import { plannedCalls, runContractSuite, type ContractReport } from './suite.js';

export const DEFAULT_MAX_CALLS = 30;
const DEFAULT_API_URL = 'https://api.cal.com/v2';

export interface CliResult {
  exitCode: number;
  report?: ContractReport;
  reportPath?: string;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, not "${raw}"`);
  return value;
}

export async function contractSuiteMain(env: NodeJS.ProcessEnv, out: (line: string) => void, signal?: AbortSignal): Promise<CliResult> {
  const target = (env.CALCOM_CONTRACT_TARGET ?? 'calcom').toLowerCase();
  if (target !== 'calcom' && target !== 'sim') throw new Error(`CALCOM_CONTRACT_TARGET must be calcom or sim, not "${env.CALCOM_CONTRACT_TARGET}"`);
  if (target === 'calcom' && (!env.CALCOM_API_KEY || !env.CALCOM_CONTRACT_EVENT_TYPE_ID)) {
    const missing = ['CALCOM_API_KEY', 'CALCOM_CONTRACT_EVENT_TYPE_ID'].filter((name) => !env[name]);
    out(
      `contract suite skipped: ${missing.join(' and ')} ${missing.length === 1 ? 'is' : 'are'} not set. Set CALCOM_API_KEY and ` +
        'CALCOM_CONTRACT_EVENT_TYPE_ID (an event type the key\'s user owns and may book on) to check Cal.com, or ' +
        'CALCOM_CONTRACT_TARGET=sim to run it against the embedded simulator (docs/contract-suite.md).',
    );
    return { exitCode: 0 };
  }
  const budget = positiveInt(env, 'CALCOM_CONTRACT_MAX_CALLS', DEFAULT_MAX_CALLS);
  const rateLimit = positiveInt(env, 'CALCOM_RATE_LIMIT', 120);
  // Against the simulator nothing is left at anyone's account: the booking checks run unless switched off.
  const book = target === 'sim' ? env.CALCOM_CONTRACT_BOOK !== 'false' : env.CALCOM_CONTRACT_BOOK === 'true';
  const eventTypeId = positiveInt(env, 'CALCOM_CONTRACT_EVENT_TYPE_ID', DEMO.haircut);

  let sim: CalcomSimulator | undefined;
  try {
    let apiUrl = (env.CALCOM_API_URL || DEFAULT_API_URL).replace(/\/+$/, '');
    let apiKey = env.CALCOM_API_KEY ?? '';
    if (target === 'sim') {
      sim = await startCalcomSimulator({ port: 0 });
      apiUrl = sim.apiUrl;
      apiKey = 'cal_contract_suite';
    }
    const planned = plannedCalls(book);
    out(
      `Contract suite against ${target === 'sim' ? 'the embedded simulator' : 'Cal.com'} at ${apiUrl}, event type ${eventTypeId}, ` +
        `booking checks ${book ? 'on' : 'off (CALCOM_CONTRACT_BOOK=true to reserve, book and cancel a slot 30-37 days ahead)'}.`,
    );
    out(`It spends at most ${Math.min(planned, budget)} calls of this API key (planned ${planned}, budget ${budget}: CALCOM_CONTRACT_MAX_CALLS), through slotgraph's quota scheduler.`);
    const report = await runContractSuite({
      target,
      apiUrl,
      apiKey,
      eventTypeId,
      book,
      budget,
      rateLimit,
      ...(env.CALCOM_CONTRACT_ATTENDEE_EMAIL ? { attendeeEmail: env.CALCOM_CONTRACT_ATTENDEE_EMAIL } : {}),
      log: out,
      ...(signal ? { signal } : {}),
    });
    out('');
    out(formatReport(report));
    const reportPath = resolve(env.CALCOM_CONTRACT_REPORT || join(tmpdir(), `slotgraph-contract-${target}-${report.startedAt.replace(/[:.]/g, '-')}.json`));
    await writeFile(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    out(`JSON report: ${reportPath}`);
    const allSame = report.summary.differs === 0 && report.summary.notChecked === 0 && report.cleanup.every((c) => c.ok);
    return { exitCode: allSame ? 0 : 1, report, reportPath };
  } finally {
    await sim?.close();
  }
}
