// Smoke-sized fault run inside `npm test`: a private control plane (never the shared one), 30 AgeSecrets, kill -9 of
// the API server mid-burst and of the operator after it; the full-state check must hold. No speed assertions.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startAndWaitReady, startRig, waitReady, type Rig } from './rig.js';
import { waitConverged } from './state-check.js';
import { ageSecretBody, burst, createNamespaceWithKey, declare, newKeys } from './workload.js';

describe('fault suite smoke', { timeout: 900_000 }, () => {
  let rig: Rig;

  before(async () => {
    rig = await startRig();
    await startAndWaitReady(rig.agesecret);
  });

  after(async () => {
    await rig?.close();
  });

  test('kill -9 of the API server mid-burst, then of the operator: 30 AgeSecrets converge, no duplicates', async (t) => {
    // The version matrix runs this case on the oldest supported minor (--kubernetes): it must really be that version.
    const version = rig.cluster.info.kubernetesVersion;
    t.diagnostic(`Kubernetes v${version}`);
    const asked = process.env.CAPSTAN_TEST_KUBERNETES;
    if (asked) assert.ok(version?.startsWith(`${asked}.`), `the private control plane runs Kubernetes ${asked} (got ${version})`);
    const keys = await newKeys();
    const namespace = await createNamespaceWithKey(rig.client, 'smoke', keys);
    const declared = declare(namespace, 30, 'PLAINTEXT-SMOKE');
    let restart: Promise<void> | undefined;
    await burst(rig.client, await Promise.all(declared.map((d) => ageSecretBody(d, keys))), {
      parallel: 4,
      onCreated: (n) => {
        if (n === 10) restart = rig.faults.restartApiServer();
      },
    });
    await restart;
    await rig.agesecret.kill();
    await rig.agesecret.start();
    await waitReady(rig.agesecret);
    const { summary } = await waitConverged(
      rig.client,
      { namespaces: [namespace], declared },
      { timeoutMs: 600_000, failFast: () => !rig.agesecret.running },
    );
    assert.equal(summary.secrets, 30);
    assert.equal(rig.faults.injected.apiServerKills, 1);
    assert.equal(rig.agesecret.counts.kills, 1);
  });
});
