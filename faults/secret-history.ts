// The API server's own account of a namespace's Secrets (ADDED, DELETED), to prove none was created twice or lost.
import assert from 'node:assert/strict';
import type { KubeClient } from 'capstan';
import { watchChanges } from './watch-log.js';
import { SECRETS } from './workload.js';

/** ADDED and DELETED Secrets of a namespace as its watch reports them, from now (once it resolves) until stop(). */
export async function watchSecretHistory(
  client: KubeClient,
  namespace: string,
): Promise<{ added: Map<string, number>; deleted: string[]; stop(): void }> {
  const added = new Map<string, number>();
  const deleted: string[] = [];
  const watch = watchChanges(client, SECRETS, { namespace }, (type, obj) => {
    const name = obj.metadata.name ?? '';
    if (type === 'ADDED') added.set(name, (added.get(name) ?? 0) + 1);
    if (type === 'DELETED') deleted.push(name);
  });
  // Resolved once listed: a Secret created after this is seen ADDED (one made in between would be missed).
  await watch.ready;
  return { added, deleted, stop: () => watch.stop() };
}

/**
 * The store's account after a fault: exactly the `added` Secrets were created, each once (a retried write found its
 * own, never made a second), and exactly the `deleted` ones went, each once.
 */
export function assertStoreAccount(
  history: { added: Map<string, number>; deleted: string[] },
  expected: { added: readonly string[]; deleted: readonly string[] },
): void {
  assert.deepEqual([...history.added.keys()].sort(), [...expected.added].sort(), 'the Secrets created are exactly the missing ones');
  assert.deepEqual(
    [...history.added].filter(([, n]) => n > 1),
    [],
    'none created twice',
  );
  assert.deepEqual([...history.deleted].sort(), [...expected.deleted].sort(), 'only the deleted ones went, once');
}
