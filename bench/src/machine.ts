// What a result was measured on: cores, memory, load, Node and Kubernetes versions, date.
import { execFile } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { promisify } from 'node:util';
import { locateBinaries, kubectlPath } from '@capstan/localcluster';

const run = promisify(execFile);

export interface MachineInfo {
  date: string;
  cores: number;
  cpuModel: string;
  memoryGb: number;
  /** 1-minute load average when the workload started: other work on this shared machine. */
  loadAverage1m: number;
  node: string;
  kubernetes: string;
}

/** The API server's version: from the running cluster (kubectl), else the local binary's --version. */
export async function kubernetesVersion(kubeconfigPath: string): Promise<string> {
  try {
    const { stdout } = await run(kubectlPath(kubeconfigPath), ['version', '-o', 'json', '--kubeconfig', kubeconfigPath], {
      timeout: 20_000,
    });
    const version = (JSON.parse(stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion;
    if (version) return version;
  } catch {
    // kubectl missing or version skew noise: fall back to the binary
  }
  const apiserver = locateBinaries().apiserver;
  if (!apiserver) return 'unknown';
  try {
    const { stdout } = await run(apiserver, ['--version'], { timeout: 20_000 });
    return stdout.trim().replace(/^Kubernetes\s+/, '');
  } catch {
    return 'unknown';
  }
}

export async function machineInfo(kubeconfigPath: string): Promise<MachineInfo> {
  return {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGb: Number((totalmem() / 1024 ** 3).toFixed(1)),
    loadAverage1m: Number((loadavg()[0] ?? 0).toFixed(2)),
    node: process.version,
    kubernetes: await kubernetesVersion(kubeconfigPath),
  };
}
