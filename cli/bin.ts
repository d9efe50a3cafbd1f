/** The bundle's entry (dist/cli.js): runs the command and sets the exit code. */
import { COMMAND } from './args';
import { EXIT, main } from './main';

main(process.argv.slice(2)).then(
  (code) => {
    // exitCode, not exit(): a piped stdout is written asynchronously and exit() would cut it short.
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${COMMAND}: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = EXIT.error;
  },
);
