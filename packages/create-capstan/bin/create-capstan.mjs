#!/usr/bin/env node
// `npm create capstan <dir> [-- --kind K ...]`: the same as `capstan init`, through the capstan it depends on.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const launcher = fileURLToPath(import.meta.resolve('capstan/bin/capstan.mjs'));
const child = spawn(process.execPath, [launcher, 'init', ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('exit', (code, signal) => {
  process.exitCode = code ?? (signal ? 1 : 0);
});
