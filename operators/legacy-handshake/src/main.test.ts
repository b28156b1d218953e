// Process-level tests of the entry point without a cluster: usage errors and help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const main = fileURLToPath(new URL('./main.ts', import.meta.url));
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', main, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
  });

test('bad settings exit 2 with a message naming the setting, and the usage', () => {
  const missing = run(['-A']);
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /no suffix Secret: pass --suffix-secret/);
  assert.match(missing.stderr, /Usage: legacy-handshake-operator/);
  const badPort = run(['-A', '--suffix-secret', 'ops/s', '--health-port', '70000']);
  assert.equal(badPort.status, 2);
  assert.match(badPort.stderr, /--health-port must be a port number \(0 = off\), got 70000/);
  const badEnv = run([], { HANDSHAKE_NAMESPACES: 'demo', HANDSHAKE_SUFFIX_SECRET: 'not-a-ref' });
  assert.equal(badEnv.status, 2);
  assert.match(badEnv.stderr, /suffix secret "not-a-ref" is not namespace\/name\[:key\]/);
});

test('--help prints the usage and exits 0', () => {
  const help = run(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--suffix-secret REF/);
});

test('unreadable credentials exit 1 with a logged reason', () => {
  const result = run(['-A', '--suffix-secret', 'ops/s', '--health-port', '0', '--kubeconfig', '/nonexistent/kubeconfig']);
  assert.equal(result.status, 1);
  assert.match(result.stderr, /nonexistent/);
});
