// The machine-readable result of one workload run (bench/results/<workload>.json) and its goals.
import type { MachineInfo } from './machine.js';
import type { LatencySummary } from './stats.js';

export interface Goal {
  name: string;
  /** Human-readable target, e.g. ">= 0.8". */
  target: string;
  value: number;
  met: boolean;
}

export interface WorkloadResult {
  workload: string;
  machine: MachineInfo;
  parameters: Record<string, unknown>;
  /** Whether the operator reached the expected end state for every object (never about speed). */
  converged: boolean;
  /** Objects per second (the workload's own definition, see `details`). */
  throughputPerSec: number;
  latency: LatencySummary;
  /** Peak resident set size of the operator process (VmHWM), MiB; 0 where no operator process runs. */
  peakRssMb: number;
  goals: Goal[];
  details: Record<string, unknown>;
  notes: string[];
}

export const goal = (name: string, target: string, value: number, met: boolean): Goal => ({ name, target, value, met });
