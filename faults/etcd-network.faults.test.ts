// etcd and network faults: kill -9 of etcd mid-burst, a cut, lossy or one-way network between operator and API server,
// a partitioned leader.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { waitUntil } from 'capstan/testing';
import { recordFigure } from './figures.js';
import { leaderAmong, leaderGauge, loggedAt, readLease } from './leader-lease.js';
import { NetworkCut, type CutOptions } from './network-cut.js';
import { AGESECRET_NS, startAndWaitReady, startRig, type Rig } from './rig.js';
import { assertStoreAccount, watchSecretHistory } from './secret-history.js';
import { waitConverged } from './state-check.js';
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

const ETCD_BURST = Number(process.env.FAULTS_ETCD_BURST ?? 300);
// How long the operator's link to the API server is cut (the 60 s).
const CUT_MS = Number(process.env.FAULTS_CUT_MS ?? 60_000);
// The degraded link of 12b: random loss both ways, then only the API server's answers lost.
const LOSS_PERCENT = Number(process.env.FAULTS_LOSS_PERCENT ?? 30);
const LOSSY_MS = Number(process.env.FAULTS_LOSSY_MS ?? 45_000);
const ONE_WAY_MS = Number(process.env.FAULTS_ONE_WAY_MS ?? 30_000);

describe('etcd and network faults', { timeout: 3_600_000 }, () => {
  let rig: Rig;
  let keys: Keys;
  let operatorCut: NetworkCut;
  const cuts: NetworkCut[] = [];
  const neverCrashed = () => rig.agesecret.running;
  const apiPort = () => Number(new URL(rig.cluster.server).port);

  before(async () => {
    await NetworkCut.sweepStale();
    rig = await startRig();
    keys = await newKeys();
    operatorCut = NetworkCut.create('agesecret', rig.workDir);
    cuts.push(operatorCut);
    // In its own cgroup from its first instruction on: every socket it opens can be cut.
    rig.agesecret.options.cgroups = [operatorCut.cgroup];
    await startAndWaitReady(rig.agesecret);
  });

  after(async () => {
    // The rules go first, whatever happened: no test leaves a cut link behind.
    await Promise.allSettled(cuts.map((c) => c.restore()));
    await rig?.close();
    await Promise.allSettled(cuts.map((c) => c.close()));
  });

  test(`kill -9 of etcd in the middle of a ${ETCD_BURST}-object burst, restarted: watches recover, no duplicate or lost write`, async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'etcd', keys);
    const declared = declare(namespace, ETCD_BURST, 'PLAINTEXT-ETCD');
    const bodies = await Promise.all(declared.map((d) => ageSecretBody(d, keys)));
    const history = await watchSecretHistory(rig.client, namespace);
    t.after(() => history.stop());
    const api = rig.cluster.adminApi();
    t.after(() => api.close());
    const etcdHealthy = async () => (await api.raw('/readyz/etcd').catch(() => ({ status: 0 }))).status === 200;
    const started = Date.now();
    let outage: Promise<{ downMs: number; noticedMs: number }> | undefined;
    await burst(rig.client, bodies, {
      onCreated: (n) => {
        if (n !== Math.floor(ETCD_BURST * 0.4) || outage) return;
        outage = (async () => {
          const killedAt = Date.now();
          await rig.faults.killEtcd('SIGKILL');
          // Down until the API server itself reports its storage unhealthy, then the same etcd comes back.
          await waitUntil(async () => !(await etcdHealthy()), { timeoutMs: 120_000, message: 'the API server to see etcd down' });
          const noticedMs = Date.now() - killedAt;
          await rig.faults.restartEtcd();
          await waitUntil(etcdHealthy, { timeoutMs: 120_000, message: 'the API server to see etcd back' });
          return { downMs: Date.now() - killedAt, noticedMs };
        })();
      },
    });
    const { downMs, noticedMs } = await outage!;
    assert.equal(rig.faults.injected.etcdKills, 1, 'etcd was killed once, mid-burst');
    assert.equal(rig.faults.injected.etcdRestarts, 1);
    const { ms, summary } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    assert.equal(summary.ageSecrets, ETCD_BURST);
    assert.equal(summary.secrets, ETCD_BURST, 'exactly one Secret per AgeSecret');
    // The watches flow again (not only a re-list once): changes made now reach the operator.
    const updatedAt = Date.now();
    await updateValues(rig.client, declared.slice(0, 10), keys, 'PLAINTEXT-ETCD-UPDATED');
    const after = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const twice = [...history.added].filter(([, n]) => n > 1).map(([name]) => name);
    assert.deepEqual(twice, [], 'no Secret was created twice');
    assert.deepEqual(history.deleted, [], 'no Secret was deleted');
    assert.equal(
      [...history.added.keys()].filter((n) => declared.some((d) => d.secretName === n)).length,
      ETCD_BURST,
      'every Secret created',
    );
    assert.equal(rig.agesecret.counts.starts, 1, 'the operator process never restarted');
    assert.ok(rig.agesecret.running);
    recordFigure(
      {
        scenario: '11. kill -9 etcd mid-burst',
        objects: ETCD_BURST,
        faults: `etcd SIGKILL at 40% of the burst, down ${(downMs / 1000).toFixed(1)} s (API server saw it after ${(noticedMs / 1000).toFixed(1)} s), restarted with the same flags, data and ports`,
        recoveries: `operator never restarted (${rig.agesecret.counts.starts} start); ${ETCD_BURST} Secrets each ADDED once, none DELETED; 10 updates after ${((Date.now() - updatedAt) / 1000).toFixed(1)} s`,
        convergeMs: Date.now() - started,
        afterLastWriteMs: ms,
        updatesConvergedMs: after.ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test(`the operator's network to the API server cut for ${CUT_MS / 1000} s while objects change: converges, no duplicate or lost write`, async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'cut', keys);
    const declared = declare(namespace, 60, 'PLAINTEXT-CUT');
    await burst(rig.client, await Promise.all(declared.map((d) => ageSecretBody(d, keys))));
    await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const history = await watchSecretHistory(rig.client, namespace);
    t.after(() => history.stop());
    const writtenBefore = loggedAt(rig.agesecret, 'secret written').length;

    await operatorCut.cut(apiPort());
    const cutAt = Date.now();
    let cutMs = 0;
    const created = declare(namespace, 20, 'PLAINTEXT-CUT', 60);
    const updated = declared.slice(0, 20);
    const doomed = declared.slice(20, 40);
    const secretsDeleted = declared.slice(40, 45);
    try {
      // Through the test's own client (not cut): creates, updates, deletes and owned Secrets deleted behind its back.
      await burst(rig.client, await Promise.all(created.map((d) => ageSecretBody(d, keys))));
      declared.push(...created);
      await updateValues(rig.client, updated, keys, 'PLAINTEXT-CUT-UPDATED');
      for (const d of doomed) {
        d.deleted = true;
        await retrying(() => rig.client.delete(AGESECRETS, { namespace, name: d.name }));
      }
      for (const d of secretsDeleted) await retrying(() => rig.client.delete(SECRETS, { namespace, name: d.secretName }));
      // The cut holds for its whole length: the operator stays up and nothing it would write gets through.
      await waitUntil(() => Date.now() - cutAt >= CUT_MS, {
        timeoutMs: CUT_MS + 60_000,
        intervalMs: 1000,
        message: `the cut to last ${CUT_MS} ms`,
        failFast: () => !neverCrashed() || history.added.size > 0,
      });
      assert.equal(history.added.size, 0, 'no Secret was written through the cut');
    } finally {
      cutMs = await operatorCut.restore();
    }
    const restoredAt = Date.now();
    const { ms, summary } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    assert.equal(summary.ageSecrets, 60);
    assert.equal(summary.secrets, 60, 'one Secret per remaining AgeSecret');
    // The store's account: the 20 new and the 5 deleted Secrets each created once; only the 20 deleted
    // AgeSecrets' and the 5 deleted Secrets went, once each.
    assertStoreAccount(history, {
      added: [...created, ...secretsDeleted].map((d) => d.secretName),
      deleted: [...doomed, ...secretsDeleted].map((d) => d.secretName),
    });
    assert.equal(rig.agesecret.counts.starts, 1, 'the operator process never restarted');
    recordFigure(
      {
        scenario: '12. network cut operator <-> API server',
        objects: declared.length,
        faults: `operator's packets to/from the API server dropped for ${(cutMs / 1000).toFixed(1)} s (${operatorCut.dropped} packets); meanwhile 20 creates, 20 updates, 20 deletes, 5 owned Secrets deleted`,
        recoveries: `operator never restarted; ${loggedAt(rig.agesecret, 'secret written').length - writtenBefore} Secret writes after the link came back; 25 Secrets created once, 25 deleted once`,
        convergeMs: Date.now() - cutAt,
        afterRestoreMs: Date.now() - restoredAt,
        convergedAfterRestoreMs: ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test(`a lossy link (${LOSS_PERCENT}% of packets lost, ${LOSSY_MS / 1000} s), then a one-way cut (the answers lost, ${ONE_WAY_MS / 1000} s), while objects change: converges, no duplicate or lost write`, async (t) => {
    const namespace = await createNamespaceWithKey(rig.client, 'lossy', keys);
    const declared = declare(namespace, 40, 'PLAINTEXT-LOSSY');
    await burst(rig.client, await Promise.all(declared.map((d) => ageSecretBody(d, keys))));
    await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    const history = await watchSecretHistory(rig.client, namespace);
    t.after(() => history.stop());
    const writtenBefore = loggedAt(rig.agesecret, 'secret written').length;
    const startedAt = Date.now();
    // Each phase: the link degraded, and meanwhile (through the test's own client) creates, 10 updates, 5 deletes and 2
    // owned Secrets deleted behind the operator's back; disjoint objects, so the store's account is exact. The lossy
    // phase degrades the link first, then makes 20 AgeSecrets. The one-way phase makes 40 first and drops the answers
    // once the first of their Secrets exists: the operator's writes then in flight, and those it sends until it sees
    // that nothing comes back, are carried out with their answers lost.
    const phases: { name: string; options: CutOptions; ms: number; base: number; creates: number; cutMidBurst: boolean }[] = [
      { name: 'lossy', options: { lossPercent: LOSS_PERCENT }, ms: LOSSY_MS, base: 0, creates: 20, cutMidBurst: false },
      { name: 'one-way', options: { direction: 'in' }, ms: ONE_WAY_MS, base: 20, creates: 40, cutMidBurst: true },
    ];
    const created: typeof declared = [];
    const doomed: typeof declared = [];
    const secretsDeleted: typeof declared = [];
    const measured: string[] = [];
    let answersLost = 0;
    for (const phase of phases) {
      const droppedBefore = operatorCut.dropped;
      const fresh = declare(namespace, phase.creates, 'PLAINTEXT-LOSSY', 40 + created.length);
      const bodies = await Promise.all(fresh.map((d) => ageSecretBody(d, keys)));
      created.push(...fresh);
      declared.push(...fresh);
      if (phase.cutMidBurst) {
        await burst(rig.client, bodies);
        await waitUntil(() => fresh.some((d) => history.added.has(d.secretName)), {
          timeoutMs: 300_000,
          intervalMs: 10,
          message: 'the operator to write the first Secret of the burst',
          failFast: () => !neverCrashed(),
        });
      }
      await operatorCut.cut(apiPort(), phase.options);
      const cutAt = Date.now();
      const addedAtCut = new Set(history.added.keys());
      let cutMs = 0;
      try {
        if (!phase.cutMidBurst) await burst(rig.client, bodies);
        await updateValues(rig.client, declared.slice(phase.base, phase.base + 10), keys, `PLAINTEXT-LOSSY-${phase.name}`);
        for (const d of declared.slice(phase.base + 10, phase.base + 15)) {
          d.deleted = true;
          doomed.push(d);
          await retrying(() => rig.client.delete(AGESECRETS, { namespace, name: d.name }));
        }
        for (const d of declared.slice(phase.base + 15, phase.base + 17)) {
          secretsDeleted.push(d);
          await retrying(() => rig.client.delete(SECRETS, { namespace, name: d.secretName }));
        }
        await waitUntil(() => Date.now() - cutAt >= phase.ms, {
          timeoutMs: phase.ms + 60_000,
          intervalMs: 1000,
          message: `the ${phase.name} link to last ${phase.ms} ms`,
          failFast: () => !neverCrashed(),
        });
      } finally {
        cutMs = await operatorCut.restore();
      }
      // Secrets the store made while the operator could hear nothing: writes whose answers were lost.
      const madeDuringCut = [...history.added.keys()].filter((n) => !addedAtCut.has(n)).length;
      if (phase.options.direction === 'in') answersLost = madeDuringCut;
      measured.push(
        `${phase.name} ${(cutMs / 1000).toFixed(1)} s, ${operatorCut.dropped - droppedBefore} packets dropped, ${madeDuringCut} Secrets made meanwhile`,
      );
    }
    assert.ok(answersLost > 0, 'the one-way cut caught Secret writes of the operator in flight (their answers lost)');
    const restoredAt = Date.now();
    const { ms, summary } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !neverCrashed() });
    assert.equal(summary.ageSecrets, 90);
    assert.equal(summary.secrets, 90, 'one Secret per remaining AgeSecret');
    // Requests whose answers were lost were carried out: a retry must find its own write, never make a second one.
    assertStoreAccount(history, {
      added: [...created, ...secretsDeleted].map((d) => d.secretName),
      deleted: [...doomed, ...secretsDeleted].map((d) => d.secretName),
    });
    assert.equal(rig.agesecret.counts.starts, 1, 'the operator process never restarted');
    recordFigure(
      {
        scenario: '12b. lossy link, then one-way cut, operator <-> API server',
        objects: declared.length,
        faults: `${measured.join('; ')}; 20 then 40 creates, and in each 10 updates, 5 deletes, 2 owned Secrets deleted`,
        recoveries: `operator never restarted; ${loggedAt(rig.agesecret, 'secret written').length - writtenBefore} Secret writes in all; ${answersLost} carried out with their answers lost; 64 Secrets created once, 14 deleted once`,
        convergeMs: Date.now() - startedAt,
        afterRestoreMs: Date.now() - restoredAt,
        convergedAfterRestoreMs: ms,
      },
      (line) => t.diagnostic(line),
    );
  });

  test('leader election under partition: the cut leader stops before its lease can be taken over, the other takes over after expiry', async (t) => {
    await rig.agesecret.stop();
    const electionArgs = [`--lease-namespace=${AGESECRET_NS}`];
    const a = await rig.agesecretReplica('replica-a', electionArgs);
    const b = await rig.agesecretReplica('replica-b', electionArgs);
    const cutOf = new Map<typeof a, NetworkCut>();
    for (const r of [a, b]) {
      const cut = NetworkCut.create(r.options.name, rig.workDir);
      cuts.push(cut);
      cutOf.set(r, cut);
      r.options.cgroups = [cut.cgroup];
    }
    t.after(async () => {
      await Promise.allSettled([a.stop(), b.stop()]);
    });
    await Promise.all([startAndWaitReady(a), startAndWaitReady(b)]);
    const leader = await waitUntil(() => leaderAmong(rig.client, [a, b]), { timeoutMs: 120_000, message: 'a leader in the Lease' });
    const standby = leader === a ? b : a;
    const bothUp = () => a.running && b.running;
    const leaseMs = ((await readLease(rig.client))?.leaseDurationSeconds ?? 15) * 1000;
    const namespace = await createNamespaceWithKey(rig.client, 'partition', keys);
    const declared = declare(namespace, 40, 'PLAINTEXT-PARTITION');
    await burst(rig.client, await Promise.all(declared.slice(0, 20).map((d) => ageSecretBody(d, keys))));
    await waitConverged(rig.client, { namespaces: [namespace], declared: declared.slice(0, 20) }, { failFast: () => !bothUp() });
    assert.equal(loggedAt(standby, 'secret written').length, 0, 'the standby wrote nothing');
    await waitUntil(async () => (await leaderGauge(leader)) === 1, { timeoutMs: 30_000, message: "the leader's gauge at 1" });
    const history = await watchSecretHistory(rig.client, namespace);
    t.after(() => history.stop());

    // Cut only the leader. Nothing of it reaches the API server from now on: the Lease's renewTime is its last renewal.
    const leaderCut = cutOf.get(leader)!;
    await leaderCut.cut(apiPort());
    const cutAt = Date.now();
    const lastRenew = Date.parse((await readLease(rig.client))?.renewTime ?? '');
    assert.ok(Number.isFinite(lastRenew), 'the Lease records the last renewal');
    let restoredAt = 0;
    let stoppedLogAt = 0;
    let gaugeZeroAt = 0;
    let acquiredAt = 0;
    let takeoverSeenAt = 0;
    try {
      // While cut, changes keep coming: only a leader that holds the Lease may write their Secrets.
      const during = burst(rig.client, await Promise.all(declared.slice(20, 30).map((d) => ageSecretBody(d, keys))));
      gaugeZeroAt = await waitUntil(async () => ((await leaderGauge(leader)) === 0 ? Date.now() : undefined), {
        timeoutMs: leaseMs * 4 + 60_000,
        intervalMs: 100,
        message: 'the partitioned leader to say it no longer leads (/metrics)',
        failFast: () => !bothUp(),
      });
      stoppedLogAt = loggedAt(leader, 'lost the leader lease', cutAt)[0] ?? 0;
      assert.ok(stoppedLogAt > 0, "the partitioned leader's log says it lost the lease");
      await waitUntil(async () => (await leaderAmong(rig.client, [a, b])) === standby, {
        timeoutMs: leaseMs * 4 + 60_000,
        message: 'the other replica to take the Lease',
        failFast: () => !bothUp(),
      });
      takeoverSeenAt = Date.now();
      acquiredAt = Date.parse((await readLease(rig.client))?.acquireTime ?? '');
      await during;
      await waitConverged(rig.client, { namespaces: [namespace], declared: declared.slice(0, 30) }, { failFast: () => !bothUp() });
      // The cut lasts its whole length (at least until the take-over converged).
      await waitUntil(() => Date.now() - cutAt >= CUT_MS, {
        timeoutMs: CUT_MS + 60_000,
        intervalMs: 1000,
        message: 'the cut to last',
        failFast: () => !bothUp(),
      });
    } finally {
      await leaderCut.restore();
      restoredAt = Date.now();
    }
    const stoppedAfterRenewMs = stoppedLogAt - lastRenew;
    const acquiredAfterRenewMs = acquiredAt - lastRenew;
    t.diagnostic(
      `lease ${leaseMs} ms; the cut leader stopped ${stoppedAfterRenewMs} ms after its last renewal (log; gauge 0 seen at ${gaugeZeroAt - lastRenew} ms); the other acquired ${acquiredAfterRenewMs} ms after it (seen ${takeoverSeenAt - cutAt} ms after the cut)`,
    );
    assert.ok(stoppedAfterRenewMs < leaseMs, `the cut leader stopped within its lease (${stoppedAfterRenewMs} ms < ${leaseMs} ms)`);
    assert.ok(stoppedLogAt < acquiredAt, 'the cut leader stopped before the other acquired the Lease');
    assert.ok(
      acquiredAfterRenewMs >= leaseMs,
      `the take-over waited for the lease to expire (${acquiredAfterRenewMs} ms >= ${leaseMs} ms)`,
    );
    // Half a lease of slack for a loaded machine, as in scenario 5.
    assert.ok(acquiredAfterRenewMs < leaseMs * 1.5, `the take-over came once the lease expired (${acquiredAfterRenewMs} ms)`);

    // Link back: the old leader sees the new holder and stays standby; it never leads or writes again unless it re-acquires.
    // Nothing reaches it while cut: an observation since the cut is one made after the link came back.
    await waitUntil(() => loggedAt(leader, 'leader observed', cutAt).length > 0, {
      timeoutMs: 180_000,
      message: 'the old leader to observe the new one',
      failFast: () => !bothUp(),
    });
    await burst(rig.client, await Promise.all(declared.slice(30).map((d) => ageSecretBody(d, keys))));
    const { ms } = await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: () => !bothUp() });
    assert.equal(await leaderGauge(leader), 0, 'the old leader does not lead after the link came back');
    assert.equal(await leaderGauge(standby), 1, 'the new leader leads');
    assert.equal(await leaderAmong(rig.client, [a, b]), standby, 'the Lease stays with the new leader');
    assert.deepEqual(loggedAt(leader, 'became the leader', cutAt), [], 'the old leader never became leader again');
    assert.deepEqual(loggedAt(leader, 'secret written', stoppedLogAt), [], 'the old leader wrote nothing after it stopped');
    const byNew = loggedAt(standby, 'secret written').length;
    assert.ok(byNew >= 20, `the new leader wrote the Secrets of the 20 AgeSecrets created since the cut (${byNew})`);
    assert.deepEqual(
      [...history.added].filter(([, n]) => n > 1),
      [],
      'no Secret created twice',
    );
    assert.deepEqual(history.deleted, [], 'no Secret deleted');
    assert.deepEqual(
      [...history.added.keys()].sort(),
      declared
        .slice(20)
        .map((d) => d.secretName)
        .sort(),
      'each new Secret created once',
    );
    assert.equal(a.counts.starts + b.counts.starts, 2, 'neither replica restarted');
    recordFigure(
      {
        scenario: '13. leader election under partition',
        objects: declared.length,
        faults: `the leader's link to the API server cut for ${((restoredAt - cutAt) / 1000).toFixed(1)} s (${leaderCut.dropped} packets dropped)`,
        recoveries: `cut leader stopped ${(stoppedAfterRenewMs / 1000).toFixed(1)} s after its last renewal (lease ${leaseMs / 1000} s); the other acquired ${(acquiredAfterRenewMs / 1000).toFixed(1)} s after it (${((takeoverSeenAt - cutAt) / 1000).toFixed(1)} s after the cut); old leader standby after the link came back`,
        convergeMs: Date.now() - cutAt,
        stoppedAfterRenewMs,
        acquiredAfterRenewMs,
        convergedAfterRestoreMs: ms,
      },
      (line) => t.diagnostic(line),
    );
    await Promise.all([a.stop(), b.stop()]);
  });
});
