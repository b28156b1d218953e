// Operator faults: kill -9 of both operators mid-burst and restart; two AgeSecret replicas with leader election.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import type { KubeObject } from 'capstan';
import { recordFigure } from './figures.js';
import { LEASE, LEASES } from './leader-lease.js';
import { watchSecretHistory } from './secret-history.js';
import { REPO_ROOT } from './repo.js';
import { AGESECRET_NS, startAndWaitReady, startRig, waitReady, type Rig } from './rig.js';
import { waitConverged } from './state-check.js';
import { waitUntil } from 'capstan/testing';
import {
  AGESECRETS,
  ageSecretBody,
  burst,
  createNamespaceWithKey,
  createPlainNamespace,
  declare,
  legacyPod,
  newKeys,
  PODS,
  retrying,
  SECRETS,
  type Keys,
} from './workload.js';

const BURST = Number(process.env.FAULTS_CRASH_BURST ?? 300);
const PODS_N = Number(process.env.FAULTS_PODS ?? 6);

type Cond = { type: string; status: string; observedGeneration?: number };

describe('operator faults', { timeout: 3_600_000 }, () => {
  let rig: Rig;
  let keys: Keys;

  before(async () => {
    rig = await startRig({ handshake: true });
    keys = await newKeys();
    await Promise.all([startAndWaitReady(rig.agesecret), startAndWaitReady(rig.handshake!)]);
  });

  after(async () => {
    await rig?.close();
  });

  test(`kill -9 of the operators mid-burst (${BURST} AgeSecrets, ${PODS_N} pods) and restart: converges, no duplicate side effects`, async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'crash', keys);
    const podNs = await createPlainNamespace(rig.client, 'crash-pods');
    const declared = declare(namespace, BURST, 'PLAINTEXT-CRASH');
    const bodies = await Promise.all(declared.map((d) => ageSecretBody(d, keys)));
    const secretHistory = await watchSecretHistory(rig.client, namespace);
    t.after(() => secretHistory.stop());
    const started = Date.now();
    const creating = burst(rig.client, bodies);
    for (let i = 0; i < PODS_N; i++) await retrying(() => rig.client.create(PODS, legacyPod(podNs, `legacy-${i}`), { namespace: podNs }));

    // Kill both as soon as some (not all) work is done: the AgeSecret operator at >= 20% Ready.
    const readyNow = async () =>
      (await rig.client.list<KubeObject & { status?: { conditions?: Cond[] } }>(AGESECRETS, { namespace })).items.filter((a) =>
        a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
      );
    const before = await waitUntil(
      async () => {
        const ready = await readyNow();
        return ready.length >= BURST * 0.2 ? ready : undefined;
      },
      { timeoutMs: 600_000, intervalMs: 200, message: 'a fifth of the AgeSecrets Ready' },
    );
    await Promise.all([rig.agesecret.kill(), rig.handshake!.kill()]);
    const readyAtKill = before.length;
    // What was done before the kill must not be redone: remember the Secrets' versions.
    const secretsAtKill = new Map<string, string>();
    for (const a of before) {
      const d = declared.find((x) => x.name === a.metadata.name)!;
      const s = await rig.client.tryGet(SECRETS, { namespace, name: d.secretName });
      if (s) secretsAtKill.set(d.secretName, s.metadata.resourceVersion!);
    }
    await creating;
    const restartedAt = Date.now();
    await Promise.all([rig.agesecret.start(), rig.handshake!.start()]);
    await Promise.all([waitReady(rig.agesecret), waitReady(rig.handshake!)]);
    const { ms } = await waitConverged(
      rig.client,
      { namespaces: [namespace], declared, podNamespaces: [podNs] },
      {
        failFast: () => !rig.agesecret.running || !rig.handshake!.running,
      },
    );
    const summary = await waitConverged(rig.client, { namespaces: [namespace], declared, podNamespaces: [podNs] }, { timeoutMs: 60_000 });
    assert.equal(summary.summary.pods, PODS_N, 'every labelled pod is running and handshaken');
    assert.equal(summary.summary.secrets, BURST, 'exactly one Secret per AgeSecret');

    // Idempotency: Secrets written before the kill were not rewritten after the restart; none was created twice.
    const rewritten: string[] = [];
    for (const [name, rv] of secretsAtKill) {
      const s = await rig.client.get(SECRETS, { namespace, name });
      if (s.metadata.resourceVersion !== rv) rewritten.push(name);
    }
    assert.deepEqual(rewritten, [], 'Secrets done before the crash are left alone after the restart');
    // Every Secret was created exactly once and never deleted (the API server's own watch says so).
    const twice = [...secretHistory.added].filter(([, n]) => n > 1).map(([name]) => name);
    assert.deepEqual(twice, [], 'no AgeSecret had its Secret created twice');
    assert.deepEqual(secretHistory.deleted, [], 'no Secret was deleted and recreated');
    assert.equal([...secretHistory.added.keys()].filter((n) => declared.some((d) => d.secretName === n)).length, BURST);
    recordFigure(
      {
        scenario: '4. kill -9 operators mid-burst',
        objects: BURST + PODS_N,
        faults: `SIGKILL of both operators at ${readyAtKill}/${BURST} Ready`,
        recoveries: `both restarted; ${secretsAtKill.size} Secrets done before the kill untouched`,
        convergeMs: Date.now() - started,
        afterRestartMs: Date.now() - restartedAt,
        convergeAfterReadyMs: ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test('kill -9 of the operator mid-teardown and mid-rename: garbage collection and renames complete, no orphaned or stale Secret', async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'teardown', keys);
    const declared = declare(namespace, 200, 'PLAINTEXT-TEARDOWN');
    await burst(rig.client, await Promise.all(declared.map((d) => ageSecretBody(d, keys))));
    await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !rig.agesecret.running });
    // Half are deleted, a quarter renamed (the old Secret must go, the new one appear), the rest untouched.
    const started = Date.now();
    const doomed = declared.slice(0, 100);
    const renamed = declared.slice(100, 150);
    const writes = [
      ...doomed.map((d) => async () => {
        d.deleted = true;
        await retrying(() => rig.client.delete(AGESECRETS, { namespace, name: d.name }));
      }),
      ...renamed.map((d) => async () => {
        d.secretName = `${d.secretName}-renamed`;
        await retrying(() =>
          rig.client.patch(AGESECRETS, { namespace, name: d.name }, { spec: { secretName: d.secretName } }, { type: 'merge' }),
        );
      }),
    ];
    const gone = async () =>
      (await rig.client.list(SECRETS, { namespace })).items.filter((s) => doomed.some((d) => d.secretName === s.metadata.name)).length;
    const pending = Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let w = writes.shift(); w; w = writes.shift()) await w();
      }),
    );
    await waitUntil(async () => (await gone()) <= 80, {
      timeoutMs: 600_000,
      intervalMs: 200,
      message: 'a fifth of the deleted AgeSecrets cleaned up',
    });
    await rig.agesecret.kill();
    const secretsLeft = await gone();
    await pending;
    await rig.agesecret.start();
    await waitReady(rig.agesecret);
    const { ms, summary } = await waitConverged(
      rig.client,
      { namespaces: [namespace], declared },
      { failFast: () => !rig.agesecret.running },
    );
    assert.equal(summary.ageSecrets, 100);
    assert.equal(summary.secrets, 100, 'one Secret per remaining AgeSecret, none left by the deleted or under the old names');
    recordFigure(
      {
        scenario: '4b. kill -9 operator mid-teardown/rename',
        objects: declared.length,
        faults: `100 deletes + 50 renames; operator SIGKILL with ${secretsLeft}/100 doomed Secrets left`,
        recoveries: "restarted; deleted AgeSecrets' Secrets garbage-collected, old names deleted",
        convergeMs: Date.now() - started,
        afterRestartMs: ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test('two AgeSecret replicas with leader election: one acts, kill -9 hands over within the lease, SIGTERM at once', async (t) => {
    // Regression of finding 2 (RELIABILITY.md): election must be reachable from the process entry.
    const help = execFileSync(
      process.execPath,
      ['--conditions=development', '--import', 'tsx', 'operators/agesecret/src/main.ts', '--help'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    assert.ok(help.includes('--lease-namespace'), 'agesecret-operator --help offers --lease-namespace');
    await rig.agesecret.stop();
    const electionArgs = [`--lease-namespace=${AGESECRET_NS}`];
    const a = await rig.agesecretReplica('replica-a', electionArgs);
    const b = await rig.agesecretReplica('replica-b', electionArgs);
    await Promise.all([startAndWaitReady(a), startAndWaitReady(b)]);
    const holder = async () =>
      (
        await rig.client.tryGet<
          KubeObject & { spec?: { holderIdentity?: string; leaseDurationSeconds?: number; acquireTime?: string; renewTime?: string } }
        >(LEASES, { namespace: AGESECRET_NS, name: LEASE })
      )?.spec;
    const leaderOf = async () => {
      const h = (await holder())?.holderIdentity ?? '';
      return h.startsWith('replica-a') ? a : h.startsWith('replica-b') ? b : undefined;
    };
    const first = await waitUntil(leaderOf, { timeoutMs: 120_000, message: 'a leader in the Lease' });
    const standby = first === a ? b : a;
    const leaseMs = ((await holder())?.leaseDurationSeconds ?? 15) * 1000;
    const keys2 = await newKeys();
    const namespace = await createNamespaceWithKey(rig.client, 'elect', keys2);
    const declared = declare(namespace, 40, 'PLAINTEXT-ELECT');
    await burst(rig.client, await Promise.all(declared.slice(0, 20).map((d) => ageSecretBody(d, keys2))));
    await waitConverged(rig.client, { namespaces: [namespace], declared: declared.slice(0, 20) }, { failFast: () => !first.running });
    assert.equal(count(standby.log(), 'secret written'), 0, 'the standby wrote nothing');
    assert.ok(count(first.log(), 'secret written') >= 20, 'the leader wrote the Secrets');

    // kill -9 of the leader: the standby takes over once the lease expires.
    await first.kill();
    const killedAt = Date.now();
    // The dead leader's last renewal: the lease runs out leaseDuration after it, whatever the kill's timing.
    const lastRenew = Date.parse((await holder())?.renewTime ?? '');
    await waitUntil(async () => (await leaderOf()) === standby, {
      timeoutMs: leaseMs * 4 + 60_000,
      message: 'the standby to take the Lease',
    });
    const takeoverMs = Date.now() - killedAt;
    const acquiredAfterRenewMs = Date.parse((await holder())?.acquireTime ?? '') - lastRenew;
    // Within the lease: once the lease expired, the standby needs at most a retry period (2 s, jittered) to
    // notice; half a lease of slack absorbs a loaded machine's scheduling without hiding a missed expiry.
    assert.ok(Number.isFinite(acquiredAfterRenewMs), 'the Lease records the renewal and the acquisition');
    assert.ok(
      acquiredAfterRenewMs < leaseMs * 1.5,
      `the standby took over within the lease (acquired ${acquiredAfterRenewMs} ms after the last renewal; lease ${leaseMs} ms)`,
    );
    await burst(rig.client, await Promise.all(declared.slice(20, 30).map((d) => ageSecretBody(d, keys2))));
    await waitConverged(rig.client, { namespaces: [namespace], declared: declared.slice(0, 30) }, { failFast: () => !standby.running });

    // Graceful stop of the new leader, with the old one back as standby: hand-over without waiting for expiry.
    await first.start();
    await waitReady(first);
    await standby.stop();
    const stoppedAt = Date.now();
    await waitUntil(async () => (await leaderOf()) === first, {
      timeoutMs: leaseMs * 4 + 60_000,
      message: 'the restarted replica to take the released Lease',
    });
    const handoverMs = Date.now() - stoppedAt;
    await burst(rig.client, await Promise.all(declared.slice(30).map((d) => ageSecretBody(d, keys2))));
    await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !first.running });
    t.diagnostic(
      `lease ${leaseMs} ms; take-over after kill -9 ${takeoverMs} ms (${acquiredAfterRenewMs} ms after the last renewal); hand-over after SIGTERM ${handoverMs} ms`,
    );
    assert.ok(handoverMs < leaseMs, `a graceful stop hands over before the lease would expire (${handoverMs} ms < ${leaseMs} ms)`);
    recordFigure(
      {
        scenario: '5. two replicas, leader election',
        objects: declared.length,
        faults: 'leader SIGKILL; later new leader SIGTERM',
        recoveries: `take-over ${(takeoverMs / 1000).toFixed(1)} s after kill -9, ${(acquiredAfterRenewMs / 1000).toFixed(1)} s after the last renewal (lease ${leaseMs / 1000} s), hand-over ${(handoverMs / 1000).toFixed(1)} s after SIGTERM`,
        convergeMs: Date.now() - killedAt,
      },
      (line) => t.diagnostic(line),
    );
    await first.stop();
    await rig.agesecret.start();
  });
});

function count(text: string, needle: string): number {
  return text.split(needle).length - 1;
}
