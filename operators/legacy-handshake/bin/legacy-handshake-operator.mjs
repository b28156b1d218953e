#!/usr/bin/env node
// The legacy-handshake operator process (`legacy-handshake-operator --help`): in a checkout the sources through tsx,
// in the published package (no src/) the built dist/ on plain node.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/main.ts', import.meta.url));
if (!existsSync(source)) {
  await import(new URL('../dist/main.js', import.meta.url).href);
} else {
  const child = spawn(
    process.execPath,
    ['--conditions=development', '--import', import.meta.resolve('tsx'), source, ...process.argv.slice(2)],
    { stdio: 'inherit' },
  );
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + 1 : 1);
  });
}
