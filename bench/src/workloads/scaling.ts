// Workload 6: the AgeSecret burst at several N (each on a fresh control plane): does time per object stay flat?
import { goal, type WorkloadResult } from '../result.js';
import { linearFit, summarize } from '../stats.js';

export interface ScalingPoint {
  n: number;
  converged: boolean;
  operatorSpanMs: number;
  operatorPerObjectMs: number;
  rawPerObjectMs: number;
  ratio: number;
  p99Ms: number;
  peakRssMb: number;
}

export function scalingPoint(burst: WorkloadResult): ScalingPoint {
  const details = burst.details as { ratio: number; operator: { spanMs: number }; perObjectMs: { operator: number; raw: number } };
  return {
    n: burst.parameters['n'] as number,
    converged: burst.converged,
    operatorSpanMs: details.operator.spanMs,
    operatorPerObjectMs: details.perObjectMs.operator,
    rawPerObjectMs: details.perObjectMs.raw,
    ratio: details.ratio,
    p99Ms: burst.latency.p99Ms,
    peakRssMb: burst.peakRssMb,
  };
}

/** Flat enough: time per object at the largest N within 1.5x of the smallest N's (noise on a shared 2-core box). */
export function scalingResult(bursts: WorkloadResult[]): WorkloadResult {
  const points = bursts.map(scalingPoint).sort((a, b) => a.n - b.n);
  const first = points[0];
  const last = points.at(-1);
  const growth = first && last && first.operatorPerObjectMs > 0 ? Number((last.operatorPerObjectMs / first.operatorPerObjectMs).toFixed(2)) : 0;
  const fit = linearFit(points.map((p) => ({ x: p.n, y: p.operatorSpanMs })));
  const largest = bursts.at(-1);
  return {
    workload: 'scaling',
    machine: bursts[0]!.machine,
    parameters: { ns: points.map((p) => p.n), concurrency: bursts[0]?.parameters['concurrency'] },
    converged: points.every((p) => p.converged),
    throughputPerSec: largest?.throughputPerSec ?? 0,
    latency: largest?.latency ?? summarize([]),
    peakRssMb: Math.max(0, ...points.map((p) => p.peakRssMb)),
    goals: [goal('per-object time, largest N / smallest N', '<= 1.5', growth, growth > 0 && growth <= 1.5)],
    details: {
      points,
      fit: { msPerObject: Number(fit.slope.toFixed(3)), fixedMs: Math.round(fit.intercept) },
      perObjectGrowth: growth,
    },
    notes: ['Each N runs on a fresh control plane; throughput and latency above are those of the largest N.'],
  };
}
