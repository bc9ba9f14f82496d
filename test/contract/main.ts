/** Entry point of `npm run test:contract` (see test/contract/cli.ts and docs/contract-suite.md). */
import { contractSuiteMain } from './cli.js';

// Should the run ever end without an answer, the exit code says so.
process.exitCode = 1;
contractSuiteMain(process.env, (line) => console.log(line)).then(
  ({ exitCode }) => process.exit(exitCode),
  (err: unknown) => {
    console.error(`contract suite: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
