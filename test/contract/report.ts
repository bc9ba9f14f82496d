/** The contract suite's report: a table for the terminal, the full values for each difference. */
import type { Assertion, ContractReport } from './suite.js';

const WIDTH = { verdict: 11, id: 42, value: 44 };

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));
const cut = (text: string, width: number) => (text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`);

function row(a: Assertion): string {
  const verdict = a.verdict === 'same' ? 'same' : a.verdict === 'differs' ? 'DIFFERS' : 'not checked';
  const contract = a.verdict === 'not checked' ? (a.reason ?? '') : show(a.contract);
  const target = a.verdict === 'not checked' ? '' : a.verdict === 'same' ? '(same)' : show(a.target);
  return `${cut(verdict, WIDTH.verdict)} │ ${cut(a.id, WIDTH.id)} │ ${cut(contract, WIDTH.value)} │ ${cut(target, WIDTH.value)}`.trimEnd();
}

/** The report as text: header, one row per assertion, then each difference in full. */
export function formatReport(report: ContractReport): string {
  const lines: string[] = [];
  const rule = '─'.repeat(WIDTH.verdict + WIDTH.id + 2 * WIDTH.value + 9);
  lines.push(`${cut('verdict', WIDTH.verdict)} │ ${cut('assertion', WIDTH.id)} │ ${cut('the contract (the simulator) says', WIDTH.value)} │ target returned`);
  lines.push(rule);
  for (const a of report.assertions) lines.push(row(a));
  lines.push(rule);
  const differences = report.assertions.filter((a) => a.verdict === 'differs');
  for (const a of differences) {
    lines.push('', `DIFFERS ${a.id}: ${a.title} (${a.source})`, `  contract: ${JSON.stringify(a.contract, null, 2).replace(/\n/g, '\n  ')}`, `  target:   ${JSON.stringify(a.target, null, 2).replace(/\n/g, '\n  ')}`);
  }
  const failedCleanup = report.cleanup.filter((c) => !c.ok);
  for (const c of failedCleanup) lines.push('', `CLEANUP FAILED: ${c.what} ${c.uid}${c.detail ? ` (${c.detail})` : ''}: release or cancel it by hand`);
  const { same, differs, notChecked } = report.summary;
  lines.push(
    '',
    `${report.assertions.length} assertions: ${same} same, ${differs} differ, ${notChecked} not checked; ${report.calls.spent} calls spent (budget ${report.calls.budget}, planned at most ${report.calls.planned})`,
  );
  return lines.join('\n');
}
