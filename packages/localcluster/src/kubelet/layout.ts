// Where the simulated kubelet keeps each pod's files: container logs by pod name, pod roots by pod UID.
import { join } from 'node:path';

const safe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '_');

/** Logs are keyed by name so tests can find them without the UID; a re-created pod appends to the same file. */
export function podLogPath(clusterDir: string, namespace: string, pod: string, container: string): string {
  return join(clusterDir, 'pods', 'logs', `${safe(namespace)}_${safe(pod)}`, `${safe(container)}.log`);
}

/** The directory a pod's processes see as "/" for files (env CAPSTAN_POD_ROOT). */
export function podRootDir(clusterDir: string, namespace: string, pod: string, uid: string): string {
  return join(clusterDir, 'pods', 'roots', `${safe(namespace)}_${safe(pod)}_${safe(uid)}`);
}
