// CPU time of the local control plane's processes (kube-apiserver, etcd), found by their data directory.
import { readdirSync, readFileSync } from 'node:fs';
import { readProc } from './proc-sampler.js';

export interface ControlPlaneCpu {
  apiserverMs: number;
  etcdMs: number;
}

/** pids of kube-apiserver and etcd whose command line mentions the cluster's directory. */
export function controlPlanePids(clusterDir: string): { apiserver: number[]; etcd: number[] } {
  const out = { apiserver: [] as number[], etcd: [] as number[] };
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').replaceAll('\0', ' ');
    } catch {
      continue;
    }
    if (!cmdline.includes(clusterDir)) continue;
    if (/(^|\/)kube-apiserver /.test(cmdline)) out.apiserver.push(Number(name));
    else if (/(^|\/)etcd /.test(cmdline)) out.etcd.push(Number(name));
  }
  return out;
}

/** A reading of their cumulative CPU; undefined when the cluster is not local (no directory, no pids). */
export function readControlPlaneCpu(clusterDir: string | undefined): ControlPlaneCpu | undefined {
  if (!clusterDir) return undefined;
  const pids = controlPlanePids(clusterDir);
  if (!pids.apiserver.length) return undefined;
  const sum = (list: number[]) => list.reduce((acc, pid) => acc + (readProc(pid)?.cpuMs ?? 0), 0);
  return { apiserverMs: sum(pids.apiserver), etcdMs: sum(pids.etcd) };
}

/** CPU ms per object spent by the API server and etcd between two readings. */
export function cpuPerObject(
  before: ControlPlaneCpu | undefined,
  after: ControlPlaneCpu | undefined,
  n: number,
): ControlPlaneCpu | undefined {
  if (!before || !after || n <= 0) return undefined;
  return {
    apiserverMs: Number(((after.apiserverMs - before.apiserverMs) / n).toFixed(2)),
    etcdMs: Number(((after.etcdMs - before.etcdMs) / n).toFixed(2)),
  };
}
