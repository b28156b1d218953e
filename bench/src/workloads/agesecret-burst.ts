// Workload 1: N encrypted AgeSecrets created at a fixed concurrency vs. the floor (a bare client making the requests
// an ideal operator must) and a bare client creating N Secrets.
import type { KubeClient, KubeObject } from 'capstan';
import { deleteNamespace, uniqueNamespace, waitUntil } from 'capstan/testing';
import {
  AGESECRET_ENTRY,
  AGESECRETS,
  ageSecretManifest,
  ageSecretOperatorArgs,
  createKeySecret,
  encryptValues,
  EVENTS,
  installAgeSecretCrd,
  isReady,
  SECRETS,
  type AgeSecretObject,
} from '../agesecret-fixtures.js';
import { perObject, requestCounts } from '../apiserver-requests.js';
import { cpuPerObject, readControlPlaneCpu, type ControlPlaneCpu } from '../control-plane-cpu.js';
import type { MachineInfo } from '../machine.js';
import { startOperatorProcess } from '../operator-process.js';
import type { ProcUsage } from '../proc-sampler.js';
import { runLifecycle, type LifecycleFigures } from './burst-lifecycle.js';
import { runPool } from '../pool.js';
import { goal, type WorkloadResult } from '../result.js';
import { summarize, throughput, type LatencySummary } from '../stats.js';
import { WatchTracker } from '../watch-tracker.js';

export interface BurstOptions {
  client: KubeClient;
  kubeconfigPath: string;
  /** The local cluster's directory, to find its kube-apiserver and etcd for their CPU time. */
  clusterDir?: string | undefined;
  machine: MachineInfo;
  n: number;
  /** Creates in flight at once, for both the operator run and the baseline. */
  concurrency: number;
  /** The operator's --concurrency (default: its own default, 16). */
  operatorConcurrency?: number;
  /** Run the operator compiled (dist/, as its image) rather than from source through tsx. */
  compiled?: boolean | undefined;
  /** Write a V8 CPU profile of each operator process into this directory (node --cpu-prof). */
  cpuProfDir?: string | undefined;
  /** Delete the namespaces before returning. */
  cleanup?: boolean;
  /** After the creates: update every value, then delete every AgeSecret, counting the operator's requests. */
  lifecycle?: boolean | undefined;
  timeoutMs?: number;
  log?: (line: string) => void;
}

interface Phase {
  spanMs: number;
  throughputPerSec: number;
  latency: LatencySummary;
}

function phase(starts: Map<string, number>, done: (name: string) => number | undefined): Phase {
  const latencies: number[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (const [name, start] of starts) {
    const end = done(name);
    if (end === undefined) continue;
    latencies.push(end - start);
    first = Math.min(first, start);
    last = Math.max(last, end);
  }
  const spanMs = latencies.length ? last - first : 0;
  return { spanMs: Math.round(spanMs), throughputPerSec: throughput(latencies.length, spanMs), latency: summarize(latencies) };
}

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${String(i).padStart(5, '0')}`);

type RawPhase = Phase & { controlPlaneCpuPerObject?: ControlPlaneCpu | undefined };

/**
 * The bare client: N objects created at the same concurrency, done when the watch sees each. Secrets of
 * the same size are the baseline; bare AgeSecrets (no operator serves their namespace) show what the
 * API server spends on the custom resource itself.
 */
async function rawBaseline(options: BurstOptions, values: string[], kind: 'secrets' | 'agesecrets'): Promise<RawPhase> {
  const { client, n, concurrency } = options;
  const namespace = await uniqueNamespace(client, kind === 'secrets' ? 'bench-raw' : 'bench-raw-cr');
  const ref = kind === 'secrets' ? SECRETS : AGESECRETS;
  const tracker = new WatchTracker<KubeObject>({
    client,
    ref,
    namespace,
    states: { exists: (o, t) => t !== 'DELETED' && o.metadata.name!.startsWith('raw-') },
  });
  await tracker.start();
  const starts = new Map<string, number>();
  const cpuBefore = readControlPlaneCpu(options.clusterDir);
  let cpuAfter: ControlPlaneCpu | undefined;
  try {
    await runPool(names('raw', n), concurrency, async (name, i) => {
      starts.set(name, performance.now());
      const body =
        kind === 'secrets'
          ? ({ metadata: { name, namespace }, stringData: { value: values[i]!.slice(0, 64) } } as unknown as KubeObject)
          : ageSecretManifest(namespace, name, values[i]!);
      await client.create(ref, body, { namespace });
    });
    await tracker.waitForCount('exists', n, options.timeoutMs ?? 120_000 + n * 50);
    cpuAfter = readControlPlaneCpu(options.clusterDir);
  } finally {
    await tracker.stopped();
    if (options.cleanup !== false) await deleteNamespace(client, namespace);
  }
  const at = tracker.times('exists');
  return { ...phase(starts, (name) => at.get(name)), controlPlaneCpuPerObject: cpuPerObject(cpuBefore, cpuAfter, n) };
}

/**
 * The floor: a bare client making exactly the requests an ideal operator needs per AgeSecret (the user's create
 * of the AgeSecret, the Secret's create, the status patch), at the same concurrency, done when the watches see the
 * AgeSecret Ready and its Secret, as for the operator. No operator can beat it on this control plane.
 */
async function floorBaseline(options: BurstOptions, values: string[]): Promise<RawPhase> {
  const { client, n, concurrency } = options;
  const namespace = await uniqueNamespace(client, 'bench-floor');
  const ageSecrets = new WatchTracker<AgeSecretObject>({ client, ref: AGESECRETS, namespace, states: { ready: (o) => isReady(o) } });
  const secrets = new WatchTracker<KubeObject>({ client, ref: SECRETS, namespace, states: { exists: (_o, t) => t !== 'DELETED' } });
  await Promise.all([ageSecrets.start(), secrets.start()]);
  const starts = new Map<string, number>();
  const cpuBefore = readControlPlaneCpu(options.clusterDir);
  let cpuAfter: ControlPlaneCpu | undefined;
  try {
    await runPool(names('floor', n), concurrency, async (name, i) => {
      starts.set(name, performance.now());
      const created = await client.create(AGESECRETS, ageSecretManifest(namespace, name, values[i]!), { namespace });
      const owner = {
        apiVersion: 'pyvo.io/v1',
        kind: 'AgeSecret',
        name,
        uid: created.metadata.uid!,
        controller: true,
        blockOwnerDeletion: true,
      };
      await client.create(
        SECRETS,
        {
          metadata: { name, namespace, ownerReferences: [owner] },
          stringData: { value: values[i]!.slice(0, 64) },
        } as unknown as KubeObject,
        { namespace },
      );
      const ready = {
        type: 'Ready',
        status: 'True',
        reason: 'SecretWritten',
        message: `Secret ${name} is up to date`,
        lastTransitionTime: new Date().toISOString(),
        observedGeneration: 1,
      };
      await client.patchStatus(
        AGESECRETS,
        { namespace, name },
        { status: { observedGeneration: 1, secretName: name, conditions: [ready] } },
        { type: 'merge' },
      );
    });
    const timeoutMs = options.timeoutMs ?? 120_000 + n * 50;
    await Promise.all([ageSecrets.waitForCount('ready', n, timeoutMs), secrets.waitForCount('exists', n, timeoutMs)]);
    cpuAfter = readControlPlaneCpu(options.clusterDir);
  } finally {
    await Promise.all([ageSecrets.stopped(), secrets.stopped()]);
    if (options.cleanup !== false) await deleteNamespace(client, namespace);
  }
  const readyAt = ageSecrets.times('ready');
  const secretAt = secrets.times('exists');
  return {
    ...phase(starts, (name) => {
      const a = readyAt.get(name);
      const b = secretAt.get(name);
      return a === undefined || b === undefined ? undefined : Math.max(a, b);
    }),
    controlPlaneCpuPerObject: cpuPerObject(cpuBefore, cpuAfter, n),
  };
}

export async function runAgeSecretBurst(options: BurstOptions): Promise<WorkloadResult> {
  const { client, n, concurrency } = options;
  const log = options.log ?? (() => {});
  await installAgeSecretCrd(client);
  const namespace = await uniqueNamespace(client, 'bench-asec');
  const recipient = await createKeySecret(client, namespace);
  log(`burst n=${n}: encrypting ${n} values`);
  const values = await encryptValues(recipient, n);

  log(`burst n=${n}: baseline (bare client, ${n} Secrets at concurrency ${concurrency})`);
  const raw = await rawBaseline(options, values, 'secrets');
  log(`burst n=${n}: bare AgeSecret creates (no operator), for the API server's cost of the custom resource`);
  const rawAgeSecrets = await rawBaseline(options, values, 'agesecrets');
  log(`burst n=${n}: the floor (bare client: AgeSecret create, Secret create, status patch per object)`);
  const floor = await floorBaseline(options, values);

  const operator = await startOperatorProcess({
    entry: AGESECRET_ENTRY,
    compiled: options.compiled,
    cpuProfDir: options.cpuProfDir,
    args: ageSecretOperatorArgs({
      namespace,
      kubeconfigPath: options.kubeconfigPath,
      ...(options.operatorConcurrency ? { concurrency: options.operatorConcurrency } : {}),
    }),
  });
  const ageSecrets = new WatchTracker<AgeSecretObject>({ client, ref: AGESECRETS, namespace, states: { ready: (o) => isReady(o) } });
  const secrets = new WatchTracker<KubeObject>({
    client,
    ref: SECRETS,
    namespace,
    states: { exists: (o, t) => t !== 'DELETED' && o.metadata.name!.startsWith('asec-') },
  });
  const events = new WatchTracker<KubeObject>({ client, ref: EVENTS, namespace });
  const starts = new Map<string, number>();
  let converged = false;
  let readyMs = 0;
  let rssAtReadyMb = 0;
  let requestsBefore;
  let requestsAfter;
  let cpuBefore: ControlPlaneCpu | undefined;
  let cpuAfter: ControlPlaneCpu | undefined;
  let usage: ProcUsage | undefined;
  let lifecycle: LifecycleFigures | undefined;
  let error: unknown;
  try {
    readyMs = await operator.ready(120_000);
    rssAtReadyMb = operator.usage().lastRssMb;
    await Promise.all([ageSecrets.start(), secrets.start(), events.start()]);
    requestsBefore = await requestCounts(options.kubeconfigPath);
    cpuBefore = readControlPlaneCpu(options.clusterDir);
    operator.sampler.resetWindow();
    log(`burst n=${n}: operator (${n} AgeSecrets at concurrency ${concurrency})`);
    await runPool(names('asec', n), concurrency, async (name, i) => {
      starts.set(name, performance.now());
      await client.create(AGESECRETS, ageSecretManifest(namespace, name, values[i]!), { namespace });
    });
    const timeoutMs = options.timeoutMs ?? 120_000 + n * 200;
    await Promise.all([ageSecrets.waitForCount('ready', n, timeoutMs), secrets.waitForCount('exists', n, timeoutMs)]);
    converged = true;
    cpuAfter = readControlPlaneCpu(options.clusterDir);
    requestsAfter = await requestCounts(options.kubeconfigPath);
    usage = operator.usage();
    if (options.lifecycle) {
      // The create phase's figures end here: its watches stop counting before the updates and deletes.
      await Promise.all([ageSecrets.stopped(), secrets.stopped(), events.stopped()]);
      lifecycle = await runLifecycle({
        client,
        namespace,
        names: [...starts.keys()],
        recipient,
        concurrency,
        operator,
        timeoutMs,
        log,
      });
    }
  } catch (caught) {
    error = caught;
  } finally {
    usage ??= operator.usage();
    await Promise.all([ageSecrets.stopped(), secrets.stopped(), events.stopped()]);
    if (options.cleanup) await cleanupNamespace(client, namespace, log);
    await operator.stop();
  }
  const readyAt = ageSecrets.times('ready');
  const secretAt = secrets.times('exists');
  const op = phase(starts, (name) => {
    const a = readyAt.get(name);
    const b = secretAt.get(name);
    return a === undefined || b === undefined ? undefined : Math.max(a, b);
  });
  const ratio = raw.throughputPerSec > 0 ? Number((op.throughputPerSec / raw.throughputPerSec).toFixed(3)) : 0;
  const floorRatio = floor.throughputPerSec > 0 ? Number((op.throughputPerSec / floor.throughputPerSec).toFixed(3)) : 0;
  const done = op.latency.count;
  const perObj = perObject(requestsBefore, requestsAfter, done);
  const requestsPerObject = perObj ? Object.values(perObj).reduce((a, b) => a + b, 0) : 0;
  return {
    workload: 'agesecret-burst',
    machine: options.machine,
    parameters: {
      n,
      concurrency,
      operatorConcurrency: options.operatorConcurrency ?? 'default',
      operator: options.compiled ? 'dist' : 'source',
    },
    converged: converged && done === n,
    throughputPerSec: op.throughputPerSec,
    latency: op.latency,
    peakRssMb: usage.peakRssMb,
    goals: [
      goal('operator_throughput / floor_throughput', '>= 0.8', floorRatio, floorRatio >= 0.8),
      ...(lifecycle
        ? [
            goal(
              'operator requests per update',
              '= 2 (floor)',
              lifecycle.update.operatorRequestsTotalPerObject,
              lifecycle.update.operatorRequestsTotalPerObject <= 2,
            ),
            goal(
              'operator requests per delete',
              '= 0 (floor)',
              lifecycle.delete.operatorRequestsTotalPerObject,
              lifecycle.delete.operatorRequestsTotalPerObject === 0,
            ),
          ]
        : []),
    ],
    details: {
      // The headline: the operator against the floor (the requests any AgeSecret operator must make).
      floorRatio,
      // Secondary: against a bare client creating plain Secrets (one request per object; no operator can reach it).
      ratio,
      operator: {
        ...op,
        readyAfterStartMs: Math.round(readyMs),
        rssAtReadyMb,
        cpuMs: usage.cpuMs,
        cpuCores: usage.cpuCores,
        lastRssMb: usage.lastRssMb,
      },
      raw,
      rawAgeSecrets,
      floor,
      perObjectMs: {
        operator: done ? Number((op.spanMs / done).toFixed(3)) : 0,
        floor: floor.latency.count ? Number((floor.spanMs / floor.latency.count).toFixed(3)) : 0,
        raw: raw.latency.count ? Number((raw.spanMs / raw.latency.count).toFixed(3)) : 0,
      },
      // Writes the API server saw during the operator phase (the harness's own creates included).
      writesSeen: { ageSecrets: ageSecrets.writes, secrets: secrets.writes, events: events.writes },
      writesPerObject: done ? Number(((ageSecrets.writeCount + secrets.writeCount + events.writeCount) / done).toFixed(2)) : 0,
      // The operator's own writes (the harness's creates left out): the floor is 2, the Secret and the status.
      operatorWritesPerObject: done
        ? Number(((ageSecrets.writes.MODIFIED + ageSecrets.writes.DELETED + secrets.writeCount + events.writeCount) / done).toFixed(2))
        : 0,
      // Every request the API server served in the operator phase, per AgeSecret (harness creates and lists included; watches and leases excluded).
      apiRequestsPerObject: perObj,
      // Requests/s the API server served in each phase: equal rates mean both phases saturate it alike.
      // CPU the API server and etcd spent per object in each phase (same machine, same run).
      controlPlaneCpuMsPerObject: { operatorPhase: cpuPerObject(cpuBefore, cpuAfter, done), raw: raw.controlPlaneCpuPerObject },
      apiRequestsPerSecond: { operatorPhase: Number((op.throughputPerSec * requestsPerObject).toFixed(1)), raw: raw.throughputPerSec },
      // Then every value updated and every AgeSecret deleted: the operator's own requests (its client metrics).
      ...(lifecycle ? { lifecycle } : {}),
    },
    notes: error ? [`did not converge: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`] : [],
  };
}

/** Deletes the namespace, waiting until its AgeSecrets are gone. */
export async function cleanupNamespace(client: KubeClient, namespace: string, log: (line: string) => void): Promise<void> {
  await deleteNamespace(client, namespace);
  try {
    await waitUntil(async () => (await client.list(AGESECRETS, { namespace, limit: 1 })).items.length === 0, {
      timeoutMs: 180_000,
      intervalMs: 500,
    });
  } catch {
    log(`cleanup: AgeSecrets in ${namespace} still present after 180 s`);
  }
}
