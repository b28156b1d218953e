// The CLI as a subprocess through its bin launchers: stdin, stdout, exit codes, kubectl plugin name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bin = (name: string) => fileURLToPath(new URL(`../../bin/${name}`, import.meta.url));
const run = (name: string, args: string[], input?: string) =>
  spawnSync(process.execPath, [bin(name), ...args], { input, encoding: 'utf8', env: { ...process.env, EDITOR: 'false' } });

test('keygen | encrypt - | decrypt through the launcher, and the kubectl plugin name', () => {
  const key = run('age-secret.mjs', ['keygen']);
  assert.equal(key.status, 0, key.stderr);
  const recipient = /# public key: (age1\w+)/.exec(key.stdout)?.[1];
  assert.ok(recipient);
  const manifest =
    'apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: s}\nspec: {secretName: s, secretKey: k, secret: subprocess-value}\n';
  const enc = run('age-secret.mjs', ['encrypt', '--file', '-', '-r', recipient], manifest);
  assert.equal(enc.status, 0, enc.stderr);
  assert.ok(!enc.stdout.includes('subprocess-value'));
  const dec = spawnSync(
    'bash',
    ['-c', `node ${bin('kubectl-age_secret.mjs')} decrypt -i <(printf '%s' "$KEY") --file <(printf '%s' "$ENC")`],
    {
      encoding: 'utf8',
      env: { ...process.env, KEY: key.stdout, ENC: enc.stdout },
    },
  );
  assert.equal(dec.status, 0, dec.stderr);
  assert.match(dec.stdout, /secret: subprocess-value/);
});

test('exit codes: 2 for usage, 1 for bad input', () => {
  assert.equal(run('age-secret.mjs', []).status, 2);
  assert.equal(run('age-secret.mjs', ['encrypt', '-f', '-']).status, 2);
  const bad = run(
    'age-secret.mjs',
    ['verify', '-f', '-'],
    'apiVersion: pyvo.io/v1\nkind: AgeSecret\nmetadata: {name: s}\nspec: {secretName: s, secretKey: k, secret: plain}\n',
  );
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /NOT ENCRYPTED/);
  assert.equal(run('age-secret.mjs', ['--help']).status, 0);
});

const binDir = fileURLToPath(new URL('../../../../node_modules/.bin', import.meta.url));
test(
  'kubectl finds the plugin: kubectl age-secret',
  { skip: !existsSync(`${binDir}/kubectl-age_secret`) && 'workspace bins not linked' },
  () => {
    const out = spawnSync('kubectl', ['age-secret', 'encrypt', '--help'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${binDir}:${process.env['PATH']}` },
    });
    assert.equal(out.status, 0, out.stderr);
    assert.match(out.stdout, /Usage: age-secret encrypt/);
  },
);
