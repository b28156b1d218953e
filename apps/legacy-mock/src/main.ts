// Process entry of the legacy-mock app: options from the environment, graceful stop on SIGTERM/SIGINT.
import { optionsFromEnv } from './env.js';
import { LegacyMockConfigError } from './errors.js';
import { createLegacyMock, type LegacyMock } from './server.js';

const log = (line: string): void => console.log(`${new Date().toISOString()} legacy-mock ${line}`);

let app: LegacyMock;
try {
  app = createLegacyMock({ ...optionsFromEnv(process.env), log });
  await app.listen();
} catch (error) {
  const message =
    error instanceof LegacyMockConfigError ? `invalid configuration: ${error.message}` : `cannot start: ${(error as Error).message}`;
  console.error(`legacy-mock: ${message}`);
  process.exit(error instanceof LegacyMockConfigError ? 2 : 1);
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
