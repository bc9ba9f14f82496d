/** Entry point of `npm run test:contract` (see test/contract/cli.ts and docs/contract-suite.md). */
import { contractSuiteMain } from './cli.js';

// Ctrl-C stops the checks but still releases and cancels what the run made; a second one quits at once.
const stop = new AbortController();
process.on('SIGINT', () => {
  if (stop.signal.aborted) process.exit(130);
  console.error('contract suite: interrupted; releasing and cancelling what this run made (Ctrl-C again to quit at once)');
  stop.abort();
});
// Should the run ever end without an answer, the exit code says so.
process.exitCode = 1;
contractSuiteMain(process.env, (line) => console.log(line), stop.signal).then(
  ({ exitCode }) => process.exit(exitCode),
  (err: unknown) => {
    console.error(`contract suite: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
