// Unit tests of binary resolution: env overrides win, versions pick their own cache folder, a given binDir is never provisioned into.
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { ProvisioningError, UnsupportedVersionError } from './errors.js';
import { locateBinaries, resolveBinaries } from './provisioning.js';

const dir = mkdtempSync(join(tmpdir(), 'capstan-provisioning-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const fake = (path: string) => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, 0o755);
  return path;
};

test('env overrides are used as given', () => {
  const env = {
    CAPSTAN_KUBE_APISERVER: fake(join(dir, 'api')),
    CAPSTAN_KUBE_CONTROLLER_MANAGER: fake(join(dir, 'kcm')),
    CAPSTAN_KUBE_SCHEDULER: fake(join(dir, 'sched')),
    CAPSTAN_KUBECTL: fake(join(dir, 'kubectl')),
    CAPSTAN_ETCD: fake(join(dir, 'etcd')),
    CAPSTAN_CACHE_DIR: join(dir, 'empty-cache'),
  };
  assert.deepEqual(locateBinaries({ env }), {
    kubernetesVersion: '1.37.2',
    apiserver: env.CAPSTAN_KUBE_APISERVER,
    controllerManager: env.CAPSTAN_KUBE_CONTROLLER_MANAGER,
    scheduler: env.CAPSTAN_KUBE_SCHEDULER,
    kubectl: env.CAPSTAN_KUBECTL,
    etcd: env.CAPSTAN_ETCD,
  });
});

test('each version has its own cache folder under CAPSTAN_CACHE_DIR', () => {
  const cache = join(dir, 'cache');
  for (const tool of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'kubectl'])
    fake(join(cache, 'kubernetes-v1.35.4', 'bin', tool));
  fake(join(cache, 'etcd-v3.6.16', 'bin', 'etcd'));
  const old = locateBinaries({ kubernetesVersion: '1.35', env: { CAPSTAN_CACHE_DIR: cache } });
  assert.equal(old.kubernetesVersion, '1.35.4');
  assert.equal(old.apiserver, join(cache, 'kubernetes-v1.35.4', 'bin', 'kube-apiserver'));
  assert.equal(old.kubectl, join(cache, 'kubernetes-v1.35.4', 'bin', 'kubectl'));
  assert.equal(old.etcd, join(cache, 'etcd-v3.6.16', 'bin', 'etcd'));
  const current = locateBinaries({ env: { CAPSTAN_CACHE_DIR: cache } });
  assert.equal(current.kubernetesVersion, '1.37.2');
  assert.equal(current.apiserver, undefined);
});

test('an unsupported version is refused before anything is built', async () => {
  await assert.rejects(
    resolveBinaries({ kubernetesVersion: '1.20', env: { CAPSTAN_CACHE_DIR: join(dir, 'never') } }),
    UnsupportedVersionError,
  );
});

test('a binDir without the binaries is an error, not a build', async () => {
  await assert.rejects(
    resolveBinaries({ binDir: join(dir, 'nothing-here'), env: { PATH: '/usr/bin', CAPSTAN_CACHE_DIR: join(dir, 'c2') } }),
    ProvisioningError,
  );
});
