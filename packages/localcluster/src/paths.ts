// Where things live: the repository root, the per-user cache of binaries and the per-user state of CLI clusters.
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** Where provision.sh puts one Kubernetes version's commands (kube-apiserver, ..., kubectl). */
export function cachedBinDir(version: string, env: PathEnv = process.env): string {
  return join(cacheRoot(env), `kubernetes-v${version}`, 'bin');
}

/** Where provision.sh puts one etcd version. */
export function cachedEtcdDir(version: string, env: PathEnv = process.env): string {
  return join(cacheRoot(env), `etcd-v${version}`, 'bin');
}

/** Where the CLI keeps its clusters: $CAPSTAN_STATE_DIR, else <cache root>/clusters. */
export function clustersRoot(env: PathEnv & { CAPSTAN_STATE_DIR?: string | undefined } = process.env): string {
  return env.CAPSTAN_STATE_DIR || join(cacheRoot(env), 'clusters');
}

/** State of one cluster started by the CLI. */
export function clusterStateDir(name: string, env: PathEnv & { CAPSTAN_STATE_DIR?: string | undefined } = process.env): string {
  return join(clustersRoot(env), name);
}
