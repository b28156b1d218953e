// The soak's readings every few seconds: each operator's RSS and open descriptors (/proc), its event-loop lag (its
// own /metrics) and the API server's request rate (the API server's /metrics counters).
import { readdirSync } from 'node:fs';
import { readProc } from '../bench/src/proc-sampler.js';
import { requestCounts, type RequestCounts } from '../bench/src/apiserver-requests.js';

/** A process the soak watches: its pid now (it may be restarted) and its /metrics text. */
export interface Watched {
  name: string;
  pid(): number;
  metrics(): Promise<string | undefined>;
}

/** One operator at one instant; undefined fields were unreadable then (process gone, probe timed out). */
export interface OperatorReading {
  rssMb?: number;
  fds?: number;
  /** p99 of the event-loop delay since the previous scrape (prom-client resets its histogram at each scrape). */
  lagP99Ms?: number;
}

export interface SoakSample {
  /** Since the soak started. */
  atMs: number;
  operators: Record<string, OperatorReading>;
  /** Requests per second the API server served since the previous sample (watches not counted). */
  apiPerSec?: number;
}

/** Open file descriptors of a process (entries of /proc/<pid>/fd); undefined once it is gone. */
export function openFds(pid: number): number | undefined {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return undefined;
  }
}

/** The p99 event-loop delay in ms from a Prometheus exposition (any prefix, e.g. capstan_nodejs_eventloop_lag_p99_seconds). */
export function eventLoopLagP99Ms(metrics: string): number | undefined {
  const m = /^\w*nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})? (\S+)$/m.exec(metrics);
  const seconds = m ? Number(m[1]) : NaN;
  return Number.isFinite(seconds) ? Number((seconds * 1000).toFixed(2)) : undefined;
}

/** All requests but watches (long-running: counted once per stream, not per event). */
export function nonWatchTotal(counts: RequestCounts): number {
  return Object.entries(counts)
    .filter(([key]) => !key.startsWith('WATCH'))
    .reduce((sum, [, n]) => sum + n, 0);
}

/** Reads everything every `intervalMs` (a measuring cadence, not a wait) until stop(); readings never throw. */
export class SoakSampler {
  readonly samples: SoakSample[] = [];
  #started = performance.now();
  #stopped = false;
  #loop: Promise<void> | undefined;
  #lastApi: { atMs: number; total: number } | undefined;

  constructor(
    private readonly watched: readonly Watched[],
    private readonly kubeconfigPath: string,
    private readonly intervalMs: number,
  ) {}

  start(): this {
    this.#started = performance.now();
    this.#loop = this.#run();
    return this;
  }

  async stop(): Promise<SoakSample[]> {
    this.#stopped = true;
    await this.#loop;
    return this.samples;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      const due = performance.now() + this.intervalMs;
      this.samples.push(await this.#take());
      const wait = due - performance.now();
      if (wait > 0 && !this.#stopped) await new Promise((resolve) => setTimeout(resolve, wait));
    }
  }

  async #take(): Promise<SoakSample> {
    const atMs = Math.round(performance.now() - this.#started);
    const [counts, ...readings] = await Promise.all([
      requestCounts(this.kubeconfigPath),
      ...this.watched.map(async (w): Promise<[string, OperatorReading]> => {
        const pid = w.pid();
        const proc = pid > 0 ? readProc(pid) : undefined;
        const fds = pid > 0 ? openFds(pid) : undefined;
        const text = await w.metrics().catch(() => undefined);
        const lag = text ? eventLoopLagP99Ms(text) : undefined;
        return [
          w.name,
          {
            ...(proc ? { rssMb: Number((proc.rssBytes / 1048576).toFixed(1)) } : {}),
            ...(fds !== undefined ? { fds } : {}),
            ...(lag !== undefined ? { lagP99Ms: lag } : {}),
          },
        ];
      }),
    ]);
    let apiPerSec: number | undefined;
    if (counts) {
      const total = nonWatchTotal(counts);
      if (this.#lastApi && atMs > this.#lastApi.atMs)
        apiPerSec = Number((((total - this.#lastApi.total) * 1000) / (atMs - this.#lastApi.atMs)).toFixed(2));
      this.#lastApi = { atMs, total };
    }
    return { atMs, operators: Object.fromEntries(readings), ...(apiPerSec !== undefined ? { apiPerSec } : {}) };
  }
}

/** The run's figures and its samples as JSON, one sample a line (a 30-minute soak has 360). */
export function soakJson(head: Record<string, unknown>, samples: readonly SoakSample[]): string {
  const lines = samples.map((s) => `  ${JSON.stringify(s)}`).join(',\n');
  const text = JSON.stringify({ ...head, samples: '@samples@' }, null, 1);
  return `${text.replace('"@samples@"', samples.length ? `[\n${lines}\n ]` : '[]')}\n`;
}
