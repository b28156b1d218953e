// Runs the selected workloads, each on a fresh local control plane, and records their results.
import { join } from 'node:path';
import { startBenchCluster, type BenchCluster } from './bench-cluster.js';
import { compiledLegacyMock } from './legacy-mock-image.js';
import { machineInfo } from './machine.js';
import { repoRoot } from './operator-process.js';
import { writeCostCurves } from './cost-curves-file.js';
import { updateBenchmarksMd } from './report.js';
import type { WorkloadResult } from './result.js';
import { readResults, writeResult } from './results-file.js';
import { runAgeSecretBurst } from './workloads/agesecret-burst.js';
import { runDecrypt } from './workloads/decrypt.js';
import { runHandshakeBurst } from './workloads/handshake-burst.js';
import { runListModes } from './workloads/list-modes.js';
import { runRestart } from './workloads/restart.js';
import { scalingResult } from './workloads/scaling.js';

export const WORKLOADS = [
  'agesecret-burst',
  'restart',
  'steady-state',
  'handshake-burst',
  'handshake-rate',
  'decrypt',
  'scaling',
  'list-modes',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const DEFAULT_N: Record<WorkloadName, number[]> = {
  'agesecret-burst': [1000],
  restart: [10_000],
  'steady-state': [10_000],
  'handshake-burst': [200],
  'handshake-rate': [200],
  decrypt: [3],
  scaling: [100, 1000, 10_000, 50_000],
  'list-modes': [10_000],
};

export interface BenchSettings {
  workloads: WorkloadName[];
  /** Overrides the default N of every selected workload (seconds for decrypt; a list for scaling). */
  n?: number[];
  concurrency: number;
  /** The operators' --concurrency (default: their own default, 16). */
  operatorConcurrency?: number;
  /** Run the operators compiled (dist/, what their images run; `npm run build` first) instead of through tsx. */
  compiled?: boolean;
  /** Write V8 CPU profiles of the operator processes here (`--cpu-prof DIR`). */
  cpuProfDir?: string;
  steadyMs: number;
  resultsDir: string;
  /** BENCHMARKS.md to update from every result in resultsDir; undefined leaves it alone. */
  benchmarksMd?: string;
  log: (line: string) => void;
}

export const defaultResultsDir = join(repoRoot, 'bench', 'results');
export const defaultBenchmarksMd = join(repoRoot, 'BENCHMARKS.md');

async function withCluster<T>(
  settings: BenchSettings,
  options: { kubelet?: boolean; legacyMock?: boolean },
  fn: (cluster: BenchCluster) => Promise<T>,
): Promise<T> {
  settings.log('starting a fresh local control plane');
  const images = options.legacyMock ? { 'legacy-mock': await compiledLegacyMock() } : undefined;
  const cluster = await startBenchCluster({ kubelet: options.kubelet ?? false, ...(images ? { images } : {}) });
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

export async function runBench(settings: BenchSettings): Promise<{ results: WorkloadResult[]; failures: string[] }> {
  const { log, concurrency } = settings;
  const out: WorkloadResult[] = [];
  const failures: string[] = [];
  const record = (result: WorkloadResult) => {
    out.push(result);
    const path = writeResult(settings.resultsDir, result);
    log(
      `${result.workload}: converged=${result.converged} throughput=${result.throughputPerSec}/s p99=${result.latency.p99Ms} ms peakRss=${result.peakRssMb} MiB -> ${path}`,
    );
  };
  const nOf = (w: WorkloadName) => settings.n ?? DEFAULT_N[w];
  // One workload failing (a cluster that would not start, say) must not lose the others' results.
  const step = async <T>(name: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (error) {
      failures.push(name);
      log(`${name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      return undefined;
    }
  };
  const selected = new Set(settings.workloads);

  // Set-up-heavy and load-insensitive first (writes, RSS); the throughput ratios last, on the quietest machine.
  if (selected.has('restart') || selected.has('steady-state')) {
    const n = nOf(selected.has('restart') ? 'restart' : 'steady-state')[0]!;
    const results = await step('restart', () =>
      withCluster(settings, {}, (c) =>
        runRestart({
          client: c.client,
          kubeconfigPath: c.kubeconfigPath,
          machine: c.machine,
          n,
          concurrency: Math.max(concurrency, 32),
          steadyMs: selected.has('steady-state') ? settings.steadyMs : 0,
          log,
          ...(settings.operatorConcurrency ? { operatorConcurrency: settings.operatorConcurrency } : {}),
          compiled: settings.compiled,
          cpuProfDir: settings.cpuProfDir,
        }),
      ),
    );
    if (results && selected.has('restart')) record(results.restart);
    if (results?.steady) record(results.steady);
  }
  // The burst (all pods at once: the stress figure) and the realistic load of issue [perf] (200 pods at 20/s).
  for (const [name, ratePerSec] of [
    ['handshake-burst', undefined],
    ['handshake-rate', 20],
  ] as const) {
    if (!selected.has(name)) continue;
    const result = await step(name, () =>
      withCluster(settings, { kubelet: true, legacyMock: true }, (c) =>
        runHandshakeBurst({
          client: c.client,
          kubeconfigPath: c.kubeconfigPath,
          machine: c.machine,
          n: nOf(name)[0]!,
          ...(ratePerSec ? { ratePerSec } : {}),
          log,
          podLogPath: (ns, pod, container) => c.handle.podLogPath(ns, pod, container),
          ...(settings.operatorConcurrency ? { operatorConcurrency: settings.operatorConcurrency } : {}),
          compiled: settings.compiled,
          cpuProfDir: settings.cpuProfDir,
        }),
      ),
    );
    if (result) record(result);
  }
  if (selected.has('list-modes')) {
    const result = await step('list-modes', () =>
      withCluster(settings, {}, (c) =>
        runListModes({
          client: c.client,
          kubeconfigPath: c.kubeconfigPath,
          clusterDir: c.handle.dir,
          machine: c.machine,
          n: nOf('list-modes')[0]!,
          concurrency: Math.max(concurrency, 32),
        }),
      ),
    );
    if (result) record(result);
  }
  if (selected.has('decrypt')) {
    const result = await step('decrypt', async () => runDecrypt({ machine: await machineInfo(''), seconds: nOf('decrypt')[0]! }));
    if (result) record(result);
  }
  // The single burst also updates and deletes (requests per object on each); the scaling points only create.
  const burst = (n: number, lifecycle = false) =>
    withCluster(settings, {}, (c) =>
      runAgeSecretBurst({
        client: c.client,
        kubeconfigPath: c.kubeconfigPath,
        clusterDir: c.handle.dir,
        machine: c.machine,
        n,
        concurrency,
        lifecycle,
        log,
        ...(settings.operatorConcurrency ? { operatorConcurrency: settings.operatorConcurrency } : {}),
        compiled: settings.compiled,
        cpuProfDir: settings.cpuProfDir,
      }),
    );
  let single: WorkloadResult | undefined;
  if (selected.has('agesecret-burst')) {
    single = await step('agesecret-burst', () => burst(nOf('agesecret-burst')[0]!, true));
    if (single) record(single);
  }
  if (selected.has('scaling')) {
    const bursts: WorkloadResult[] = [];
    for (const n of nOf('scaling')) {
      // The same parameters as workload 1: reuse its run instead of repeating it.
      const point = single?.parameters['n'] === n ? single : await step(`scaling n=${n}`, () => burst(n));
      if (point) bursts.push(point);
    }
    if (bursts.length) {
      const result = scalingResult(bursts);
      record(result);
      writeCostCurves(settings.resultsDir, result);
    }
  }
  if (settings.benchmarksMd) updateBenchmarksMd(settings.benchmarksMd, readResults(settings.resultsDir));
  return { results: out, failures };
}
