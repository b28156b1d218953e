// The API server's own account of changes: a watch of one resource kept open (re-watched from the last version seen)
// until stopped, each event handed over as it arrives.
import type { KubeClient, KubeObject, ResourceRef } from 'capstan';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** Watches `ref` from now on; `onChange` runs synchronously for each change (a fault may be injected right there). */
export function watchChanges<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  options: { namespace?: string; fieldSelector?: string },
  onChange: (type: ChangeType, obj: T) => void,
): { stop(): void } {
  const ac = new AbortController();
  void (async () => {
    let resourceVersion: string | undefined = (await client.list(ref, { ...options, limit: 1 })).metadata?.resourceVersion;
    while (!ac.signal.aborted) {
      try {
        for await (const e of client.watch<T>(ref, { ...options, resourceVersion, signal: ac.signal })) {
          resourceVersion = e.object.metadata.resourceVersion ?? resourceVersion;
          if (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED') onChange(e.type, e.object);
        }
      } catch {
        if (!ac.signal.aborted) await new Promise((r) => setTimeout(r, 200)); // re-watch from the last version seen
      }
    }
  })();
  return { stop: () => ac.abort() };
}
