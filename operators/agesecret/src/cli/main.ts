// Process entry of the age-secret CLI (also `kubectl age-secret`): the only place that touches the process.
import { processIo } from './io.js';
import { runCli } from './run.js';

try {
  process.exitCode = await runCli(process.argv.slice(2), processIo());
} catch (error) {
  // Unexpected bugs: name the error type only; a stack could carry data we must not print.
  process.stderr.write(
    `age-secret: internal error (${error instanceof Error ? error.name : typeof error}); set AGE_SECRET_DEBUG=1 for details\n`,
  );
  if (process.env['AGE_SECRET_DEBUG'] === '1') console.error(error);
  process.exitCode = 70;
}
