#!/usr/bin/env node
// The capstan CLI launcher: in a checkout (src/ present) the TypeScript sources through tsx, so a stale dist/ never
// shadows them; in the published package (no src/) the built CLI from dist/ on plain node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const built = join(root, 'dist', 'cli', 'main.js');
const source = join(root, 'src', 'cli', 'main.ts');

if (!existsSync(source)) {
  const { main } = await import(pathToFileURL(built).href);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig) => {
    if (++signals > 1) process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const code = await main(process.argv.slice(2), {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    signal: controller.signal,
  });
  process.exit(code);
} else {
  // A checkout without a build: load TypeScript directly (operator modules may be .ts too).
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', source, ...process.argv.slice(2)], {
    stdio: 'inherit',
  });
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 + (signal === 'SIGINT' ? 2 : 15) : 1)));
}
