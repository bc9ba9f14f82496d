/**
 * The contract suite (test/contract, `npm run test:contract`) run programmatically against the
 * simulator, over loopback only: every assertion "same", never more calls than its budget, nothing
 * left booked or reserved, and a target that deviates from the contract reported as "differs" with
 * both values.
 */
import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { closeServer, listen } from '../src/http-server.js';
import { DEMO } from '../src/sim/demo.js';
import { contractSuiteMain } from './contract/cli.js';
import { BOOKING_CALLS, plannedCalls, READ_CALLS, runContractSuite, type ContractReport } from './contract/suite.js';
import { onCleanup, startSimulator } from './support/stack.js';

const suite = (apiUrl: string, budget: number, book = true) =>
  runContractSuite({ target: 'sim', apiUrl, apiKey: 'cal_contract_suite_test', eventTypeId: DEMO.haircut, book, budget });

const verdicts = (report: ContractReport) => Object.fromEntries(report.assertions.map((a) => [a.id, a.verdict]));

describe('the contract suite against the simulator', () => {
  it('finds every assertion the same, within its call budget, and leaves nothing booked or reserved', async () => {
    const sim = await startSimulator();
    const bookingsBefore = sim.bookings().length;
    const report = await suite(sim.apiUrl, 30);

    const notSame = report.assertions.filter((a) => a.verdict !== 'same');
    expect(notSame).toEqual([]);
    expect(report.assertions.length).toBeGreaterThanOrEqual(30);
    for (const id of ['window.end-mid-slot', 'window.zero-length', 'error.bad-parameter', 'event-type.seats-nested', 'rate-limit.reset', 'booking.cancel']) {
      expect(verdicts(report)[id], id).toBe('same');
    }
    // The budget: what the suite counted is what reached the simulator, and at most the plan.
    expect(report.calls).toMatchObject({ planned: READ_CALLS + BOOKING_CALLS, budget: 30 });
    expect(sim.stats().total).toBe(report.calls.spent);
    expect(report.calls.spent).toBeLessThanOrEqual(plannedCalls(true));
    expect(sim.stats().rateLimited).toBe(0);
    // Cleaned up after itself: the booking cancelled (the second attempt was refused), the reservation gone.
    expect(report.cleanup.map((c) => [c.what, c.ok])).toEqual([
      ['reservation', true],
      ['booking', true],
    ]);
    const made = sim.bookings().slice(bookingsBefore);
    expect(made.map((b) => b.status)).toEqual(['cancelled']);
    expect(sim.reservations()).toEqual([]);
  });

  it('never spends more than its budget: what does not fit is "not checked", and the booking part does not start', async () => {
    const sim = await startSimulator();
    const report = await suite(sim.apiUrl, 5);
    expect(sim.stats().total).toBe(5);
    expect(report.calls.spent).toBe(5);
    const byVerdict = verdicts(report);
    expect(byVerdict['event-type.answer']).toBe('same');
    expect(byVerdict['error.bad-parameter']).toBe('not checked');
    expect(report.assertions.find((a) => a.id === 'booking.create')).toMatchObject({ verdict: 'not checked', reason: expect.stringContaining('budget') });
    expect(report.assertions.filter((a) => a.verdict === 'differs')).toEqual([]);
    expect(sim.reservations()).toEqual([]);
    expect(sim.bookings().filter((b) => b.attendee?.name === 'slotgraph contract suite')).toEqual([]);
  });

  it('interrupted right after booking: stops checking, but still cancels the booking', async () => {
    const sim = await startSimulator();
    const stop = new AbortController();
    const report = await runContractSuite({
      target: 'sim',
      apiUrl: sim.apiUrl,
      apiKey: 'cal_contract_suite_test',
      eventTypeId: DEMO.haircut,
      book: true,
      budget: 30,
      signal: stop.signal,
      log: (line) => line.includes('(book)') && stop.abort(), // Ctrl-C, just after the booking was made
    });
    expect(report.assertions.find((a) => a.id === 'booking.create')!.verdict).toBe('same');
    expect(report.assertions.find((a) => a.id === 'booking.slot-taken')).toMatchObject({ verdict: 'not checked', reason: 'failed: interrupted' });
    expect(report.cleanup.filter((c) => c.what === 'booking').map((c) => c.ok)).toEqual([true]);
    expect(sim.bookings().filter((b) => b.attendee?.name === 'slotgraph contract suite').map((b) => b.status)).toEqual(['cancelled']);
  });

  it('reports a deviating target as "differs", with what the contract says and what the target returned', async () => {
    const sim = await startSimulator();
    // A "Cal.com" that sends Reset as an epoch and a top-level seatsPerTimeSlot: both contradict the contract.
    const proxy = createServer(async (req, res) => {
      const upstream = await fetch(`${sim.url}${req.url}`, { method: req.method ?? 'GET', headers: req.headers as Record<string, string> });
      const headers = Object.fromEntries(upstream.headers.entries());
      delete headers['content-length'];
      delete headers['content-encoding'];
      if (headers['x-ratelimit-reset-default']) headers['x-ratelimit-reset-default'] = String(Math.floor(Date.now() / 1000) + Number(headers['x-ratelimit-reset-default']));
      let body = await upstream.text();
      if (req.url?.startsWith(`/v2/event-types/${DEMO.haircut}`)) {
        const json = JSON.parse(body);
        json.data.seatsPerTimeSlot = null;
        body = JSON.stringify(json);
      }
      res.writeHead(upstream.status, headers);
      res.end(body);
    });
    const { url } = await listen(proxy, 0, '127.0.0.1');
    onCleanup(() => closeServer(proxy));

    const report = await suite(`${url}/v2`, 30, false);
    const differs = report.assertions.filter((a) => a.verdict === 'differs');
    expect(differs.map((a) => a.id).sort()).toEqual(['event-type.no-top-level-seats', 'rate-limit.reset']);
    expect(differs.find((a) => a.id === 'event-type.no-top-level-seats')).toMatchObject({ contract: 'absent', target: 'present: null' });
    const reset = differs.find((a) => a.id === 'rate-limit.reset')!;
    expect(reset.contract).toBe('whole seconds, 0..60');
    expect((reset.target as { outside: number[] }).outside[0]).toBeGreaterThan(1_000_000_000);
    expect(report.calls.spent).toBe(READ_CALLS);
  });
});

describe('npm run test:contract', () => {
  it('skips with the reason and exit code 0 without a key and an event type', async () => {
    const out: string[] = [];
    const result = await contractSuiteMain({ CALCOM_API_KEY: 'cal_set_but_alone' }, (line) => out.push(line));
    expect(result.exitCode).toBe(0);
    expect(out.join('\n')).toMatch(/^contract suite skipped: CALCOM_CONTRACT_EVENT_TYPE_ID is not set/);
  });

  it('with CALCOM_CONTRACT_TARGET=sim: prints the budget first and the table, writes the JSON report, exits 0', async () => {
    const reportPath = join(await mkdtemp(join(tmpdir(), 'slotgraph-contract-')), 'report.json');
    const out: string[] = [];
    const result = await contractSuiteMain({ CALCOM_CONTRACT_TARGET: 'sim', CALCOM_CONTRACT_REPORT: reportPath }, (line) => out.push(line));
    expect(result.exitCode).toBe(0);
    expect(out[1]).toMatch(/^It spends at most 20 calls of this API key \(planned 20, budget 30/);
    const text = out.join('\n');
    expect(text).toContain('same        │ window.end-mid-slot');
    expect(text).toMatch(/\d+ assertions: \d+ same, 0 differ, 0 not checked/);
    expect(text).toContain(`JSON report: ${reportPath}`);
    const written = JSON.parse(await readFile(reportPath, 'utf8')) as ContractReport;
    expect(written.summary).toEqual(result.report!.summary);
    expect(written.assertions.every((a) => a.verdict === 'same')).toBe(true);
  });

  it('as a process against a Cal.com URL (here a loopback simulator): runs to the end, cleans up, exits 0', async () => {
    const sim = await startSimulator();
    const root = fileURLToPath(new URL('..', import.meta.url));
    const reportPath = join(await mkdtemp(join(tmpdir(), 'slotgraph-contract-')), 'report.json');
    const { stdout } = await promisify(execFile)(`${root}node_modules/.bin/tsx`, ['test/contract/main.ts'], {
      cwd: root,
      timeout: 55_000,
      env: {
        PATH: process.env.PATH ?? '',
        CALCOM_API_URL: sim.apiUrl,
        CALCOM_API_KEY: 'cal_contract_process_test',
        CALCOM_CONTRACT_EVENT_TYPE_ID: String(DEMO.teamConsultation),
        CALCOM_CONTRACT_BOOK: 'true',
        CALCOM_CONTRACT_REPORT: reportPath,
      },
    }); // a non-zero exit rejects
    expect(stdout).toContain(`Contract suite against Cal.com at ${sim.apiUrl}, event type ${DEMO.teamConsultation}, booking checks on.`);
    expect(stdout).toMatch(/\d+ assertions: \d+ same, 0 differ, 0 not checked; 19 calls spent/);
    const report = JSON.parse(await readFile(reportPath, 'utf8')) as ContractReport;
    expect(report.assertions.filter((a) => a.verdict !== 'same')).toEqual([]);
    expect(sim.stats().total).toBe(19);
    expect(sim.bookings().filter((b) => b.attendee?.name === 'slotgraph contract suite').map((b) => b.status)).toEqual(['cancelled']);
  }, 60_000); // a child process compiling the suite with tsx: seconds on a busy machine
});
