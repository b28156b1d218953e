// Operators as their own processes (capstan/testing's harness, sampled) and the bare cost of loading their modules.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, operatorNodeFlags } from '@capstan/localcluster';
import { OperatorProcess, OperatorProcessError } from 'capstan/testing';
import { ProcSampler, readProc, type ProcUsage } from './proc-sampler.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface OperatorProcessOptions {
  /** Entry file relative to the repo root, e.g. operators/agesecret/src/main.ts. */
  entry: string;
  /** Run the compiled entry (dist/…/x.js, as the images do) instead of the TypeScript source through tsx. */
  compiled?: boolean | undefined;
  /** Write a V8 CPU profile into this directory when the process exits (node --cpu-prof). */
  cpuProfDir?: string | undefined;
  /** Operator arguments; `--health-port` is added by the harness. */
  args: string[];
  /** Where stdout/stderr go (default: a temp file). */
  logFile?: string;
  sampleIntervalMs?: number;
}

/** capstan/testing's operator process, sampled: its RSS and CPU are its own. */
export interface BenchOperator {
  readonly pid: number;
  readonly sampler: ProcSampler;
  /** Resolves with the time it took once /readyz answers 200 (the operator listed and watches everything). */
  ready(timeoutMs: number): Promise<number>;
  /** GET a path of the health server (metrics, when the operator serves them). */
  fetch(path: string): Promise<{ status: number; text: string }>;
  usage(): ProcUsage;
  /** SIGTERM, then SIGKILL after the grace period; returns the final usage and exit code. */
  stop(graceMs?: number): Promise<{ usage: ProcUsage; exitCode: number | null }>;
}

/**
 * The file to run for an entry: its source, or what `npm run build` compiled from it (`src/x.ts` -> `dist/x.js`),
 * which is what the images run: no TypeScript loader in the process, so CPU and memory are the shipped ones.
 */
export function entryFile(entry: string, compiled: boolean | undefined): string {
  if (!compiled) return join(repoRoot, entry);
  const built = join(repoRoot, entry.replace('/src/', '/dist/').replace(/\.ts$/, '.js'));
  if (!existsSync(built)) throw new OperatorProcessError(`${entry} is not built (${built} is missing): run npm run build`);
  return built;
}

export async function startOperatorProcess(options: OperatorProcessOptions): Promise<BenchOperator> {
  const healthPort = await freePort();
  const proc = new OperatorProcess({
    name: options.entry,
    program: entryFile(options.entry, options.compiled),
    args: [...options.args, '--health-port', String(healthPort)],
    cwd: repoRoot,
    logFile: options.logFile ?? join(mkdtempSync(join(tmpdir(), 'capstan-bench-')), 'operator.log'),
    // The operator images' V8 flags (as the kubelet simulator plays them), so memory is measured as shipped.
    nodeFlags: options.cpuProfDir ? [...operatorNodeFlags, '--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : operatorNodeFlags,
    healthPort,
  });
  await proc.start();
  const sampler = new ProcSampler(proc.pid, options.sampleIntervalMs ?? 200).start();
  return {
    pid: proc.pid,
    sampler,
    ready: (timeoutMs) => proc.ready(timeoutMs),
    fetch: (path) => proc.fetch(path),
    usage: () => sampler.snapshot(),
    async stop(graceMs = 15_000) {
      const usage = sampler.stop();
      const exit = await proc.stop(graceMs);
      return { usage, exitCode: exit.code };
    },
  };
}

/**
 * RSS of a process that only loads the operator's modules the same way (compiled, or node + tsx, with the
 * images' node flags) and idles: the fixed cost of the runtime and the code, before any object is watched.
 */
export async function moduleBaselineRss(
  entry: string,
  options: { compiled?: boolean | undefined; timeoutMs?: number } = {},
): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const url = new URL(`file://${entryFile(entry, options.compiled)}`).href;
  const loader = options.compiled ? [] : ['--conditions=development', '--import', 'tsx'];
  const child = spawn(
    process.execPath,
    [
      ...operatorNodeFlags,
      ...loader,
      '--input-type=module',
      '-e',
      `await import(${JSON.stringify(url)}); process.stdout.write('loaded\\n'); setInterval(() => {}, 60000);`,
    ],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] },
  );
  try {
    await new Promise<void>((resolveLoaded, reject) => {
      const timer = setTimeout(() => reject(new OperatorProcessError(`${entry} did not load within ${timeoutMs} ms`)), timeoutMs);
      child.stdout!.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('loaded')) {
          clearTimeout(timer);
          resolveLoaded();
        }
      });
      child.once('exit', (code) => reject(new OperatorProcessError(`${entry} exited with ${code} while loading`)));
    });
    const sample = readProc(child.pid!);
    return sample ? Number((sample.rssBytes / (1024 * 1024)).toFixed(1)) : 0;
  } finally {
    child.kill('SIGKILL');
  }
}
