// Workload 7: the initial sync of N objects by a streaming list (watch with sendInitialEvents) vs paged lists.
import { ApiClient, createOperator, silentLogger, type KubeObject, type WatchSettings } from 'capstan';
import { controlPlanePids } from '../control-plane-cpu.js';
import type { MachineInfo } from '../machine.js';
import { runPool } from '../pool.js';
import { ProcSampler } from '../proc-sampler.js';
import { goal, type WorkloadResult } from '../result.js';
import { summarize } from '../stats.js';

const configmaps = { version: 'v1', plural: 'configmaps' } as const;

export interface ListModesOptions {
  client: ApiClient;
  kubeconfigPath: string;
  /** The cluster's state directory: finds the API server process (undefined: no memory figures). */
  clusterDir: string | undefined;
  machine: MachineInfo;
  n: number;
  concurrency: number;
  /** Syncs per mode, interleaved (the load of a shared machine drifts). Default 3. */
  rounds?: number;
  /** Delete the namespace afterwards (the smoke test shares its cluster). */
  cleanup?: boolean;
}

interface SyncFigures {
  mode: 'stream' | 'paged';
  syncMs: number;
  /** The API server's highest RSS sampled during the sync, and its growth over the RSS before it. */
  apiserverPeakRssMb: number;
  apiserverRssGrowthMb: number;
  apiserverCpuMs: number;
  streamedLists: boolean;
}

/** One operator start in-process: an index makes ConfigMaps watched; `ready` means every cache synced. */
async function syncOnce(options: ListModesOptions, namespace: string, mode: 'stream' | 'paged'): Promise<SyncFigures> {
  const apiserver = options.clusterDir ? controlPlanePids(options.clusterDir).apiserver[0] : undefined;
  const sampler = apiserver ? new ProcSampler(apiserver, 50).start() : undefined;
  const before = sampler?.snapshot().lastRssMb ?? 0;
  sampler?.resetWindow();
  const requests: string[] = [];
  const client = await ApiClient.create({ path: options.kubeconfigPath }, { observer: (info) => void requests.push(info.verb) });
  const watch: WatchSettings = { listMode: mode };
  const op = createOperator({ name: `bench-list-${mode}`, client, namespaces: [namespace], watch, events: false, logger: silentLogger });
  op.resource(configmaps).index('all', () => ['all']);
  const controller = new AbortController();
  const started = performance.now();
  const running = op.run({ signal: controller.signal });
  await Promise.race([
    op.ready,
    running.then(() => {
      throw new Error('the operator stopped before it synced');
    }),
  ]);
  const syncMs = performance.now() - started;
  const usage = sampler?.stop();
  controller.abort();
  await running;
  client.close();
  return {
    mode,
    syncMs: Math.round(syncMs),
    apiserverPeakRssMb: usage?.windowPeakRssMb ?? 0,
    apiserverRssGrowthMb: usage ? Number(Math.max(0, usage.windowPeakRssMb - before).toFixed(1)) : 0,
    apiserverCpuMs: usage?.cpuMs ?? 0,
    streamedLists: !requests.includes('list'),
  };
}

export async function runListModes(options: ListModesOptions): Promise<WorkloadResult> {
  const { client, n } = options;
  const namespace = `bench-list-${Date.now().toString(36)}`;
  await client.create({ version: 'v1', plural: 'namespaces' }, { metadata: { name: namespace } });
  // Objects of a realistic size (a few hundred bytes of data each), so the list is not all envelope.
  const data = { config: 'x'.repeat(400) };
  await runPool(
    Array.from({ length: n }, (_, i) => i),
    options.concurrency,
    async (i) => {
      await client.create(configmaps, { metadata: { name: `cm-${i}`, namespace }, data } as KubeObject, { namespace });
    },
  );
  const rounds = options.rounds ?? 3;
  const runs: SyncFigures[] = [];
  for (let r = 0; r < rounds; r++) {
    // Alternate which goes first, so neither always meets a warmer API server.
    for (const mode of r % 2 ? (['paged', 'stream'] as const) : (['stream', 'paged'] as const))
      runs.push(await syncOnce(options, namespace, mode));
  }
  if (options.cleanup) await client.delete({ version: 'v1', plural: 'namespaces' }, { name: namespace }).catch(() => undefined);
  const median = (mode: 'stream' | 'paged', pick: (f: SyncFigures) => number) =>
    summarize(runs.filter((f) => f.mode === mode).map(pick)).p50Ms;
  const stream = {
    syncMs: median('stream', (f) => f.syncMs),
    peakRssMb: median('stream', (f) => f.apiserverPeakRssMb),
    growthMb: median('stream', (f) => f.apiserverRssGrowthMb),
    cpuMs: median('stream', (f) => f.apiserverCpuMs),
  };
  const paged = {
    syncMs: median('paged', (f) => f.syncMs),
    peakRssMb: median('paged', (f) => f.apiserverPeakRssMb),
    growthMb: median('paged', (f) => f.apiserverRssGrowthMb),
    cpuMs: median('paged', (f) => f.apiserverCpuMs),
  };
  const streamed = runs.filter((f) => f.mode === 'stream').every((f) => f.streamedLists);
  const ratio = paged.syncMs > 0 ? Number((stream.syncMs / paged.syncMs).toFixed(2)) : 0;
  return {
    workload: 'list-modes',
    machine: options.machine,
    parameters: { n, rounds, objectBytes: 400 },
    converged: streamed,
    throughputPerSec: stream.syncMs > 0 ? Number((n / (stream.syncMs / 1000)).toFixed(0)) : 0,
    latency: summarize(runs.filter((f) => f.mode === 'stream').map((f) => f.syncMs)),
    peakRssMb: 0,
    goals: [goal('streaming list time / paged list time', 'informational', ratio, true)],
    details: { stream, paged, runs },
    notes: streamed ? [] : ['the API server did not stream the list (fell back to paged lists)'],
  };
}
