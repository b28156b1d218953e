// Control-plane faults: kill -9 of the API server mid-burst, 410 Gone after etcd compaction, a frozen API server.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { recordFigure } from './figures.js';
import { startAndWaitReady, startRig, type Rig } from './rig.js';
import { inspectState, waitConverged } from './state-check.js';
import {
  AGESECRETS,
  ageSecretBody,
  burst,
  createNamespaceWithKey,
  declare,
  newKeys,
  retrying,
  SECRETS,
  type Keys,
  updateValues,
} from './workload.js';
import { waitUntil } from 'capstan/testing';

const BURST = Number(process.env.FAULTS_BURST ?? 500);
// The reflector restarts a silent stream after timeoutSeconds (300) + 60 s: the freeze must outlast it.
const FREEZE_MS = Number(process.env.FAULTS_FREEZE_MS ?? 375_000);

describe('control-plane faults', { timeout: 3_600_000 }, () => {
  let rig: Rig;
  let keys: Keys;
  const neverCrashed = () => rig.agesecret.running;

  before(async () => {
    rig = await startRig();
    keys = await newKeys();
    await startAndWaitReady(rig.agesecret);
  });

  after(async () => {
    await rig?.close();
  });

  test(`kill -9 of the API server in the middle of a ${BURST}-object burst: all converge, no duplicates`, async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'burst', keys);
    const declared = declare(namespace, BURST, 'PLAINTEXT-BURST');
    const bodies = await Promise.all(declared.map((d) => ageSecretBody(d, keys)));
    const started = Date.now();
    let restart: Promise<void> | undefined;
    await burst(rig.client, bodies, {
      onCreated: (n) => {
        if (n === Math.floor(BURST * 0.4) && !restart) restart = rig.faults.restartApiServer();
      },
    });
    await restart;
    assert.equal(rig.faults.injected.apiServerKills, 1, 'the API server was killed once, mid-burst');
    const { ms, summary } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    assert.equal(summary.ageSecrets, BURST);
    assert.equal(summary.secrets, BURST, 'exactly one Secret per AgeSecret');
    assert.ok(rig.agesecret.running, 'the operator survived the outage without a restart');
    recordFigure(
      {
        scenario: '1. kill -9 API server mid-burst',
        objects: BURST,
        faults: 'API server SIGKILL + restart at 40% of the burst',
        recoveries: `operator reconnected (${rig.agesecret.counts.starts} start)`,
        convergeMs: Date.now() - started,
        afterLastWriteMs: ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test('410 Gone after etcd compaction while objects change: re-list, no missed create/update/delete', async (t) => {
    // Watches straight from etcd: a resourceVersion older than the compaction is then Gone.
    await rig.faults.restartApiServer({ extraArgs: ['--watch-cache=false'] });
    const namespace = await createNamespaceWithKey(rig.client, 'gone', keys);
    const declared = declare(namespace, 60, 'PLAINTEXT-GONE');
    await burst(rig.client, await Promise.all(declared.map((d) => ageSecretBody(d, keys))));
    await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const gonesBefore = count(rig.agesecret.log(), 'watch resourceVersion expired (410)');

    // The operator stops reading (SIGSTOP) and its streams are cut at once (API server restart), so nothing can be
    // buffered for it; then creates, updates and deletes happen and history is compacted: on resume, its watches
    // ask for a compacted resourceVersion and only a re-list can tell it what changed.
    process.kill(rig.agesecret.pid, 'SIGSTOP');
    const started = Date.now();
    try {
      await rig.faults.restartApiServer({ extraArgs: ['--watch-cache=false'] });
      const created = declare(namespace, 20, 'PLAINTEXT-GONE', 60);
      await burst(rig.client, await Promise.all(created.map((d) => ageSecretBody(d, keys))));
      declared.push(...created);
      await updateValues(rig.client, declared.slice(0, 20), keys, 'PLAINTEXT-GONE-UPDATED');
      for (const d of declared.slice(20, 40)) {
        d.deleted = true;
        await retrying(() => rig.client.delete(AGESECRETS, { namespace, name: d.name }));
      }
      // Drift the operator can notice only by re-listing Secrets: owned Secrets deleted behind its back.
      for (const d of declared.slice(40, 50)) await retrying(() => rig.client.delete(SECRETS, { namespace, name: d.secretName }));
      await rig.faults.compactEtcd();
    } finally {
      process.kill(rig.agesecret.pid, 'SIGCONT');
    }
    const { ms } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const gones = count(rig.agesecret.log(), 'watch resourceVersion expired (410)') - gonesBefore;
    assert.ok(gones >= 2, `both watches (AgeSecrets, Secrets) saw 410 Gone and re-listed (log lines: ${gones})`);
    recordFigure(
      {
        scenario: '2. 410 Gone after etcd compaction',
        objects: declared.length,
        faults:
          'operator SIGSTOP; API server SIGKILL + restart (watch cache off); 20 creates, 20 updates, 20 deletes, 10 owned Secrets deleted; etcd compacted',
        recoveries: `${gones} watch(es) re-listed after 410`,
        convergeMs: Date.now() - started,
        afterThawMs: ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test('a frozen API server (SIGSTOP past the watch inactivity timeout), then resumed: streams restart', async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'freeze', keys);
    const declared = declare(namespace, 30, 'PLAINTEXT-FREEZE');
    await burst(rig.client, await Promise.all(declared.map((d) => ageSecretBody(d, keys))));
    await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const stallsBefore = count(rig.agesecret.log(), 'watch stream silent too long');
    rig.faults.freezeApiServer();
    const frozenAt = Date.now();
    try {
      await waitUntil(() => count(rig.agesecret.log(), 'watch stream silent too long') > stallsBefore, {
        timeoutMs: FREEZE_MS + 120_000,
        intervalMs: 1000,
        message: 'the operator to notice its silent watch streams',
        failFast: () => !neverCrashed(),
      });
    } finally {
      rig.faults.thawApiServer();
    }
    const frozenMs = Date.now() - frozenAt;
    const thawed = Date.now();
    // After the freeze, changes must flow again through restarted streams.
    const more = declare(namespace, 10, 'PLAINTEXT-FREEZE', 30);
    await burst(rig.client, await Promise.all(more.map((d) => ageSecretBody(d, keys))));
    declared.push(...more);
    await updateValues(rig.client, declared.slice(0, 5), keys, 'PLAINTEXT-FREEZE-UPDATED');
    const { ms } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const stalls = count(rig.agesecret.log(), 'watch stream silent too long') - stallsBefore;
    assert.ok(stalls >= 1);
    recordFigure(
      {
        scenario: '3. frozen API server',
        objects: declared.length,
        faults: `API server SIGSTOP for ${(frozenMs / 1000).toFixed(0)} s, then SIGCONT`,
        recoveries: `${stalls} silent stream(s) restarted`,
        convergeMs: Date.now() - thawed,
        afterThawMs: ms,
      },
      (line) => t.diagnostic(line),
    );
    const final = await inspectState(rig.client, { namespaces: [namespace], declared });
    assert.deepEqual(final.problems, []);
  });
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
