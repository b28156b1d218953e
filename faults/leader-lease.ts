// The AgeSecret operator's leader Lease and what a replica's log and /metrics say about its leadership.
import type { KubeClient, KubeObject } from 'capstan';
import type { OperatorProcess } from 'capstan/testing';
import { AGESECRET_NS } from './rig.js';

export const LEASES = { group: 'coordination.k8s.io', version: 'v1', plural: 'leases' } as const;
export const LEASE = 'agesecret-operator'; // the operator's --lease-name default, as in deploy/agesecret's Role

export interface LeaseSpec {
  holderIdentity?: string;
  leaseDurationSeconds?: number;
  acquireTime?: string;
  renewTime?: string;
}

/** The Lease's spec as the API server has it now (undefined before anyone took it). */
export async function readLease(client: KubeClient): Promise<LeaseSpec | undefined> {
  return (await client.tryGet<KubeObject & { spec?: LeaseSpec }>(LEASES, { namespace: AGESECRET_NS, name: LEASE }))?.spec;
}

/** Which of the replicas holds the Lease (their identities start with their process names). */
export async function leaderAmong(client: KubeClient, replicas: OperatorProcess[]): Promise<OperatorProcess | undefined> {
  const holder = (await readLease(client))?.holderIdentity ?? '';
  return replicas.find((r) => holder.startsWith(`${r.options.name}-`));
}

/** The times (ms since the epoch) of a replica's JSON log lines with this message, from `since` on. */
export function loggedAt(proc: OperatorProcess, msg: string, since = 0): number[] {
  const times: number[] = [];
  for (const line of proc.log().split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try {
      const at = Date.parse((JSON.parse(line) as { time?: string }).time ?? '');
      if (at >= since) times.push(at);
    } catch {
      // a line of another shape (a stack trace): not an entry
    }
  }
  return times;
}

/** The replica's leader gauge from its /metrics: 1 leading, 0 not; undefined when it does not answer. */
export async function leaderGauge(proc: OperatorProcess): Promise<number | undefined> {
  const res = await proc.fetch('/metrics').catch(() => undefined);
  const value = res && /^\w*leader_status(?:\{[^}]*\})? (\d)/m.exec(res.text)?.[1];
  return value === undefined || value === null ? undefined : Number(value);
}
