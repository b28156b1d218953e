// Process-level tests of main.ts: it reads the environment, serves, and exits 0 on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));

function startMain(env: Record<string, string>) {
  return spawn(process.execPath, ['--conditions=development', '--import', 'tsx', mainPath], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

test('main serves on HOST/PORT from the environment and stops cleanly on SIGTERM', async () => {
  const child = startMain({ PORT: '0', HOST: '127.0.0.1', LEGACY_KEY_HALF: 'env half' });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      output += d;
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`main exited before listening:\n${output}`)));
  });
  const key = await (await fetch(`http://127.0.0.1:${port}/internal/key`)).text();
  assert.equal(Buffer.from(key, 'base64').toString(), 'env half');
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  assert.equal(code, 0, output);
  assert.match(output, /SIGTERM: shutting down/);
  assert.doesNotMatch(output, /env half/);
});

test('main exits 2 with a precise message on a bad setting', async () => {
  const child = startMain({ PORT: 'three thousand' });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const [code] = await once(child, 'exit');
  assert.equal(code, 2);
  assert.match(stderr, /invalid configuration: PORT must be a non-negative integer/);
});
