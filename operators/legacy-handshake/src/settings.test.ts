// Unit tests of the operator's argv/env settings and their error messages.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSettings, type HandshakeSettings } from './settings.js';
import { SettingsError } from './errors.js';

function settings(argv: string[], env: Record<string, string> = {}): HandshakeSettings {
  const parsed = parseSettings(argv, env);
  assert.equal(parsed.help, false);
  return (parsed as { settings: HandshakeSettings }).settings;
}

test('flags: repeatable namespaces, suffix secret, bounds', () => {
  const s = settings([
    '-n',
    'a',
    '--namespace',
    'team-*',
    '--suffix-secret',
    'ops/hs:k',
    '--concurrency',
    '4',
    '--timeout-ms',
    '2500',
    '--no-deployment-opt-in',
  ]);
  assert.deepEqual(s.namespaces, ['a', 'team-*']);
  assert.equal(s.allNamespaces, false);
  assert.deepEqual(s.suffixSecret, { namespace: 'ops', name: 'hs', key: 'k' });
  assert.deepEqual([s.concurrency, s.timeoutMs, s.deploymentOptIn, s.healthPort], [4, 2500, false, 8080]);
});

test('environment fills what flags leave out', () => {
  const s = settings([], {
    HANDSHAKE_NAMESPACES: '*',
    HANDSHAKE_SUFFIX_SECRET: 'ops/hs',
    HANDSHAKE_CONCURRENCY: '3',
    HANDSHAKE_DEPLOYMENT_OPT_IN: 'false',
  });
  assert.equal(s.allNamespaces, true);
  assert.deepEqual([s.concurrency, s.deploymentOptIn, s.suffixSecret.key], [3, false, 'suffix']);
  assert.deepEqual(settings(['-A', '--suffix-secret', 'o/s'], { HANDSHAKE_NAMESPACES: 'x' }).namespaces, []);
});

test('bad input gets a precise message', () => {
  const cases: [string[], RegExp][] = [
    [['--suffix-secret', 'o/s'], /no namespace to watch/],
    [['-A'], /no suffix Secret/],
    [['-A', '-n', 'x', '--suffix-secret', 'o/s'], /either --namespace or --all-namespaces/],
    [['-A', '--suffix-secret', 'o/s', '--concurrency', '0'], /--concurrency 0 is out of range/],
    [['-A', '--suffix-secret', 'o/s', '--timeout-ms', 'soon'], /--timeout-ms "soon" is not a whole number/],
    [['-A', '--suffix-secret', 'nope'], /not namespace\/name/],
    [['-A', '--suffix-secret', 'o/s', '--bogus'], /bogus/],
    [['-n', 'Bad NS', '--suffix-secret', 'o/s'], /not a namespace name/],
  ];
  for (const [argv, message] of cases)
    assert.throws(
      () => parseSettings(argv, {}),
      (e: unknown) => e instanceof SettingsError && message.test(e.message),
      argv.join(' '),
    );
});

test('--help', () => {
  assert.deepEqual(parseSettings(['--help'], {}), { help: true });
});

test('leader election: lease from flag or $POD_NAMESPACE, --standalone, instance from $POD_NAME else $HOSTNAME', () => {
  const fromEnv = settings(['-A', '--suffix-secret', 'o/s'], { POD_NAMESPACE: 'ops', POD_NAME: 'hs-abc', HOSTNAME: 'host' });
  assert.deepEqual(
    [fromEnv.leaseNamespace, fromEnv.leaseName, fromEnv.standalone, fromEnv.instance],
    ['ops', 'legacy-handshake-operator', false, 'hs-abc'],
  );
  const flags = settings(['-A', '--suffix-secret', 'o/s', '--lease-namespace', 'l', '--lease-name', 'x', '--standalone'], {
    POD_NAMESPACE: 'ops',
    HOSTNAME: 'host',
  });
  assert.deepEqual(
    [flags.leaseNamespace, flags.leaseName, flags.standalone, flags.instance],
    [undefined, 'x', true, 'host'],
    'standalone: no Lease at all',
  );
  const bare = settings(['-A', '--suffix-secret', 'o/s']);
  assert.equal(bare.leaseNamespace, undefined);
  assert.ok(bare.instance, "the instance falls back to the machine's hostname");
});
