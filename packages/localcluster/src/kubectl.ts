// Runs the cluster's own kubectl (its version matches the server) with a fresh discovery cache, for tests and tools that create CRDs as they go.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readClusterInfo } from './cluster-file.js';
import { locateBinaries } from './provisioning.js';

/** Options of `kubectl()`: input on stdin and a timeout. */
export interface KubectlOptions {
  /** Written to kubectl's standard input (for `apply -f -`). */
  input?: string;
  /** Kill kubectl after this long. Default 60 s. */
  timeoutMs?: number;
}

/** A kubectl run that failed or answered no (`auth can-i` exits 1): its output stays readable. */
export class KubectlError extends Error {
  /** What kubectl wrote to standard output. */
  readonly stdout: string;
  /** What kubectl wrote to standard error. */
  readonly stderr: string;
  /** kubectl's exit code; undefined when it exited without one (killed, timed out, or not started). */
  readonly exitCode: number | undefined;
  constructor(init: { args: readonly string[]; stdout: string; stderr: string; exitCode: number | undefined; cause: unknown }) {
    super(`kubectl ${init.args[0] ?? ''} exited ${init.exitCode ?? 'abnormally'}: ${init.stderr.trim().slice(0, 2000)}`, {
      cause: init.cause,
    });
    this.name = 'KubectlError';
    this.stdout = init.stdout;
    this.stderr = init.stderr;
    this.exitCode = init.exitCode;
  }
}

/**
 * The kubectl to talk to this cluster with: a local cluster's own (built with the server, so no version skew),
 * else the default version's from the cache, else the one on the PATH (an existing cluster brings its own).
 */
export function kubectlPath(kubeconfigPath?: string): string {
  const own = kubeconfigPath ? readClusterInfo(kubeconfigPath)?.kubectl : undefined;
  if (own) return own;
  try {
    return locateBinaries().kubectl ?? 'kubectl';
  } catch {
    return 'kubectl';
  }
}

/**
 * kubectl keeps discovery on disk for hours and `kubectl explain` does not refresh it when a resource is
 * missing, so a CRD created after an earlier call (by any process sharing ~/.kube/cache) stays invisible
 * to it. A private cache per call costs one discovery round-trip against a local server and removes the
 * cross-talk between test files.
 */
export async function kubectl(kubeconfigPath: string, args: readonly string[], options: KubectlOptions = {}): Promise<string> {
  const cacheDir = await mkdtemp(join(tmpdir(), 'capstan-kubectl-'));
  try {
    return await new Promise<string>((resolve, reject) => {
      const child = execFile(
        kubectlPath(kubeconfigPath),
        ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, ...args],
        {
          timeout: options.timeoutMs ?? 60_000,
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          if (error)
            reject(
              new KubectlError({ args, stdout, stderr, exitCode: typeof error.code === 'number' ? error.code : undefined, cause: error }),
            );
          else resolve(stdout);
        },
      );
      if (options.input !== undefined) child.stdin?.end(options.input);
    });
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
