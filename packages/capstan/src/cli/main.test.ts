// Unit tests of the CLI's argument handling: precise messages and exit codes, no cluster needed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from './main.js';

async function cli(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await main(argv, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: {},
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

test('usage errors exit 2 with a precise message', async () => {
  assert.deepEqual((await cli()).code, 2);
  const unknown = await cli('frobnicate');
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /unknown command "frobnicate"/);
  assert.match((await cli('run')).err, /which operator module\?/);
  const both = await cli('run', 'x.ts', '-A', '-n', 'a');
  assert.equal(both.code, 2);
  assert.match(both.err, /-A and -n exclude each other/);
  assert.match((await cli('run', 'x.ts', '--log-format', 'xml')).err, /--log-format must be json or plain, got xml/);
  assert.match((await cli('run', 'x.ts', '--verbose', '--quiet')).err, /exclude each other/);
  assert.match((await cli('run', 'x.ts', '--liveness', 'not a url')).err, /--liveness must be a URL/);
  assert.match((await cli('run', 'x.ts', '--bogus')).err, /Unknown option '--bogus'/);
});

test('a missing module is a usage error, reported as such', async () => {
  const r = await cli('run', 'does-not-exist.ts', '-n', 'default', '--kubeconfig', '/nonexistent');
  assert.equal(r.code, 2);
  assert.match(r.err, /operator module not found: does-not-exist\.ts/);
});

test('help is printed on request', async () => {
  const r = await cli('run', '--help');
  assert.equal(r.code, 0);
  assert.match(r.out, /usage: capstan run/);
  // The one flag vocabulary of probes and election, shared with the operator binaries.
  assert.match(r.out, /--health-port PORT/);
  assert.match(r.out, /--lease-namespace NS/);
});
