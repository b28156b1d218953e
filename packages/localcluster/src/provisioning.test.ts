// Unit tests of binary resolution: env overrides win, a given binDir is never provisioned into.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProvisioningError } from './errors.js';
import { locateBinaries, resolveBinaries } from './provisioning.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-provisioning-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fake = (name: string) => {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
};

test('env overrides are used as given', () => {
  const env = { CAPSTAN_KUBE_APISERVER: fake('api'), CAPSTAN_KUBE_CONTROLLER_MANAGER: fake('kcm'), CAPSTAN_ETCD: fake('etcd'), CAPSTAN_CACHE_DIR: join(dir, 'empty-cache') };
  assert.deepEqual(locateBinaries({ env }), { apiserver: env.CAPSTAN_KUBE_APISERVER, controllerManager: env.CAPSTAN_KUBE_CONTROLLER_MANAGER, etcd: env.CAPSTAN_ETCD });
});

test('the cache directory follows CAPSTAN_CACHE_DIR', () => {
  const cache = join(dir, 'cache');
  const bin = join(cache, 'kubernetes-v1.20.2', 'bin');
  rmSync(bin, { recursive: true, force: true });
  assert.equal(locateBinaries({ env: { CAPSTAN_CACHE_DIR: cache } }).apiserver, undefined);
});

test('a binDir without the binaries is an error, not a build', async () => {
  await assert.rejects(resolveBinaries({ binDir: join(dir, 'nothing-here'), env: { PATH: '/usr/bin' } }), ProvisioningError);
});
