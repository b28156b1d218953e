// Tests of the one flag vocabulary of probes and leader election (capstan run and the operator binaries).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { productionFlagsFrom, productionUsage } from './production-flags.js';

const none = { namespaceFile: '/nonexistent/namespace' };
const defaults = { healthPort: 8080, leaseName: 'op' };

describe('production flags', () => {
  test('the health port: the default, a flag, 0 for off; anything else is refused', () => {
    const cases: { flag?: string; want: number | string }[] = [
      { want: 8080 },
      { flag: '9090', want: 9090 },
      { flag: '0', want: 0 },
      { flag: 'http', want: '--health-port must be a port number (0 = off), got http' },
      { flag: '70000', want: '--health-port must be a port number (0 = off), got 70000' },
    ];
    for (const c of cases) {
      const r = productionFlagsFrom({ 'health-port': c.flag, standalone: true }, {}, defaults, none);
      assert.deepEqual('error' in r ? r.error : r.flags.healthPort, c.want, String(c.flag));
    }
    const host = productionFlagsFrom({ standalone: true }, { POD_IP: '10.1.2.3' }, defaults, none);
    assert.ok('flags' in host && host.flags.healthHost === '10.1.2.3');
  });

  test('--standalone and --dev switch election off', () => {
    const r = productionFlagsFrom({ standalone: true }, { POD_NAME: 'op-1', POD_NAMESPACE: 'ops' }, defaults, none);
    assert.ok('flags' in r);
    assert.deepEqual(r.flags, { healthPort: 8080, leaseName: 'op', standalone: true, instance: 'op-1' });
    const dev = productionFlagsFrom({ dev: true }, { POD_NAMESPACE: 'ops' }, defaults, none);
    assert.ok('flags' in dev && dev.flags.standalone && dev.flags.leaseNamespace === undefined);
  });

  test('--stuck-worker-ms sets the liveness bound of one round; below a second or not a number is refused', () => {
    const r = productionFlagsFrom({ standalone: true, 'stuck-worker-ms': '120000' }, {}, defaults, none);
    assert.ok('flags' in r && r.flags.stuckWorkerMs === 120_000);
    assert.deepEqual(productionFlagsFrom({ 'stuck-worker-ms': '10' }, {}, defaults, none), {
      error: '--stuck-worker-ms must be an integer >= 1000, got 10',
    });
    assert.ok('error' in productionFlagsFrom({ 'stuck-worker-ms': 'soon' }, {}, defaults, none));
  });

  test('the Lease namespace: flag, then POD_NAMESPACE, then the service account file; else unset with a note', () => {
    const flag = productionFlagsFrom({ 'lease-namespace': 'a', 'lease-name': 'my-lease' }, { POD_NAMESPACE: 'b' }, defaults, none);
    assert.ok('flags' in flag && flag.flags.leaseNamespace === 'a' && flag.flags.leaseName === 'my-lease');
    const env = productionFlagsFrom({}, { POD_NAMESPACE: 'b' }, defaults, none);
    assert.ok('flags' in env && env.flags.leaseNamespace === 'b' && env.flags.leaseName === 'op');
    const file = join(mkdtempSync(join(tmpdir(), 'capstan-sa-')), 'namespace');
    writeFileSync(file, 'from-file\n');
    const sa = productionFlagsFrom({}, {}, defaults, { namespaceFile: file });
    assert.ok('flags' in sa && sa.flags.leaseNamespace === 'from-file');
    const nothing = productionFlagsFrom({}, { HOSTNAME: 'laptop' }, defaults, none);
    assert.ok('flags' in nothing);
    assert.equal(nothing.flags.leaseNamespace, undefined);
    assert.equal(nothing.flags.instance, 'laptop');
    assert.equal(nothing.notes.length, 1);
  });

  test("the usage names every flag with the binary's defaults", () => {
    const text = productionUsage({ healthPort: 0, leaseName: 'x-leader' });
    for (const flag of ['--health-port', '--health-host', '--lease-namespace', '--lease-name', '--standalone', '--stuck-worker-ms'])
      assert.ok(text.includes(flag), flag);
    assert.match(text, /default: off/);
    assert.match(text, /default x-leader/);
  });
});
