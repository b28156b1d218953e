// Writes <results>/cost-curves.svg from a scaling result (BENCHMARKS.md shows it).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { costCurvesSvg, type CostPoint } from './cost-curves.js';
import type { WorkloadResult } from './result.js';

interface ScalingPoint {
  n: number;
  operatorPerObjectMs: number;
  operatorCpuMsPerObject: number;
  peakRssMb: number;
}

/** The scaling workload's points as cost points; undefined when the result has none. */
export function costPoints(result: WorkloadResult): CostPoint[] {
  const points = (result.details as { points?: ScalingPoint[] }).points ?? [];
  return points.map((p) => ({
    n: p.n,
    perObjectMs: p.operatorPerObjectMs,
    cpuMsPerObject: p.operatorCpuMsPerObject,
    peakRssMb: p.peakRssMb,
  }));
}

/** The chart of a scaling run, next to its JSON; returns its path. */
export function writeCostCurves(resultsDir: string, result: WorkloadResult): string {
  const path = join(resultsDir, 'cost-curves.svg');
  const m = result.machine;
  writeFileSync(
    path,
    costCurvesSvg(
      costPoints(result),
      `AgeSecret operator, burst of N creates; ${m.date.slice(0, 10)}, ${m.cores} cores, Kubernetes ${m.kubernetes}`,
    ),
  );
  return path;
}
