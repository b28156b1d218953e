// Smoke run of the harness with tiny N: well-formed results and converged operators (never asserts on speed).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useTestCluster, type ClusterHandle } from '@capstan/localcluster';
import { benchClusterOf, type BenchCluster } from './bench-cluster.js';
import { END_MARKER, START_MARKER, updateBenchmarksMd } from './report.js';
import type { WorkloadResult } from './result.js';
import { readResults, writeResult } from './results-file.js';
import { runAgeSecretBurst } from './workloads/agesecret-burst.js';
import type { LifecycleFigures } from './workloads/burst-lifecycle.js';
import { runDecrypt } from './workloads/decrypt.js';
import { runHandshakeBurst } from './workloads/handshake-burst.js';
import { runListModes } from './workloads/list-modes.js';
import { runRestart } from './workloads/restart.js';

function assertWellFormed(result: WorkloadResult, workload: string): void {
  assert.equal(result.workload, workload);
  assert.equal(result.machine.cores > 0, true);
  assert.match(result.machine.node, /^v\d+/);
  assert.ok(result.machine.kubernetes.length > 0);
  assert.ok(!Number.isNaN(Date.parse(result.machine.date)));
  for (const key of ['p50Ms', 'p95Ms', 'p99Ms', 'maxMs', 'meanMs'] as const) assert.equal(typeof result.latency[key], 'number');
  assert.ok(result.latency.p50Ms <= result.latency.p95Ms && result.latency.p95Ms <= result.latency.p99Ms);
  assert.ok(result.goals.every((g) => typeof g.value === 'number' && typeof g.met === 'boolean'));
  assert.deepEqual(JSON.parse(JSON.stringify(result)), result, 'results are plain JSON');
}

describe('bench smoke (tiny N)', () => {
  let handle: ClusterHandle;
  let cluster: BenchCluster;
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));

  before(async () => {
    handle = await useTestCluster();
    cluster = await benchClusterOf(handle);
  });

  after(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('list modes: a streaming list and paged lists both sync; the stream really streamed', async () => {
    const result = await runListModes({
      client: cluster.client,
      kubeconfigPath: cluster.kubeconfigPath,
      clusterDir: handle.dir,
      machine: cluster.machine,
      n: 50,
      concurrency: 8,
      rounds: 1,
      cleanup: true,
    });
    assertWellFormed(result, 'list-modes');
    assert.equal(result.converged, true, result.notes.join('; '));
    const runs = result.details['runs'] as { mode: string; syncMs: number }[];
    assert.deepEqual(runs.map((r) => r.mode).sort(), ['paged', 'stream']);
    assert.ok(runs.every((r) => r.syncMs > 0));
  });

  test('AgeSecret burst: every AgeSecret Ready with its Secret, baseline measured, result written and rendered', async () => {
    const n = 20;
    const result = await runAgeSecretBurst({
      client: cluster.client,
      kubeconfigPath: cluster.kubeconfigPath,
      clusterDir: handle.dir,
      machine: cluster.machine,
      n,
      concurrency: 4,
      cleanup: true,
      lifecycle: true,
    });
    assert.deepEqual(result.notes, []);
    assert.equal(result.converged, true);
    assertWellFormed(result, 'agesecret-burst');
    assert.equal(result.latency.count, n);
    assert.ok(result.peakRssMb > 0, 'the operator process was sampled');
    const details = result.details as {
      raw: { latency: { count: number } };
      floor: { latency: { count: number } };
      floorRatio: number;
      writesSeen: Record<'ageSecrets' | 'secrets' | 'events', { ADDED: number; MODIFIED: number; DELETED: number }>;
      operatorWritesPerObject: number;
      lifecycle: LifecycleFigures;
    };
    assert.equal(details.raw.latency.count, n);
    assert.equal(details.floor.latency.count, n, 'the floor baseline measured every object');
    assert.ok(details.floorRatio > 0);
    // Exactly the floor: one Secret and one status write per AgeSecret; no finalizer patch, no routine Event.
    assert.deepEqual(details.writesSeen.secrets, { ADDED: n, MODIFIED: 0, DELETED: 0 });
    assert.deepEqual(details.writesSeen.ageSecrets, { ADDED: n, MODIFIED: n, DELETED: 0 });
    assert.deepEqual(details.writesSeen.events, { ADDED: 0, MODIFIED: 0, DELETED: 0 });
    assert.equal(details.operatorWritesPerObject, 2);
    // Then the floor on update (the Secret and the status) and on delete (nothing: garbage collection).
    assert.equal(details.lifecycle.update.operatorRequestsTotalPerObject, 2, JSON.stringify(details.lifecycle.update));
    assert.deepEqual(details.lifecycle.delete.operatorRequestsPerObject, {});
    writeResult(dir, result);
    const md = join(dir, 'BENCHMARKS.md');
    updateBenchmarksMd(md, readResults(dir));
    const text = readFileSync(md, 'utf8');
    assert.ok(text.includes(START_MARKER) && text.includes(END_MARKER));
    assert.match(text, /\| agesecret-burst \| n=20, concurrency=4/);
  });

  test('restart and steady state: the restarted operator catches up and is measured idle', async () => {
    const { restart, steady } = await runRestart({
      client: cluster.client,
      kubeconfigPath: cluster.kubeconfigPath,
      machine: cluster.machine,
      n: 10,
      concurrency: 4,
      steadyMs: 1000,
      cleanup: true,
    });
    assert.equal(restart.converged, true, restart.notes.join('; '));
    assertWellFormed(restart, 'restart');
    assert.equal(typeof (restart.details as { writeCount: unknown }).writeCount, 'number');
    assert.ok(steady);
    assertWellFormed(steady, 'steady-state');
    assert.ok((steady.details as { windowMs: number }).windowMs > 0);
  });

  test('handshake burst: labelled legacy-mock pods are handshaken', async (t) => {
    if (!handle.capabilities.simulatedKubelet) return t.skip('pods do not run on this cluster (no kubelet simulator)');
    const result = await runHandshakeBurst({
      client: cluster.client,
      kubeconfigPath: cluster.kubeconfigPath,
      machine: cluster.machine,
      n: 5,
      podLogPath: (ns, pod, c) => handle.podLogPath(ns, pod, c),
    });
    assert.equal(result.converged, true, result.notes.join('; '));
    assertWellFormed(result, 'handshake-burst');
    assert.equal(result.latency.count, 5);
  });

  test('decrypt microbenchmark: both paths measured', async () => {
    const result = await runDecrypt({ machine: cluster.machine, seconds: 0.2 });
    assertWellFormed(result, 'decrypt');
    const details = result.details as { operatorPath: { perSecond: number }; plainTypage: { perSecond: number } };
    assert.ok(details.operatorPath.perSecond > 0 && details.plainTypage.perSecond > 0);
  });
});
