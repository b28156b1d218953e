// Tests of the production flags of `capstan run`: addresses, standalone, where the leader Lease lives.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAddress, productionSettingsFrom } from './production-flags.js';

const none = { namespaceFile: '/nonexistent/namespace' };

describe('production flags', () => {
  test('parseAddress', () => {
    assert.deepEqual(parseAddress('8080'), { port: 8080 });
    assert.deepEqual(parseAddress(':8080'), { port: 8080 });
    assert.deepEqual(parseAddress('127.0.0.1:9'), { host: '127.0.0.1', port: 9 });
    assert.deepEqual(parseAddress('[::1]:8080'), { host: '::1', port: 8080 });
    assert.equal(parseAddress('http://x:1'), undefined);
    assert.equal(parseAddress('99999'), undefined);
  });

  test('--standalone and --dev switch election off; --probes is checked', () => {
    const r = productionSettingsFrom({ standalone: true, probes: ':8080' }, { POD_NAME: 'op-1', POD_NAMESPACE: 'ops' }, none);
    assert.ok('settings' in r);
    assert.deepEqual(r.settings, { instance: 'op-1', probes: { port: 8080 }, leaderElection: false });
    const dev = productionSettingsFrom({ dev: true }, { POD_NAMESPACE: 'ops' }, none);
    assert.ok('settings' in dev && dev.settings.leaderElection === false);
    assert.deepEqual(productionSettingsFrom({ probes: 'nope' }, {}, none), { error: '--probes must be PORT, :PORT or HOST:PORT, got nope' });
  });

  test('--stuck-worker-ms sets the liveness bound of one round; below a second or not a number is refused', () => {
    const r = productionSettingsFrom({ standalone: true, 'stuck-worker-ms': '120000' }, {}, none);
    assert.ok('settings' in r);
    assert.deepEqual(r.settings.health, { stuckWorkerMs: 120_000 });
    assert.deepEqual(productionSettingsFrom({ 'stuck-worker-ms': '10' }, {}, none), { error: '--stuck-worker-ms must be an integer >= 1000, got 10' });
    assert.ok('error' in productionSettingsFrom({ 'stuck-worker-ms': 'soon' }, {}, none));
  });

  test('the Lease namespace: flag, then POD_NAMESPACE, then the service account file; else unset with a note', () => {
    const flag = productionSettingsFrom({ 'lease-namespace': 'a', 'lease-name': 'my-lease' }, { POD_NAMESPACE: 'b' }, none);
    assert.ok('settings' in flag);
    assert.deepEqual(flag.settings.leaderElection, { namespace: 'a', leaseName: 'my-lease' });
    const env = productionSettingsFrom({}, { POD_NAMESPACE: 'b' }, none);
    assert.ok('settings' in env && env.settings.leaderElection && env.settings.leaderElection.namespace === 'b');
    const file = join(mkdtempSync(join(tmpdir(), 'capstan-sa-')), 'namespace');
    writeFileSync(file, 'from-file\n');
    const sa = productionSettingsFrom({}, {}, { namespaceFile: file });
    assert.ok('settings' in sa && sa.settings.leaderElection && sa.settings.leaderElection.namespace === 'from-file');
    const nothing = productionSettingsFrom({}, { HOSTNAME: 'laptop' }, none);
    assert.ok('settings' in nothing);
    assert.equal(nothing.settings.leaderElection, undefined);
    assert.equal(nothing.settings.instance, 'laptop');
    assert.match(nothing.notes[0] ?? '', /no leader election unless the module configures it/);
  });
});
