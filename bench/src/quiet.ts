// Detects when a process has gone idle: its CPU rate stays under a threshold for a whole window.
import type { ProcSampler } from './proc-sampler.js';
import { readProc } from './proc-sampler.js';

export interface QuietOptions {
  /** CPU (in cores) under which the process counts as idle. */
  maxCores?: number;
  /** How long it must stay idle. */
  windowMs?: number;
  intervalMs?: number;
  timeoutMs: number;
}

/**
 * Resolves with the performance.now() time the idle window began (the end of the last busy interval).
 * Polls /proc, so it is a measurement of the process, not a synchronisation with it.
 */
export async function waitQuiet(sampler: ProcSampler, options: QuietOptions): Promise<number> {
  const maxCores = options.maxCores ?? 0.05;
  const windowMs = options.windowMs ?? 2000;
  const intervalMs = options.intervalMs ?? 250;
  const deadline = performance.now() + options.timeoutMs;
  let previous = readProc(sampler.pid);
  let lastBusy = performance.now();
  while (performance.now() < deadline) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const sample = readProc(sampler.pid);
    if (!sample || !previous) throw new Error(`process ${sampler.pid} is gone`);
    const cores = (sample.cpuMs - previous.cpuMs) / Math.max(1, sample.atMs - previous.atMs);
    // CPU time has 10 ms granularity: a single tick in a short interval is noise, not work.
    if (cores > maxCores && sample.cpuMs - previous.cpuMs > 10) lastBusy = sample.atMs;
    previous = sample;
    if (sample.atMs - lastBusy >= windowMs) return lastBusy;
  }
  throw new Error(`process ${sampler.pid} did not go idle within ${options.timeoutMs} ms`);
}
