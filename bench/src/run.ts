// Runs the selected workloads, each on a fresh local control plane, and records their results.
import { join } from 'node:path';
import { startBenchCluster, type BenchCluster } from './bench-cluster.js';
import { compiledLegacyMock } from './legacy-mock-image.js';
import { machineInfo } from './machine.js';
import { repoRoot } from './operator-process.js';
import { updateBenchmarksMd } from './report.js';
import type { WorkloadResult } from './result.js';
import { readResults, writeResult } from './results-file.js';
import { runAgeSecretBurst } from './workloads/agesecret-burst.js';
import { runDecrypt } from './workloads/decrypt.js';
import { runHandshakeBurst } from './workloads/handshake-burst.js';
import { runRestart } from './workloads/restart.js';
import { scalingResult } from './workloads/scaling.js';

export const WORKLOADS = ['agesecret-burst', 'restart', 'steady-state', 'handshake-burst', 'decrypt', 'scaling'] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export const DEFAULT_N: Record<WorkloadName, number[]> = {
  'agesecret-burst': [1000],
  restart: [10_000],
  'steady-state': [10_000],
  'handshake-burst': [200],
  decrypt: [3],
  scaling: [100, 1000, 5000],
};

export interface BenchSettings {
  workloads: WorkloadName[];
  /** Overrides the default N of every selected workload (seconds for decrypt; a list for scaling). */
  n?: number[];
  concurrency: number;
  /** The operators' --concurrency (default: their own default, 16). */
  operatorConcurrency?: number;
  steadyMs: number;
  resultsDir: string;
  /** BENCHMARKS.md to update from every result in resultsDir; undefined leaves it alone. */
  benchmarksMd?: string;
  log: (line: string) => void;
}

export const defaultResultsDir = join(repoRoot, 'bench', 'results');
export const defaultBenchmarksMd = join(repoRoot, 'BENCHMARKS.md');

async function withCluster<T>(settings: BenchSettings, options: { kubelet?: boolean; legacyMock?: boolean }, fn: (cluster: BenchCluster) => Promise<T>): Promise<T> {
  settings.log('starting a fresh local control plane');
  const images = options.legacyMock ? { 'legacy-mock': await compiledLegacyMock() } : undefined;
  const cluster = await startBenchCluster({ kubelet: options.kubelet ?? false, ...(images ? { images } : {}) });
  try {
    return await fn(cluster);
  } finally {
    await cluster.stop();
  }
}

export async function runBench(settings: BenchSettings): Promise<WorkloadResult[]> {
  const { log, concurrency } = settings;
  const out: WorkloadResult[] = [];
  const record = (result: WorkloadResult) => {
    out.push(result);
    const path = writeResult(settings.resultsDir, result);
    log(`${result.workload}: converged=${result.converged} throughput=${result.throughputPerSec}/s p99=${result.latency.p99Ms} ms peakRss=${result.peakRssMb} MiB -> ${path}`);
  };
  const nOf = (w: WorkloadName) => settings.n ?? DEFAULT_N[w];
  const selected = new Set(settings.workloads);

  if (selected.has('decrypt')) {
    record(await runDecrypt({ machine: await machineInfo(''), seconds: nOf('decrypt')[0]! }));
  }
  const burst = (n: number) => withCluster(settings, {}, (c) =>
    runAgeSecretBurst({
      client: c.client, kubeconfigPath: c.kubeconfigPath, machine: c.machine, n, concurrency, log,
      ...(settings.operatorConcurrency ? { operatorConcurrency: settings.operatorConcurrency } : {}),
    }));
  if (selected.has('agesecret-burst')) record(await burst(nOf('agesecret-burst')[0]!));
  if (selected.has('scaling')) {
    const bursts: WorkloadResult[] = [];
    for (const n of nOf('scaling')) bursts.push(await burst(n));
    record(scalingResult(bursts));
  }
  if (selected.has('restart') || selected.has('steady-state')) {
    const n = nOf(selected.has('restart') ? 'restart' : 'steady-state')[0]!;
    const results = await withCluster(settings, {}, (c) => runRestart({
      client: c.client, kubeconfigPath: c.kubeconfigPath, machine: c.machine, n, concurrency: Math.max(concurrency, 32),
      steadyMs: selected.has('steady-state') ? settings.steadyMs : 0, log,
      ...(settings.operatorConcurrency ? { operatorConcurrency: settings.operatorConcurrency } : {}),
    }));
    if (selected.has('restart')) record(results.restart);
    if (results.steady) record(results.steady);
  }
  if (selected.has('handshake-burst')) {
    record(await withCluster(settings, { kubelet: true, legacyMock: true }, (c) =>
      runHandshakeBurst({ client: c.client, kubeconfigPath: c.kubeconfigPath, machine: c.machine, n: nOf('handshake-burst')[0]!, log })));
  }
  if (settings.benchmarksMd) updateBenchmarksMd(settings.benchmarksMd, readResults(settings.resultsDir));
  return out;
}
