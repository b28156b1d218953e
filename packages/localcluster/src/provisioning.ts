// Finds the control-plane commands of one Kubernetes version and etcd: env overrides, then the per-user cache, else runs scripts/provision.sh.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ProvisioningError } from './errors.js';
import { cachedBinDir, cachedEtcdDir, packageRoot } from './paths.js';
import { ETCD_VERSION, resolveKubernetesVersion } from './versions.js';

/** Paths of the control-plane binaries of one Kubernetes version (built once from Go modules, cached). */
export interface Binaries {
  /** The Kubernetes version these commands were built as ("1.37.2"). */
  kubernetesVersion: string;
  /** Path of kube-apiserver. */
  apiserver: string;
  /** Path of kube-controller-manager. */
  controllerManager: string;
  /** Path of kube-scheduler. */
  scheduler: string;
  /** Path of kubectl, of the same version as the server. */
  kubectl: string;
  /** Path of etcd. */
  etcd: string;
}

export interface BinaryEnv {
  CAPSTAN_KUBE_APISERVER?: string | undefined;
  CAPSTAN_KUBE_CONTROLLER_MANAGER?: string | undefined;
  CAPSTAN_KUBE_SCHEDULER?: string | undefined;
  CAPSTAN_KUBECTL?: string | undefined;
  CAPSTAN_ETCD?: string | undefined;
  CAPSTAN_CACHE_DIR?: string | undefined;
  XDG_CACHE_HOME?: string | undefined;
  PATH?: string | undefined;
}

export interface ResolveOptions {
  /** "1.35", "1.37.2", ... (default: the newest supported release). */
  kubernetesVersion?: string | undefined;
  /** A directory holding the Kubernetes commands (instead of the cache; never provisioned into). */
  binDir?: string | undefined;
  env?: BinaryEnv;
  log?: (line: string) => void;
}

const executable = (path: string): boolean => {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};

/** The binaries this cluster would use, without provisioning anything (undefined entries are missing). */
export function locateBinaries(options: ResolveOptions = {}): Partial<Binaries> & {
  /** The Kubernetes version looked for ("1.37.2"). */
  kubernetesVersion: string;
} {
  const env = options.env ?? process.env;
  const kubernetesVersion = resolveKubernetesVersion(options.kubernetesVersion);
  const binDir = options.binDir ?? cachedBinDir(kubernetesVersion, env);
  const pick = (override: string | undefined, fallback: string) => (override ? override : executable(fallback) ? fallback : undefined);
  return {
    kubernetesVersion,
    apiserver: pick(env.CAPSTAN_KUBE_APISERVER, join(binDir, 'kube-apiserver')),
    controllerManager: pick(env.CAPSTAN_KUBE_CONTROLLER_MANAGER, join(binDir, 'kube-controller-manager')),
    scheduler: pick(env.CAPSTAN_KUBE_SCHEDULER, join(binDir, 'kube-scheduler')),
    kubectl: pick(env.CAPSTAN_KUBECTL, join(binDir, 'kubectl')),
    etcd: pick(env.CAPSTAN_ETCD, join(cachedEtcdDir(ETCD_VERSION, env), 'etcd')),
  };
}

const missing = (found: Partial<Binaries>): string[] =>
  (['apiserver', 'controllerManager', 'scheduler', 'kubectl', 'etcd'] as const).filter((k) => !found[k]);

/** Returns the binaries, building them once (10-25 minutes cold, progress sent to `log`) when the cache lacks them. */
export async function resolveBinaries(options: ResolveOptions = {}): Promise<Binaries> {
  let found = locateBinaries(options);
  if (missing(found).length) {
    if (options.binDir) {
      throw new ProvisioningError(`${missing(found).join(', ')} not found in ${options.binDir}`);
    }
    await runProvisionScript(found.kubernetesVersion, options);
    found = locateBinaries(options);
  }
  const { kubernetesVersion, apiserver, controllerManager, scheduler, kubectl, etcd } = found;
  if (!apiserver || !controllerManager || !scheduler || !kubectl || !etcd) {
    throw new ProvisioningError(`control-plane binaries still missing after provisioning: ${missing(found).join(', ')}`);
  }
  for (const path of [apiserver, controllerManager, scheduler, kubectl, etcd]) {
    if (!executable(path)) throw new ProvisioningError(`not an executable file: ${path}`);
  }
  return { kubernetesVersion, apiserver, controllerManager, scheduler, kubectl, etcd };
}

async function runProvisionScript(kubernetesVersion: string, options: ResolveOptions): Promise<void> {
  const log = options.log ?? (() => {});
  const script = join(packageRoot, 'scripts', 'provision.sh');
  log(`Kubernetes v${kubernetesVersion} or etcd v${ETCD_VERSION} not built yet: running ${script} (one time)`);
  const child = spawn('bash', [script, '--kubernetes', kubernetesVersion, '--etcd', ETCD_VERSION], {
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  const onLine = (line: string) => {
    tail.push(line);
    if (tail.length > 40) tail.shift();
    // The build itself is noisy: only the script's own progress lines are worth showing.
    if (line.startsWith('[localcluster] ')) log(line.slice('[localcluster] '.length));
  };
  createInterface({ input: child.stdout }).on('line', onLine);
  createInterface({ input: child.stderr }).on('line', onLine);
  const code = await new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 128 : 1)));
  }).catch((cause: unknown) => {
    throw new ProvisioningError(`could not run ${script}`, { cause });
  });
  if (code !== 0) {
    throw new ProvisioningError(`${script} failed with exit code ${code}; last output:\n${tail.join('\n')}`);
  }
}
