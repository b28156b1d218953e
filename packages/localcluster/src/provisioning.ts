// Finds kube-apiserver, kube-controller-manager and etcd: env overrides, then the per-user cache, else runs scripts/provision.sh.
import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { ProvisioningError } from './errors.js';
import { cachedBinDir, packageRoot } from './paths.js';

export interface Binaries {
  apiserver: string;
  controllerManager: string;
  etcd: string;
}

export interface BinaryEnv {
  CAPSTAN_KUBE_APISERVER?: string | undefined;
  CAPSTAN_KUBE_CONTROLLER_MANAGER?: string | undefined;
  CAPSTAN_ETCD?: string | undefined;
  CAPSTAN_CACHE_DIR?: string | undefined;
  XDG_CACHE_HOME?: string | undefined;
  PATH?: string | undefined;
}

export interface ResolveOptions {
  /** A directory holding kube-apiserver and kube-controller-manager (instead of the cache). */
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

function findOnPath(name: string, pathVar: string | undefined): string | undefined {
  for (const dir of (pathVar ?? '/usr/local/bin:/usr/bin:/bin').split(':')) {
    if (dir && executable(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** The binaries this cluster would use, without provisioning anything (undefined entries are missing). */
export function locateBinaries(options: ResolveOptions = {}): Partial<Binaries> {
  const env = options.env ?? process.env;
  const binDir = options.binDir ?? cachedBinDir(env);
  const pick = (override: string | undefined, fallback: string | undefined) =>
    override ? override : fallback && executable(fallback) ? fallback : undefined;
  return {
    apiserver: pick(env.CAPSTAN_KUBE_APISERVER, join(binDir, 'kube-apiserver')),
    controllerManager: pick(env.CAPSTAN_KUBE_CONTROLLER_MANAGER, join(binDir, 'kube-controller-manager')),
    etcd: pick(env.CAPSTAN_ETCD, findOnPath('etcd', env.PATH) ?? '/usr/bin/etcd'),
  };
}

/** Returns the binaries, building them once (a few minutes, progress sent to `log`) when the cache is empty. */
export async function resolveBinaries(options: ResolveOptions = {}): Promise<Binaries> {
  let found = locateBinaries(options);
  if (!found.apiserver || !found.controllerManager || !found.etcd) {
    if (options.binDir) {
      throw new ProvisioningError(`kube-apiserver/kube-controller-manager not found in ${options.binDir}`);
    }
    await runProvisionScript(options);
    found = locateBinaries(options);
  }
  const { apiserver, controllerManager, etcd } = found;
  if (!apiserver || !controllerManager || !etcd) {
    throw new ProvisioningError(
      `control-plane binaries still missing after provisioning (apiserver=${apiserver ?? '-'}, controller-manager=${controllerManager ?? '-'}, etcd=${etcd ?? '-'})`,
    );
  }
  for (const path of [apiserver, controllerManager, etcd]) {
    if (!executable(path)) throw new ProvisioningError(`not an executable file: ${path}`);
  }
  return { apiserver, controllerManager, etcd };
}

async function runProvisionScript(options: ResolveOptions): Promise<void> {
  const log = options.log ?? (() => {});
  const script = join(packageRoot, 'scripts', 'provision.sh');
  log(`control-plane binaries missing: running ${script} (one time)`);
  const child = spawn('bash', [script], { env: { ...process.env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
