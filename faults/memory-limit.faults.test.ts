// Memory limit: the AgeSecret operator under its Deployment's memory limit, enforced by a memory cgroup, through a restart
// over N AgeSecrets and their Secrets (never OOM-killed); then a limit too small: it dies at once with a clear record,
// and a replacement with the proper limit recovers everything.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MemoryCgroup, memoryHierarchy, operatorNodeFlags, type MemoryUsage } from '@capstan/localcluster';
import type { KubeObject } from 'capstan';
import { waitUntil } from 'capstan/testing';
import { parseAllDocuments } from 'yaml';
import { recordFigure } from './figures.js';
import { REPO_ROOT } from './repo.js';
import { startRig, waitReady, type Rig } from './rig.js';
import { waitConverged } from './state-check.js';
import {
  AGESECRETS,
  ageSecretBody,
  burst,
  createNamespaceWithKey,
  declare,
  newKeys,
  retrying,
  secretValue,
  type Declared,
  type Keys,
} from './workload.js';

const N = Number(process.env.FAULTS_MEMORY_AGESECRETS ?? 10_000);
const MIB = 1024 * 1024;
type Deployment = KubeObject & { spec: { template: { spec: { containers: { resources?: { limits?: Record<string, string> } }[] } } } };

/** The memory limit deploy/agesecret's Deployment declares for the operator, in bytes. */
function deploymentLimitBytes(): number {
  const text = readFileSync(join(REPO_ROOT, 'deploy', 'agesecret', 'deployment.yaml'), 'utf8');
  const deployment = parseAllDocuments(text)
    .map((d) => d.toJS() as Deployment)
    .find((d) => d?.kind === 'Deployment');
  const quantity = deployment?.spec.template.spec.containers[0]?.resources?.limits?.['memory'];
  const match = /^(\d+)(Mi|Gi)$/.exec(quantity ?? '');
  assert.ok(match, `the Deployment declares a memory limit in Mi or Gi (got ${quantity})`);
  return Number(match[1]) * (match[2] === 'Gi' ? 1024 * MIB : MIB);
}

/**
 * The image's heap setting (--max-old-space-size-percentage=75, Node 24) as the Node running this suite takes it: the
 * same old-space size, computed from the limit.
 */
const heapFlag = (limitBytes: number) => `--max-old-space-size=${Math.floor((limitBytes / MIB) * 0.75)}`;

/** The highest anonymous memory and RSS of the cgroup's processes, sampled every 500 ms (a measurement, no waiting on it). */
function sampler(cgroup: MemoryCgroup, pid: () => number) {
  let anon = 0;
  let rss = 0;
  const rssOf = (p: number) => {
    try {
      return Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) * 1024;
    } catch {
      return 0;
    }
  };
  const sample = () => {
    anon = Math.max(anon, cgroup.usage().anonBytes);
    rss = Math.max(rss, rssOf(pid()));
  };
  const timer = setInterval(sample, 500);
  return {
    stop(): { peakAnonBytes: number; peakRssBytes: number } {
      clearInterval(timer);
      sample();
      return { peakAnonBytes: anon, peakRssBytes: rss };
    },
  };
}

const mib = (bytes: number) => Math.round(bytes / MIB);

describe(
  'memory limit',
  { timeout: 3_600_000, skip: memoryHierarchy() && process.getuid?.() === 0 ? false : 'needs root and a memory cgroup' },
  () => {
    let rig: Rig;
    let keys: Keys;
    let namespace: string;
    let declared: Declared[];
    const limit = deploymentLimitBytes();
    const cgroups: MemoryCgroup[] = [];
    let restartPeakAnon = 0;

    /** A fresh memory cgroup for the next start of the operator (a kubelet makes one per container start). */
    const limitNextStart = (name: string, limitBytes: number) => {
      const cgroup = MemoryCgroup.create(`faults-${process.pid}-${name}`, limitBytes);
      cgroups.push(cgroup);
      rig.agesecret.options.cgroups = [cgroup.dir];
      rig.agesecret.options.nodeFlags = [...operatorNodeFlags, heapFlag(limitBytes)];
      return cgroup;
    };

    before(async () => {
      rig = await startRig();
      keys = await newKeys();
    });

    after(async () => {
      await rig?.close();
      for (const c of cgroups) c.remove();
    });

    test(`under the Deployment's memory limit through a restart over ${N} AgeSecrets: never OOM-killed`, async (t) => {
      namespace = await createNamespaceWithKey(rig.client, 'memory', keys);
      declared = declare(namespace, N, 'PLAINTEXT-MEMORY');
      const bodies = await Promise.all(declared.map((d) => ageSecretBody(d, keys)));

      // First run: the operator makes the N Secrets under the limit.
      const first = limitNextStart('first', limit);
      await rig.agesecret.start();
      const firstSampler = sampler(first, () => rig.agesecret.pid);
      await waitReady(rig.agesecret);
      const started = Date.now();
      await burst(rig.client, bodies, { parallel: 16 });
      const crashed = () => !rig.agesecret.running;
      await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: crashed, timeoutMs: 600_000 + N * 100 });
      const createMs = Date.now() - started;
      const firstPeak = firstSampler.stop();
      const firstUsage: MemoryUsage = first.usage();
      assert.equal(firstUsage.oomKills, 0, 'no OOM kill while making the Secrets');
      assert.ok(rig.agesecret.running, 'the operator still runs');

      // The restart: kill -9, and a new start (new cgroup, same limit) that lists N AgeSecrets + N Secrets at once.
      await rig.agesecret.kill();
      const second = limitNextStart('restart', limit);
      const restartedAt = Date.now();
      await rig.agesecret.start();
      const restartSampler = sampler(second, () => rig.agesecret.pid);
      await waitReady(rig.agesecret, 600_000);
      const { ms } = await waitConverged(
        rig.client,
        { namespaces: [namespace], declared },
        { failFast: crashed, timeoutMs: 600_000 + N * 100 },
      );
      const restartMs = Date.now() - restartedAt;
      // The restart's work is done; the process is watched a little longer for a late spike by taking one more
      // full-state pass (it re-reads everything) before the figures are read.
      await waitConverged(rig.client, { namespaces: [namespace], declared }, { failFast: crashed });
      const restartPeak = restartSampler.stop();
      const usage = second.usage();
      restartPeakAnon = restartPeak.peakAnonBytes;
      assert.equal(usage.oomKills, 0, 'no OOM kill during the restart');
      assert.ok(rig.agesecret.running, 'the operator never exited');
      assert.equal(rig.agesecret.counts.starts, 2, 'two starts: the first run and the restart, nothing else');
      assert.ok(usage.peakBytes <= limit, 'the kernel kept the cgroup within its limit');
      const start = /"msg":"starting".*/.exec(rig.agesecret.log().split('\n').reverse().join('\n'))?.[0] ?? '';
      assert.match(start, new RegExp(`"memoryLimitMiB":${mib(limit)}`), 'the operator logs the limit it runs under');
      t.diagnostic(`start-up log: ${start}`);
      const figures = {
        limitMiB: mib(limit),
        heapFlag: heapFlag(limit),
        firstPeakMiB: mib(firstUsage.peakBytes),
        firstPeakAnonMiB: mib(firstPeak.peakAnonBytes),
        firstPeakRssMiB: mib(firstPeak.peakRssBytes),
        restartPeakMiB: mib(usage.peakBytes),
        restartPeakAnonMiB: mib(restartPeak.peakAnonBytes),
        restartPeakRssMiB: mib(restartPeak.peakRssBytes),
        createMs,
        restartMs,
      };
      t.diagnostic(JSON.stringify(figures));
      recordFigure(
        {
          scenario: '14. memory limit: restart under the Deployment limit',
          objects: N * 2,
          faults: `memory cgroup ${mib(limit)} MiB (the Deployment's), ${heapFlag(limit)}; SIGKILL + restart`,
          recoveries: `0 OOM kills; peak ${figures.restartPeakMiB} MiB (anon ${figures.restartPeakAnonMiB}, RSS ${figures.restartPeakRssMiB}) after the restart, ${figures.firstPeakMiB} MiB (anon ${figures.firstPeakAnonMiB}) making the Secrets`,
          convergeMs: restartMs,
          convergeAfterReadyMs: ms,
          ...figures,
        },
        (line) => t.diagnostic(line),
      );
    });

    test('a limit too small: the operator dies at once with a clear record; a replacement with the proper limit recovers', async (t) => {
      assert.ok(declared?.length, 'runs after the restart test');
      // Too small: 60 % of what the restart needed (its peak anonymous memory), unless given.
      const small = Number(process.env.FAULTS_MEMORY_TOO_SMALL_MIB ?? Math.max(32, Math.floor(mib(restartPeakAnon) * 0.6))) * MIB;
      await rig.agesecret.stop();
      const tight = limitNextStart('too-small', small);
      const logBefore = rig.agesecret.log().length;
      const startedAt = Date.now();
      await rig.agesecret.start();
      // Fail fast: it must end, not linger half-alive (thrashing, never Ready).
      await waitUntil(() => !rig.agesecret.running, {
        timeoutMs: 300_000,
        intervalMs: 100,
        message: 'the operator under a too-small limit to exit',
      });
      const diedMs = Date.now() - startedAt;
      const exit = rig.agesecret.exit!;
      const usage = tight.usage();
      const log = rig.agesecret.log().slice(logBefore);
      const heapMessage = /heap out of memory|Reached heap limit/i.test(log);
      const oomKilled = exit.signal === 'SIGKILL' && usage.oomKills > 0;
      assert.ok(
        oomKilled || heapMessage,
        `a clear record: killed by the OOM killer (signal ${exit.signal}, oom_kill ${usage.oomKills}) or "heap out of memory" in the log; exit ${JSON.stringify(exit)}; log tail: ${log.slice(-400)}`,
      );
      const record = oomKilled
        ? `OOM-killed (SIGKILL, oom_kill ${usage.oomKills}: a kubelet reports OOMKilled)`
        : `V8 "heap out of memory", exit ${exit.code ?? exit.signal}`;
      t.diagnostic(`limit ${mib(small)} MiB: ${record} after ${diedMs} ms`);

      // While it is down: a tenth of the AgeSecrets get new values, a few are deleted.
      const changed = declared.filter((_, i) => i % 10 === 0);
      for (const d of changed.slice(0, 5)) {
        d.deleted = true;
        await retrying(() => rig.client.delete(AGESECRETS, { namespace: d.namespace, name: d.name }));
      }
      for (const [i, d] of changed.slice(5).entries()) {
        d.value = secretValue('PLAINTEXT-MEMORY-NEW', i);
        const body = (await ageSecretBody(d, keys)) as KubeObject & { spec: object };
        await retrying(() =>
          rig.client.patch(AGESECRETS, { namespace: d.namespace, name: d.name }, { spec: body.spec }, { type: 'merge' }),
        );
      }

      // The replacement, with the Deployment's limit.
      const proper = limitNextStart('replacement', limit);
      const replacedAt = Date.now();
      await rig.agesecret.start();
      await waitReady(rig.agesecret, 600_000);
      const { summary } = await waitConverged(
        rig.client,
        { namespaces: [namespace], declared },
        { failFast: () => !rig.agesecret.running, timeoutMs: 600_000 + N * 100 },
      );
      assert.equal(summary.secrets, N - 5, 'one Secret per remaining AgeSecret');
      assert.equal(proper.usage().oomKills, 0, 'the replacement is not OOM-killed');
      recordFigure(
        {
          scenario: '14b. memory limit too small, then the proper one',
          objects: N * 2,
          faults: `memory cgroup ${mib(small)} MiB (${heapFlag(small)}); ${changed.length - 5} updated + 5 deleted while down`,
          recoveries: `${record} ${(diedMs / 1000).toFixed(1)} s after start; replacement at ${mib(limit)} MiB converged, 0 OOM kills`,
          convergeMs: Date.now() - replacedAt,
          tooSmallMiB: mib(small),
          diedMs,
        },
        (line) => t.diagnostic(line),
      );
    });
  },
);
