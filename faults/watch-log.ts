// The API server's own account of changes: a watch of one resource kept open (re-watched from the last version seen)
// until stopped, each event handed over as it arrives.
import type { KubeClient, KubeObject, ResourceRef } from 'capstan';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * Watches `ref` from now on; `onChange` runs synchronously for each change (a fault may be injected right there).
 * Await `ready` before making the changes to observe: "now" is the list's resourceVersion, fetched first.
 */
export function watchChanges<T extends KubeObject>(
  client: KubeClient,
  ref: ResourceRef,
  options: { namespace?: string; fieldSelector?: string },
  onChange: (type: ChangeType, obj: T) => void,
): { stop(): void; ready: Promise<void> } {
  const ac = new AbortController();
  let listed!: () => void;
  let failed!: (error: unknown) => void;
  const ready = new Promise<void>((resolve, reject) => ((listed = resolve), (failed = reject)));
  void (async () => {
    let resourceVersion: string | undefined;
    try {
      resourceVersion = (await client.list(ref, { ...options, limit: 1 })).metadata?.resourceVersion;
      listed();
    } catch (error) {
      failed(error);
      return;
    }
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
  return { stop: () => ac.abort(), ready };
}
