// Where things live: the repository root, the per-user cache of binaries and the per-user state of CLI clusters.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KUBERNETES_VERSION = '1.20.2';

/** packages/localcluster (works from src/ and from dist/). */
export const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** The monorepo root, where the project's own apps and operators live. */
export const repoRoot = resolve(packageRoot, '..', '..');

export interface PathEnv {
  CAPSTAN_CACHE_DIR?: string | undefined;
  XDG_CACHE_HOME?: string | undefined;
}

/** Same rule as scripts/provision.sh: $CAPSTAN_CACHE_DIR, else $XDG_CACHE_HOME/capstan, else ~/.cache/capstan. */
export function cacheRoot(env: PathEnv = process.env): string {
  if (env.CAPSTAN_CACHE_DIR) return env.CAPSTAN_CACHE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'capstan');
}

export function cachedBinDir(env: PathEnv = process.env): string {
  return join(cacheRoot(env), `kubernetes-v${KUBERNETES_VERSION}`, 'bin');
}

/** State of the clusters started by the CLI: one directory per cluster name. */
export function clusterStateDir(name: string, env: PathEnv = process.env): string {
  return join(cacheRoot(env), 'clusters', name);
}
