// Two electors on one Lease against the real API server: exactly one leads; release hands over at once; a dead leader's lease expires.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../../client/surface.js';
import { ConfigurationError } from '../../structs/errors.js';
import { LeaderElector, leasesRef, microTime, standaloneGate, type Lease, type LeaderElectionOptions } from './leader-election.js';

const namespaces = { version: 'v1', plural: 'namespaces' };

/** Wait for a condition with a generous timeout (polls; never asserts on speed). */
async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('LeaderElector', () => {
  let client: ApiClient;
  let ns: string;
  const electors: LeaderElector[] = [];

  before(async () => {
    const cluster = await useTestCluster();
    client = await ApiClient.create({ path: cluster.kubeconfigPath });
    ns = `leader-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
  });
  after(async () => {
    await Promise.all(electors.map((e) => e.abandon()));
    await client?.delete(namespaces, { name: ns }).catch(() => {});
    client?.close();
  });

  /** Two electors on one Lease, with a watchdog that fails the test if both ever lead at once. */
  function pair(name: string, durations: Pick<LeaderElectionOptions, 'leaseDurationMs' | 'renewDeadlineMs' | 'retryPeriodMs'>) {
    const make = (identity: string) => new LeaderElector({ client, namespace: ns, name, identity, ...durations });
    const a = make(`a-${name}`);
    const b = make(`b-${name}`);
    electors.push(a, b);
    const overlaps: string[] = [];
    for (const e of [a, b])
      e.onStateChange(() => {
        if (a.isLeader && b.isLeader) overlaps.push(`${e.identity} changed`);
      });
    return { a, b, overlaps };
  }

  const lease = (name: string) => client.get<Lease>(leasesRef, { namespace: ns, name });

  test('exactly one leads; a graceful release hands over without waiting for expiry', async () => {
    // A 10-minute lease: the standby can only take over through the release, never through expiry, within the test.
    const { a, b, overlaps } = pair('graceful', { leaseDurationMs: 600_000, renewDeadlineMs: 300_000, retryPeriodMs: 300 });
    const gate = await a.acquire(AbortSignal.timeout(60_000));
    assert.ok(gate && !gate.aborted, 'a leads');
    b.start();
    await until('b to see the leader', () => b.state === 'standby');
    assert.equal(a.isLeader, true);
    assert.equal(b.isLeader, false);
    assert.equal(b.leader, a.identity);
    const held = await lease('graceful');
    assert.equal(held.spec?.holderIdentity, a.identity);
    assert.equal(held.spec?.leaseDurationSeconds, 600);
    assert.equal(held.spec?.leaseTransitions, 0);

    await a.release();
    assert.equal(gate.aborted, true, 'the leadership signal aborts on release');
    assert.equal(a.isLeader, false);
    await until('b to take over', () => b.isLeader);
    const taken = await lease('graceful');
    assert.equal(taken.spec?.holderIdentity, b.identity);
    assert.equal(taken.spec?.leaseTransitions, 1);
    assert.deepEqual(overlaps, []);
  });

  test('a leader that stops renewing is replaced only after its lease expires', async () => {
    const { a, b, overlaps } = pair('expiry', { leaseDurationMs: 4000, renewDeadlineMs: 3000, retryPeriodMs: 500 });
    await a.acquire(AbortSignal.timeout(60_000));
    b.start();
    await until('b to see the leader', () => b.state === 'standby');
    await a.abandon();
    const last = await lease('expiry');
    assert.equal(last.spec?.holderIdentity, a.identity, 'abandoning does not release');
    await until('b to take over', () => b.isLeader);
    const taken = await lease('expiry');
    assert.equal(taken.spec?.holderIdentity, b.identity);
    assert.equal(taken.spec?.leaseTransitions, (last.spec?.leaseTransitions ?? 0) + 1);
    // b saw a's last renewal no earlier than it happened, and waited a full lease duration after that.
    const waited = Date.parse(taken.spec?.acquireTime ?? '') - Date.parse(last.spec?.renewTime ?? '');
    assert.ok(waited >= 4000 - 1, `took over ${waited} ms after the last renewal`);
    assert.deepEqual(overlaps, []);
  });

  test('two electors starting together on a new Lease: one wins, the loser retries and becomes standby', async () => {
    const { a, b, overlaps } = pair('race', { leaseDurationMs: 600_000, renewDeadlineMs: 300_000, retryPeriodMs: 200 });
    a.start();
    b.start();
    await until('a leader and a standby', () => (a.isLeader && b.state === 'standby') || (b.isLeader && a.state === 'standby'));
    const winner = a.isLeader ? a : b;
    assert.equal((await lease('race')).spec?.holderIdentity, winner.identity);
    assert.equal((a.isLeader ? b : a).leader, winner.identity);
    assert.deepEqual(overlaps, []);
  });

  test('a foreign holder makes it a standby until that holder releases', async () => {
    const e = new LeaderElector({
      client,
      namespace: ns,
      name: 'foreign',
      identity: 'me',
      leaseDurationMs: 600_000,
      renewDeadlineMs: 300_000,
      retryPeriodMs: 200,
    });
    electors.push(e);
    const now = microTime(new Date());
    await client.create<Lease>(leasesRef, {
      metadata: { name: 'foreign', namespace: ns },
      spec: { holderIdentity: 'someone-else', leaseDurationSeconds: 600, renewTime: now, acquireTime: now },
    });
    e.start();
    await until('standby', () => e.state === 'standby');
    assert.equal(e.leader, 'someone-else');
    // The other holder releases: the elector takes over on its next attempt.
    const current = await lease('foreign');
    await client.replace<Lease>(leasesRef, { ...current, spec: { ...current.spec, holderIdentity: '' } });
    await until('leading', () => e.isLeader);
  });

  test('settings are checked', () => {
    assert.throws(
      () => new LeaderElector({ client, namespace: ns, name: 'x', identity: 'i', leaseDurationMs: 5000, renewDeadlineMs: 5000 }),
      ConfigurationError,
    );
    assert.throws(() => new LeaderElector({ client, namespace: ns, name: 'x', identity: '' }), /identity/);
  });

  test('the standalone gate always leads', async () => {
    const signal = await standaloneGate.acquire(new AbortController().signal);
    assert.equal(signal?.aborted, false);
  });
});
