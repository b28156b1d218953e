// Operator settings from argv/env, and the process entry's exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseSettings, SettingsError } from './settings.js';

test('defaults: all namespaces, default identity in $POD_NAMESPACE, probes on 8080', () => {
  const parsed = parseSettings([], { POD_NAMESPACE: 'ops' });
  assert.equal(parsed.help, false);
  if (parsed.help) return;
  assert.equal(parsed.settings.allNamespaces, true);
  assert.deepEqual(parsed.settings.defaultIdentity, { namespace: 'ops', name: 'agesecret-default-identity' });
  assert.equal(parsed.settings.healthPort, 8080);
  assert.equal(parsed.settings.requireBinding, false);
});

test('flags: namespaces, disabled default identity, binding, log level', () => {
  const parsed = parseSettings(
    ['-n', 'a', '-n', 'team-*', '--no-default-identity', '--require-binding', '--log-level', 'debug', '--health-port', '0'],
    {},
  );
  if (parsed.help) return assert.fail('help');
  assert.deepEqual(parsed.settings.namespaces, ['a', 'team-*']);
  assert.equal(parsed.settings.allNamespaces, false);
  assert.equal(parsed.settings.defaultIdentity, undefined);
  assert.equal(parsed.settings.requireBinding, true);
  assert.equal(parsed.settings.healthPort, 0);
});

test('managed keys: off by default; namespaces listed, the label honoured, the key Secret named', () => {
  const off = parseSettings([], {});
  if (off.help) return assert.fail('help');
  assert.deepEqual(off.settings.managedKeys, {
    namespaces: [],
    label: false,
    secretName: 'agesecret-namespace-key',
    renewalMs: 30 * 86_400_000,
    retireGraceMs: 7 * 86_400_000,
  });
  const on = parseSettings(
    ['--managed-keys-namespace', 'a', '--managed-keys-namespace', 'b', '--managed-keys-label', '--managed-key-secret', 'k'],
    {},
  );
  if (on.help) return assert.fail('help');
  assert.deepEqual(on.settings.managedKeys, {
    namespaces: ['a', 'b'],
    label: true,
    secretName: 'k',
    renewalMs: 30 * 86_400_000,
    retireGraceMs: 7 * 86_400_000,
  });
  const quick = parseSettings(['--managed-keys-label', '--managed-key-renewal', '12h', '--managed-key-retire-grace', '0'], {});
  if (quick.help) return assert.fail('help');
  assert.equal(quick.settings.managedKeys?.renewalMs, 12 * 3_600_000);
  assert.equal(quick.settings.managedKeys?.retireGraceMs, 0);
  assert.throws(() => parseSettings(['--managed-key-retire-grace', 'soon'], {}), SettingsError);
});

test('bad settings are SettingsErrors', () => {
  for (const argv of [
    ['--bogus'],
    ['--concurrency', '0'],
    ['--all-namespaces', '-n', 'x'],
    ['--log-level', 'loud'],
    ['--no-default-identity', '--default-identity-secret', 'x'],
  ]) {
    assert.throws(() => parseSettings(argv, {}), SettingsError, argv.join(' '));
  }
});

test('the process entry: --help exits 0, bad flags exit 2', () => {
  const main = fileURLToPath(new URL('./main.ts', import.meta.url));
  const run = (args: string[]) =>
    spawnSync(process.execPath, ['--conditions=development', '--import', 'tsx', main, ...args], { encoding: 'utf8' });
  const help = run(['--help']);
  assert.equal(help.status, 0, help.stderr);
  assert.match(help.stdout, /--default-identity-secret/);
  const bad = run(['--bogus']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /Unknown option/);
});

test('production settings: health host from flag or $POD_IP, lease from flag or $POD_NAMESPACE, instance from $POD_NAME', () => {
  const fromEnv = parseSettings([], { POD_NAMESPACE: 'ops', POD_IP: '10.0.0.7', POD_NAME: 'agesecret-operator-abc', HOSTNAME: 'host' });
  if (fromEnv.help) return assert.fail('help');
  assert.equal(fromEnv.settings.healthHost, '10.0.0.7');
  assert.equal(fromEnv.settings.leaseNamespace, 'ops');
  assert.equal(fromEnv.settings.leaseName, 'agesecret-operator');
  assert.equal(fromEnv.settings.standalone, false);
  assert.equal(fromEnv.settings.instance, 'agesecret-operator-abc');
  const flags = parseSettings(['--health-host', '127.0.0.1', '--lease-namespace', 'leases', '--lease-name', 'x', '--standalone'], {
    POD_NAMESPACE: 'ops',
    HOSTNAME: 'host',
  });
  if (flags.help) return assert.fail('help');
  assert.equal(flags.settings.healthHost, '127.0.0.1');
  assert.equal(flags.settings.leaseNamespace, undefined, 'standalone: no Lease at all');
  assert.equal(flags.settings.leaseName, 'x');
  assert.equal(flags.settings.standalone, true);
  const elected = parseSettings(['--lease-namespace', 'leases'], { POD_NAMESPACE: 'ops' });
  assert.ok(!elected.help && elected.settings.leaseNamespace === 'leases');
  assert.equal(flags.settings.instance, 'host');
  const bare = parseSettings([], {});
  if (bare.help) return assert.fail('help');
  assert.equal(bare.settings.healthHost, undefined);
  assert.equal(bare.settings.leaseNamespace, undefined);
});

test('--managed-key-renewal: units s, m, h, d or seconds; 0 never; anything else refused', () => {
  const cases: [string, number | 'error'][] = [
    ['45', 45_000],
    ['45s', 45_000],
    ['90m', 5_400_000],
    ['12h', 43_200_000],
    ['7d', 604_800_000],
    ['0', 0],
    ['1.5h', 'error'],
    ['-1', 'error'],
    ['1w', 'error'],
    ['', 'error'],
  ];
  for (const [flag, expected] of cases) {
    if (expected === 'error') {
      assert.throws(() => parseSettings(['--managed-key-renewal', flag], {}), SettingsError, flag);
      continue;
    }
    const parsed = parseSettings(['--managed-key-renewal', flag], {});
    if (parsed.help) return assert.fail('help');
    assert.equal(parsed.settings.managedKeys.renewalMs, expected, flag);
  }
});

test('--rollouts: off by default, on with the flag', () => {
  const off = parseSettings([], {});
  const on = parseSettings(['--rollouts'], {});
  if (off.help || on.help) return assert.fail('help');
  assert.equal(off.settings.rollouts, false);
  assert.equal(on.settings.rollouts, true);
});
