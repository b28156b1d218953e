// `capstan cluster up | down | status | kubeconfig | kubectl`: background local clusters by name, state in ~/.cache/capstan/clusters/<name>.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { readClusterInfo } from './cluster-file.js';
import { runImagesCommand } from './images/images-cli.js';
import { kubectlPath } from './kubectl.js';
import { clusterStateDir, clustersRoot } from './paths.js';
import { resolveBinaries } from './provisioning.js';
import { isAlive, readSupervisorStatus, spawnSupervisor } from './supervisor.js';
import { resolveKubernetesVersion, SUPPORTED_KUBERNETES } from './versions.js';

const USAGE = `usage: capstan cluster <command> [--name NAME]

  up [--kubernetes X.Y] [--no-kubelet] [--images]
                      start a local control plane in the background; prints the kubeconfig path. Each Kubernetes
                      version is built once from Go modules (10-25 minutes on 2 cores), then starts in seconds.
                      --images: containers of images in the local image store run from them with runc (root)
  images build | list build the bake file's images with buildah into the local image store (capstan cluster images -h)
  down                stop it and remove its state
  status              say whether it runs, where, its version, kubeconfig and kubectl
  kubeconfig          print the kubeconfig path (kubectl --kubeconfig "$(capstan cluster kubeconfig)" get ns)
  provision [--kubernetes X.Y]
                      build a version now (once; cached) without starting anything: for CI images and slow machines
  kubectl ARGS...     run the cluster's own kubectl (same version as the server) against it; also: capstan kubectl ARGS...
  list                list the clusters that have state

--kubernetes: a supported minor, ${Object.keys(SUPPORTED_KUBERNETES).join(', ')} (default ${Object.keys(SUPPORTED_KUBERNETES).at(-1)}).
NAME defaults to "default"; state lives in ${clusterStateDir('<name>')}.`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

const defaultIo: Io = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };

/** Running cluster: its supervisor pid and kubeconfig path; undefined when not running. */
function running(name: string): { pid: number; kubeconfigPath: string; dir: string } | undefined {
  const dir = clusterStateDir(name);
  const status = readSupervisorStatus(dir);
  if (status?.state !== 'ready' || !status.kubeconfigPath || !isAlive(status.pid)) return undefined;
  return { pid: status.pid, kubeconfigPath: status.kubeconfigPath, dir };
}

/** The `capstan cluster` / `capstan-localcluster` command line: up, down, status, kubeconfig, kubectl; resolves to the exit code. */
export async function runClusterCommand(argv: string[], io: Io = defaultIo): Promise<number> {
  if (argv[0] === 'images') return runImagesCommand(argv.slice(1), io);
  const kubectlCall = splitKubectlArgs(argv);
  if (kubectlCall) return runKubectl(kubectlCall.name, kubectlCall.args, io);
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        name: { type: 'string', default: 'default' },
        'no-kubelet': { type: 'boolean', default: false },
        images: { type: 'boolean', default: false },
        kubernetes: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    io.err(`capstan cluster: ${(err as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || command === 'help') {
    io.out(USAGE);
    return 0;
  }
  if (!command || extra.length) {
    io.err(`capstan cluster: ${command ? `unexpected argument "${extra[0]}"` : 'missing command'}\n${USAGE}`);
    return 2;
  }
  const name = values.name;
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(name)) {
    io.err(`capstan cluster: invalid --name "${name}" (lowercase letters, digits and dashes)`);
    return 2;
  }
  switch (command) {
    case 'up':
    case 'provision': {
      let kubernetesVersion: string;
      try {
        kubernetesVersion = resolveKubernetesVersion(values.kubernetes);
      } catch (err) {
        io.err(`capstan cluster: ${(err as Error).message}`);
        return 2;
      }
      if (command === 'provision') return provision(kubernetesVersion, io);
      return up(name, { kubelet: !values['no-kubelet'], kubernetesVersion, ...(values.images ? { imageRuntime: true } : {}) }, io);
    }
    case 'down':
      return down(name, io);
    case 'status':
      return status(name, io);
    case 'kubeconfig': {
      const r = running(name);
      if (!r) {
        io.err(
          `capstan cluster: cluster "${name}" is not running (start it with: capstan cluster up${name === 'default' ? '' : ` --name ${name}`})`,
        );
        return 1;
      }
      io.out(r.kubeconfigPath);
      return 0;
    }
    case 'list': {
      const root = clustersRoot();
      const names = existsSync(root) ? readdirSync(root) : [];
      for (const n of names) io.out(`${n}\t${running(n) ? 'running' : 'stopped'}`);
      return 0;
    }
    default:
      io.err(`capstan cluster: unknown command "${command}"\n${USAGE}`);
      return 2;
  }
}

async function up(name: string, options: { kubelet: boolean; kubernetesVersion: string; imageRuntime?: boolean }, io: Io): Promise<number> {
  const existing = running(name);
  if (existing) {
    io.err(`cluster "${name}" is already running (pid ${existing.pid})`);
    io.out(existing.kubeconfigPath);
    return 0;
  }
  const dir = clusterStateDir(name);
  const stale = readSupervisorStatus(dir);
  if (stale && isAlive(stale.pid) && stale.state === 'starting') {
    io.err(`cluster "${name}" is starting (pid ${stale.pid}); try again shortly or run: capstan cluster down --name ${name}`);
    return 1;
  }
  rmSync(dir, { recursive: true, force: true }); // leftovers of a cluster that died
  try {
    const supervisor = await spawnSupervisor({
      dataDir: dir,
      name: `capstan-${name}`,
      detached: true,
      ...options,
      log: (line) => io.err(line),
    });
    io.err(
      `cluster "${name}" is running in the background (pid ${supervisor.pid}); stop it with: capstan cluster down${name === 'default' ? '' : ` --name ${name}`}`,
    );
    io.out(supervisor.kubeconfigPath);
    return 0;
  } catch (err) {
    io.err(`capstan cluster up: ${(err as Error).message}`);
    return 1;
  }
}

async function provision(kubernetesVersion: string, io: Io): Promise<number> {
  try {
    const binaries = await resolveBinaries({ kubernetesVersion, log: (line) => io.err(line) });
    io.err(`Kubernetes v${binaries.kubernetesVersion} ready to start`);
    io.out(dirname(binaries.apiserver));
    return 0;
  } catch (err) {
    io.err(`capstan cluster provision: ${(err as Error).message}`);
    return 1;
  }
}

async function down(name: string, io: Io): Promise<number> {
  const dir = clusterStateDir(name);
  const status = readSupervisorStatus(dir);
  if (status && isAlive(status.pid)) {
    process.kill(status.pid, 'SIGTERM');
    const deadline = Date.now() + 60_000;
    while (isAlive(status.pid) && Date.now() < deadline) await delay(100);
    if (isAlive(status.pid)) {
      io.err(`capstan cluster down: pid ${status.pid} did not stop in 60 s; killing it`);
      process.kill(status.pid, 'SIGKILL');
    }
    rmSync(dir, { recursive: true, force: true });
    io.err(`cluster "${name}" stopped`);
    return 0;
  }
  rmSync(dir, { recursive: true, force: true });
  io.err(`cluster "${name}" is not running`);
  return 0;
}

function status(name: string, io: Io): number {
  const r = running(name);
  if (!r) {
    io.out(`cluster "${name}": not running`);
    return 1;
  }
  const info = readClusterInfo(r.kubeconfigPath);
  io.out(`cluster "${name}": running (pid ${r.pid})`);
  io.out(`  server:     ${info?.server ?? '?'} (Kubernetes v${info?.kubernetesVersion ?? '?'})`);
  io.out(`  kubeconfig: ${r.kubeconfigPath}`);
  io.out(`  kubectl:    ${kubectlPath(r.kubeconfigPath)}`);
  io.out(`  state:      ${r.dir}`);
  io.out(`  kubelet:    ${info?.simulatedKubelet ? `simulated (node ${info.nodeName})` : 'none'}`);
  return 0;
}

/**
 * `[--name N] kubectl [--name N] ARGS...` -> the cluster name and kubectl's arguments, untouched: kubectl's own
 * flags are not ours to parse. undefined when this is not a kubectl call.
 */
export function splitKubectlArgs(argv: readonly string[]): { name: string; args: string[] } | undefined {
  let name = 'default';
  let rest = [...argv];
  const takeName = () => {
    if (rest[0] === '--name' && rest.length > 1) {
      name = rest[1] as string;
      rest = rest.slice(2);
    } else if (rest[0]?.startsWith('--name=')) {
      name = rest[0].slice('--name='.length);
      rest = rest.slice(1);
    }
  };
  takeName();
  if (rest[0] !== 'kubectl') return undefined;
  rest = rest.slice(1);
  takeName();
  return { name, args: rest };
}

/** The cluster's own kubectl with its kubeconfig; stdin/stdout/stderr are the caller's, the exit code kubectl's. */
async function runKubectl(name: string, args: string[], io: Io): Promise<number> {
  const r = running(name);
  if (!r) {
    io.err(
      `capstan kubectl: cluster "${name}" is not running (start it with: capstan cluster up${name === 'default' ? '' : ` --name ${name}`})`,
    );
    return 1;
  }
  const child = spawn(kubectlPath(r.kubeconfigPath), ['--kubeconfig', r.kubeconfigPath, ...args], { stdio: 'inherit' });
  return new Promise<number>((resolve) => {
    child.on('error', (err) => {
      io.err(`capstan kubectl: ${err.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 128 : 1)));
  });
}
