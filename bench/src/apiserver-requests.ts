// Counts of requests the API server served, by verb and resource (its own /metrics, read with kubectl).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kubectlPath } from '@capstan/localcluster';

const run = promisify(execFile);

export type RequestCounts = Record<string, number>;

/** Parses apiserver_request_total lines into "VERB resource[/subresource]" -> count (resource requests only). */
export function parseRequestCounts(metrics: string): RequestCounts {
  const out: RequestCounts = {};
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!labels['resource']) continue;
    const key = `${labels['verb']} ${labels['resource']}${labels['subresource'] ? `/${labels['subresource']}` : ''}`;
    out[key] = (out[key] ?? 0) + Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return out;
}

export async function requestCounts(kubeconfigPath: string): Promise<RequestCounts | undefined> {
  try {
    const { stdout } = await run(kubectlPath(kubeconfigPath), ['get', '--raw', '/metrics', '--kubeconfig', kubeconfigPath], {
      timeout: 30_000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return parseRequestCounts(stdout);
  } catch {
    return undefined;
  }
}

/** after - before, per object, for the keys that moved (e.g. { "POST secrets": 1, "GET secrets": 2.01 }). */
export function perObject(
  before: RequestCounts | undefined,
  after: RequestCounts | undefined,
  n: number,
): Record<string, number> | undefined {
  if (!before || !after || n <= 0) return undefined;
  const out: Record<string, number> = {};
  for (const [key, count] of Object.entries(after)) {
    const delta = count - (before[key] ?? 0);
    if (delta / n >= 0.005 && !key.startsWith('WATCH') && !key.includes('leases')) out[key] = Number((delta / n).toFixed(2));
  }
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
