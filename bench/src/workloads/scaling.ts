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
  /** Operator CPU per object: growth here (not in wall time alone) points into the operator process. */
  operatorCpuMsPerObject: number;
}

export function scalingPoint(burst: WorkloadResult): ScalingPoint {
  const details = burst.details as {
    ratio: number;
    operator: { spanMs: number; cpuMs: number };
    perObjectMs: { operator: number; raw: number };
  };
  const n = burst.parameters['n'] as number;
  return {
    n,
    converged: burst.converged,
    operatorSpanMs: details.operator.spanMs,
    operatorPerObjectMs: details.perObjectMs.operator,
    rawPerObjectMs: details.perObjectMs.raw,
    ratio: details.ratio,
    p99Ms: burst.latency.p99Ms,
    peakRssMb: burst.peakRssMb,
    operatorCpuMsPerObject: n ? Number((details.operator.cpuMs / n).toFixed(2)) : 0,
  };
}

/**
 * Flat enough: the marginal time per object between the two largest N within 1.5x of the one between the
 * two smallest (the smallest N alone is dominated by fixed costs: start-up of the pipeline, not per object).
 */
export function scalingResult(bursts: WorkloadResult[]): WorkloadResult {
  const points = bursts.map(scalingPoint).sort((a, b) => a.n - b.n);
  const marginal = points.slice(1).map((p, i) => ({
    from: points[i]!.n,
    to: p.n,
    msPerObject: Number(((p.operatorSpanMs - points[i]!.operatorSpanMs) / (p.n - points[i]!.n)).toFixed(2)),
  }));
  const firstStep = marginal[0];
  const lastStep = marginal.at(-1);
  const growth = firstStep && lastStep && firstStep.msPerObject > 0 ? Number((lastStep.msPerObject / firstStep.msPerObject).toFixed(2)) : 0;
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
    goals: [goal('marginal time per object, last step / first step', '<= 1.5', growth, growth > 0 && growth <= 1.5)],
    details: {
      points,
      fit: { msPerObject: Number(fit.slope.toFixed(3)), fixedMs: Math.round(fit.intercept) },
      marginal,
      marginalGrowth: growth,
      runs: bursts.map((b) => ({ n: b.parameters['n'], latency: b.latency, details: b.details })),
    },
    notes: ['Each N runs on a fresh control plane; throughput and latency above are those of the largest N.'],
  };
}
