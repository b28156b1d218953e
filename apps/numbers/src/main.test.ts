// Process-level test of main.ts as the kubelet simulator runs it: env in, pod-root mount read, SIGTERM out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const mainPath = fileURLToPath(new URL('./main.ts', import.meta.url));

test('main reads SECRET_FILE under CAPSTAN_POD_ROOT, serves on HOST/PORT and exits 0 on SIGTERM', async () => {
  const podRoot = await mkdtemp(join(tmpdir(), 'numbers-main-'));
  await mkdir(join(podRoot, 'app'));
  await writeFile(join(podRoot, 'app', 'secret.txt'), '1618 0339');
  const child = spawn(process.execPath, ['--conditions=development', '--import', 'tsx', mainPath], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', CAPSTAN_POD_ROOT: podRoot },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
  try {
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        output += d;
        const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
        if (match?.[1]) resolve(match[1]);
      });
      child.once('exit', () => reject(new Error(`main exited before listening:\n${output}`)));
    });
    const html = await (await fetch(`http://127.0.0.1:${port}/`)).text();
    assert.match(html, /<span class="cell">1618<\/span><span class="cell">0339<\/span>/);
    const exited = once(child, 'exit');
    child.kill('SIGTERM');
    assert.equal((await exited)[0], 0, output);
    assert.doesNotMatch(output, /1618/, 'the numbers never reach the log');
  } finally {
    child.kill('SIGKILL');
    await rm(podRoot, { recursive: true, force: true });
  }
});
