// Samples a process's memory (VmRSS, VmHWM) and CPU time (utime + stime) from /proc, Linux only.
import { readFileSync } from 'node:fs';

/** Kernel clock ticks per second for /proc/<pid>/stat times; 100 on every Linux we run on (getconf CLK_TCK). */
const CLK_TCK = 100;

export interface ProcSample {
  atMs: number;
  rssBytes: number;
  /** The kernel's peak resident set size since the process started. */
  hwmBytes: number;
  /** user + system CPU time so far. */
  cpuMs: number;
}

/** One reading; undefined once the process is gone. */
export function readProc(pid: number): ProcSample | undefined {
  let status: string;
  let stat: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  // The command name (field 2) may contain spaces and parentheses: count fields after its closing ")".
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return { atMs: performance.now(), rssBytes: kb('VmRSS'), hwmBytes: kb('VmHWM'), cpuMs: ((utime + stime) * 1000) / CLK_TCK };
}

export interface ProcUsage {
  /** Lifetime peak (VmHWM). */
  peakRssMb: number;
  /** Highest VmRSS sampled since start() or the last resetWindow(). */
  windowPeakRssMb: number;
  lastRssMb: number;
  cpuMs: number;
  wallMs: number;
  /** CPU time over wall time, in cores (1 = one core busy all the time). */
  cpuCores: number;
  samples: number;
}

const mb = (bytes: number) => Number((bytes / (1024 * 1024)).toFixed(1));

/** Polls /proc every `intervalMs` between start() and stop(); peak RSS is the kernel's VmHWM. */
export class ProcSampler {
  #timer: ReturnType<typeof setInterval> | undefined;
  #first: ProcSample | undefined;
  #last: ProcSample | undefined;
  #count = 0;
  #peakRss = 0;
  #windowPeak = 0;

  constructor(
    readonly pid: number,
    private readonly intervalMs = 250,
  ) {}

  start(): this {
    this.#first = this.#take();
    this.#timer = setInterval(() => this.#take(), this.intervalMs);
    this.#timer.unref();
    return this;
  }

  /** Usage since start() (or since `from`, a previous snapshot). */
  snapshot(): ProcUsage {
    this.#take();
    const first = this.#first;
    const last = this.#last;
    if (!first || !last) return { peakRssMb: 0, windowPeakRssMb: 0, lastRssMb: 0, cpuMs: 0, wallMs: 0, cpuCores: 0, samples: this.#count };
    const wallMs = last.atMs - first.atMs;
    const cpuMs = last.cpuMs - first.cpuMs;
    return {
      peakRssMb: mb(Math.max(this.#peakRss, last.hwmBytes)),
      windowPeakRssMb: mb(this.#windowPeak),
      lastRssMb: mb(last.rssBytes),
      cpuMs: Math.round(cpuMs),
      wallMs: Math.round(wallMs),
      cpuCores: wallMs > 0 ? Number((cpuMs / wallMs).toFixed(3)) : 0,
      samples: this.#count,
    };
  }

  /** Restart the CPU/wall window (peak RSS stays the process's lifetime peak). */
  resetWindow(): void {
    this.#windowPeak = 0;
    this.#first = this.#take() ?? this.#first;
  }

  stop(): ProcUsage {
    const usage = this.snapshot();
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    return usage;
  }

  #take(): ProcSample | undefined {
    const sample = readProc(this.pid);
    if (!sample) return undefined;
    this.#count++;
    this.#last = sample;
    this.#peakRss = Math.max(this.#peakRss, sample.hwmBytes, sample.rssBytes);
    this.#windowPeak = Math.max(this.#windowPeak, sample.rssBytes);
    return sample;
  }
}
