// Workload 4: labelled legacy-mock pods (real processes, via the kubelet simulator) from Running to annotated.
import { readFileSync } from 'node:fs';
import type { KubeClient, KubeObject } from 'capstan';
import { deleteNamespace, uniqueNamespace, waitUntil } from 'capstan/testing';
import { perObject, requestCounts } from '../apiserver-requests.js';
import type { MachineInfo } from '../machine.js';
import { startOperatorProcess } from '../operator-process.js';
import { runAtRate, runPool } from '../pool.js';
import { goal, type WorkloadResult } from '../result.js';
import { summarize, throughput } from '../stats.js';
import { WatchTracker } from '../watch-tracker.js';

const PODS = { version: 'v1', plural: 'pods' } as const;
const SECRETS = { version: 'v1', plural: 'secrets' } as const;
const EVENTS = { version: 'v1', plural: 'events' } as const;
const GATE = 'secret-handshake.pyvo.io/done';
export const HANDSHAKE_ENTRY = 'operators/legacy-handshake/src/main.ts';

type PodObject = KubeObject & { status?: { phase?: string; conditions?: { type: string; status: string }[] } };

export interface HandshakeOptions {
  client: KubeClient;
  /** Where the kubelet simulator writes container output (legacy-mock logs when it listens). */
  podLogPath?: (namespace: string, pod: string, container: string) => string;
  kubeconfigPath: string;
  machine: MachineInfo;
  /** Pods created at once. */
  n: number;
  /** Pod creates in flight (default: all of them). */
  concurrency?: number;
  /** Create the pods at this rate per second instead (the `handshake-rate` workload: a realistic arrival rate). */
  ratePerSec?: number;
  cleanup?: boolean;
  /** The operator's --concurrency (default: its own default, 16). */
  operatorConcurrency?: number;
  /** Run the operator compiled (dist/, as its image) rather than from source through tsx. */
  compiled?: boolean | undefined;
  /** Write a V8 CPU profile of each operator process into this directory (node --cpu-prof). */
  cpuProfDir?: string | undefined;
  log?: (line: string) => void;
}

/** legacy_handshake_* samples of the operator's Prometheus text, plus the mean handshake duration in ms. */
function parseHandshakeMetrics(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n')) {
    if (!line.startsWith('legacy_handshake_') || line.includes('_bucket')) continue;
    const at = line.lastIndexOf(' ');
    out[line.slice(0, at)] = Number(line.slice(at + 1));
  }
  const count = out['legacy_handshake_duration_seconds_count'];
  const sum = out['legacy_handshake_duration_seconds_sum'];
  if (count && sum !== undefined) out['meanHandshakeMs'] = Number(((sum / count) * 1000).toFixed(1));
  return out;
}

function listeningAt(logFile: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(logFile, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.includes('legacy-mock listening on'));
  const at = line ? Date.parse(line.split(' ')[0] ?? '') : Number.NaN;
  return Number.isNaN(at) ? undefined : at;
}

function legacyPod(name: string): KubeObject {
  return {
    metadata: { name, labels: { app: 'legacy-mock', 'secret-handshake': 'true' } },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: 'app', image: 'legacy-mock', ports: [{ name: 'http', containerPort: 3000 }] }],
      readinessGates: [{ conditionType: GATE }],
    },
  } as unknown as KubeObject;
}

export async function runHandshakeBurst(options: HandshakeOptions): Promise<WorkloadResult> {
  const { client, n } = options;
  const log = options.log ?? (() => {});
  const [appNs, opsNs] = await Promise.all([uniqueNamespace(client, 'bench-hs-app'), uniqueNamespace(client, 'bench-hs-ops')]);
  await client.create(
    SECRETS,
    { metadata: { name: 'suffix', namespace: opsNs }, stringData: { suffix: '-acknowledge' } } as unknown as KubeObject,
    { namespace: opsNs },
  );
  const operator = await startOperatorProcess({
    entry: HANDSHAKE_ENTRY,
    compiled: options.compiled,
    cpuProfDir: options.cpuProfDir,
    args: [
      '--namespace',
      appNs,
      '--suffix-secret',
      `${opsNs}/suffix`,
      '--kubeconfig',
      options.kubeconfigPath,
      '--log-level',
      'warn',
      '--no-deployment-opt-in',
      ...(options.operatorConcurrency ? ['--concurrency', String(options.operatorConcurrency)] : []),
    ],
  });
  const pods = new WatchTracker<PodObject>({
    client,
    ref: PODS,
    namespace: appNs,
    states: {
      running: (p, t) => t !== 'DELETED' && p.status?.phase === 'Running',
      annotated: (p, t) => t !== 'DELETED' && p.metadata.annotations?.['secret-handshake-done'] === 'true',
      ready: (p, t) => t !== 'DELETED' && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true,
    },
  });
  const events = new WatchTracker<KubeObject & { reason?: string; source?: { component?: string }; reportingComponent?: string }>({
    client,
    ref: EVENTS,
    namespace: appNs,
  });
  const created = new Map<string, number>();
  const notes: string[] = [];
  let converged = false;
  let readyMs = 0;
  let requestsBefore;
  let requestsAfter;
  let handshakeMetrics: Record<string, number> | undefined;
  let usage;
  try {
    readyMs = await operator.ready(120_000);
    await Promise.all([pods.start(), events.start()]);
    requestsBefore = await requestCounts(options.kubeconfigPath);
    operator.sampler.resetWindow();
    log(`handshake n=${n}: creating ${n} labelled legacy-mock pods`);
    const names = Array.from({ length: n }, (_, i) => `legacy-${String(i).padStart(4, '0')}`);
    const create = async (name: string) => {
      created.set(name, performance.now());
      await client.create(PODS, legacyPod(name), { namespace: appNs });
    };
    await (options.ratePerSec ? runAtRate(names, options.ratePerSec, create) : runPool(names, options.concurrency ?? n, create));
    await pods.waitForCount('annotated', n, 240_000 + n * 1000);
    await pods.waitForCount('ready', n, 120_000);
    converged = true;
    requestsAfter = await requestCounts(options.kubeconfigPath);
    handshakeMetrics = parseHandshakeMetrics((await operator.fetch('/metrics')).text);
  } catch (error) {
    notes.push(`did not converge: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
  } finally {
    usage = operator.usage();
    await Promise.all([pods.stopped(), events.stopped()]);
    if (options.cleanup !== false) {
      await deleteNamespace(client, appNs);
      // The pods' processes end with their pods; wait so the next workload starts on a quiet machine.
      await waitUntil(async () => (await client.list(PODS, { namespace: appNs, limit: 1 })).items.length === 0, {
        timeoutMs: 180_000,
        intervalMs: 500,
      }).catch(() => log('handshake: pods still terminating'));
      await deleteNamespace(client, opsNs);
    }
    await operator.stop();
  }
  const running = pods.times('running');
  const annotated = pods.times('annotated');
  const ready = pods.times('ready');
  const fromRunning: number[] = [];
  const fromCreate: number[] = [];
  const toReady: number[] = [];
  for (const [name, at] of annotated) {
    const r = running.get(name);
    if (r !== undefined) fromRunning.push(Math.max(0, at - r));
    const c = created.get(name);
    if (c !== undefined) fromCreate.push(at - c);
    const rd = ready.get(name);
    if (r !== undefined && rd !== undefined) toReady.push(rd - r);
  }
  // The app logs "<ISO time> legacy-mock listening on ..." once its port is open: split Running -> annotated
  // into the app's start-up and the operator's own part.
  const toListening: number[] = [];
  const listeningToAnnotated: number[] = [];
  if (options.podLogPath) {
    for (const [name, at] of annotated) {
      const listening = listeningAt(options.podLogPath(appNs, name, 'app'));
      const r = running.get(name);
      if (listening === undefined || r === undefined) continue;
      const listeningPerf = listening - performance.timeOrigin;
      // Negative: the app listened before its Running status reached the watch (the kubelet reports late).
      toListening.push(listeningPerf - r);
      listeningToAnnotated.push(at - listeningPerf);
    }
  }
  const runningTimes = [...running.values()];
  const annotatedTimes = [...annotated.values()];
  const spanMs = annotatedTimes.length ? Math.max(...annotatedTimes) - Math.min(...runningTimes) : 0;
  const latency = summarize(fromRunning);
  const warnings = [...events.objects.values()]
    .filter((e) => (e as { type?: string }).type === 'Warning')
    .map((e) => e.reason)
    .filter((r): r is string => !!r);
  return {
    workload: options.ratePerSec ? 'handshake-rate' : 'handshake-burst',
    machine: options.machine,
    parameters: {
      n,
      operatorConcurrency: options.operatorConcurrency ?? 'default',
      ...(options.ratePerSec ? { ratePerSec: options.ratePerSec } : { createConcurrency: options.concurrency ?? n }),
      image: 'legacy-mock (compiled, one process per pod)',
      operator: options.compiled ? 'dist' : 'source',
    },
    converged: converged && annotated.size === n,
    throughputPerSec: throughput(annotated.size, spanMs),
    latency,
    peakRssMb: usage.peakRssMb,
    goals: [
      goal('p99 Running -> annotated (ms)', '< 1000', latency.p99Ms, latency.p99Ms < 1000),
      ...(options.ratePerSec
        ? [
            goal(
              'p99 listening -> annotated (ms)',
              '< 1500',
              summarize(listeningToAnnotated).p99Ms,
              summarize(listeningToAnnotated).p99Ms < 1500,
            ),
          ]
        : []),
    ],
    details: {
      operatorReadyMs: Math.round(readyMs),
      runningSpreadMs: runningTimes.length ? Math.round(Math.max(...runningTimes) - Math.min(...runningTimes)) : 0,
      createToAnnotated: summarize(fromCreate),
      runningToPodReady: summarize(toReady),
      runningToListening: summarize(toListening),
      listeningToAnnotated: summarize(listeningToAnnotated),
      cpuMs: usage.cpuMs,
      cpuCores: usage.cpuCores,
      // Every request the API server served per pod (kubelet simulator's and harness's included; watches excluded).
      apiRequestsPerPod: perObject(requestsBefore, requestsAfter, n),
      // The operator's own /metrics: time of the two HTTP calls to the app, failures by step.
      operatorMetrics: handshakeMetrics,
      warningEvents: warnings.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {}),
    },
    notes: [
      'Running is the first watch event with status.phase=Running (the kubelet simulator reports it when it spawns the process, before the app listens); annotated is the first with secret-handshake-done=true.',
      ...notes,
    ],
  };
}
