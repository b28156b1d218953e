// Runs an operator as its own process (node + tsx, as the repo's dev loop does) so its RSS and CPU are its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, operatorNodeFlags } from '@capstan/localcluster';
import { ProcSampler, readProc, type ProcUsage } from './proc-sampler.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export class OperatorProcessError extends Error {
  constructor(message: string, options: { cause?: unknown; logTail?: string } = {}) {
    super(options.logTail ? `${message}\n--- operator log (tail) ---\n${options.logTail}` : message, { cause: options.cause });
    this.name = 'OperatorProcessError';
  }
}

export interface OperatorProcessOptions {
  /** Entry file relative to the repo root, e.g. operators/agesecret/src/main.ts. */
  entry: string;
  /** Operator arguments; `--health-port` is added by the harness. */
  args: string[];
  /** Where stdout/stderr go (default: a temp file). */
  logFile?: string;
  sampleIntervalMs?: number;
}

export interface OperatorProcess {
  readonly pid: number;
  readonly healthPort: number;
  readonly logFile: string;
  readonly sampler: ProcSampler;
  /** Resolves once /readyz answers 200 (the operator listed and watches everything). */
  ready(timeoutMs: number): Promise<number>;
  /** GET a path of the health server (metrics, when the operator serves them). */
  fetch(path: string): Promise<{ status: number; body: string }>;
  usage(): ProcUsage;
  /** SIGTERM, then SIGKILL after the grace period; returns the final usage and exit code. */
  stop(graceMs?: number): Promise<{ usage: ProcUsage; exitCode: number | null }>;
}

function httpGet(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolveGet, reject) => {
    const req = get({ host: '127.0.0.1', port, path, timeout: 2000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolveGet({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('health request timed out')));
    req.on('error', reject);
  });
}

const tail = (file: string, lines = 20): string => {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
};

export async function startOperatorProcess(options: OperatorProcessOptions): Promise<OperatorProcess> {
  const healthPort = await freePort();
  const logFile = options.logFile ?? join(mkdtempSync(join(tmpdir(), 'capstan-bench-')), 'operator.log');
  const log = createWriteStream(logFile);
  await new Promise((r) => log.once('open', r));
  const child: ChildProcess = spawn(
    process.execPath,
    // The operator images' V8 flags (as the kubelet simulator plays them), so memory is measured as shipped.
    [...operatorNodeFlags, '--conditions=development', '--import', 'tsx', join(repoRoot, options.entry), ...options.args, '--health-port', String(healthPort)],
    { cwd: repoRoot, stdio: ['ignore', log, log] },
  );
  if (!child.pid) throw new OperatorProcessError(`cannot start ${options.entry}`);
  const pid = child.pid;
  let exitCode: number | null | undefined;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => { exitCode = code; r(code); }));
  const sampler = new ProcSampler(pid, options.sampleIntervalMs ?? 200).start();

  return {
    pid, healthPort, logFile, sampler,
    async ready(timeoutMs) {
      const started = performance.now();
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        if (exitCode !== undefined) throw new OperatorProcessError(`${options.entry} exited with ${exitCode} before it was ready`, { logTail: tail(logFile) });
        const answer = await httpGet(healthPort, '/readyz').catch(() => undefined);
        if (answer?.status === 200) return performance.now() - started;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new OperatorProcessError(`${options.entry} not ready within ${timeoutMs} ms`, { logTail: tail(logFile) });
    },
    fetch: (path) => httpGet(healthPort, path),
    usage: () => sampler.snapshot(),
    async stop(graceMs = 15_000) {
      const usage = sampler.stop();
      if (exitCode === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(timer);
      }
      log.end();
      return { usage, exitCode: exitCode ?? null };
    },
  };
}

/** The last lines of an operator's log, for error messages. */
export const logTail = tail;

/**
 * RSS of a process that only loads the operator's modules the same way (node + tsx) and idles: the fixed
 * cost of the runtime and the code, before any object is watched.
 */
export async function moduleBaselineRss(entry: string, timeoutMs = 60_000): Promise<number> {
  const url = new URL(`file://${join(repoRoot, entry)}`).href;
  const child = spawn(process.execPath, [
    '--conditions=development', '--import', 'tsx', '--input-type=module', '-e',
    `await import(${JSON.stringify(url)}); process.stdout.write('loaded\\n'); setInterval(() => {}, 60000);`,
  ], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
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
