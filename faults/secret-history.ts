// The API server's own account of a namespace's Secrets (ADDED, DELETED), to prove none was created twice or lost.
import type { KubeClient } from 'capstan';
import { SECRETS } from './workload.js';

/** ADDED and DELETED Secrets of a namespace as its watch reports them, from now until stop(). */
export function watchSecretHistory(client: KubeClient, namespace: string): { added: Map<string, number>; deleted: string[]; stop(): void } {
  const added = new Map<string, number>();
  const deleted: string[] = [];
  const ac = new AbortController();
  void (async () => {
    let resourceVersion: string | undefined = (await client.list(SECRETS, { namespace, limit: 1 })).metadata?.resourceVersion;
    while (!ac.signal.aborted) {
      try {
        for await (const e of client.watch(SECRETS, { namespace, resourceVersion, signal: ac.signal })) {
          resourceVersion = e.object.metadata.resourceVersion ?? resourceVersion;
          const name = e.object.metadata.name ?? '';
          if (e.type === 'ADDED') added.set(name, (added.get(name) ?? 0) + 1);
          if (e.type === 'DELETED') deleted.push(name);
        }
      } catch {
        if (!ac.signal.aborted) await new Promise((r) => setTimeout(r, 200)); // re-watch from the last version seen
      }
    }
  })();
  return { added, deleted, stop: () => ac.abort() };
}
