// Process entry of the numbers app: options from the environment, graceful stop on SIGTERM/SIGINT.
import { optionsFromEnv } from './env.js';
import { NumbersConfigError } from './errors.js';
import { createNumbersApp, type NumbersApp } from './server.js';

const log = (line: string): void => console.log(`${new Date().toISOString()} numbers ${line}`);

let app: NumbersApp;
try {
  app = createNumbersApp({ ...optionsFromEnv(process.env), log });
  await app.listen();
} catch (error) {
  const message =
    error instanceof NumbersConfigError ? `invalid configuration: ${error.message}` : `cannot start: ${(error as Error).message}`;
  console.error(`numbers: ${message}`);
  process.exit(error instanceof NumbersConfigError ? 2 : 1);
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: shutting down`);
    void app.close().then(() => process.exit(0));
  });
}
