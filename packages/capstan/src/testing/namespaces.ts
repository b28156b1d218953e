// Unique throw-away namespaces for cluster tests (test files run in parallel against one cluster).
import { randomBytes } from 'node:crypto';
import type { KubeClient } from '../client/surface.js';
import { NotFoundError } from '../structs/errors.js';

const namespaces = { version: 'v1', plural: 'namespaces' } as const;

/** Create a namespace named `<prefix>-<random>` and return its name. */
export async function uniqueNamespace(client: KubeClient, prefix = 'test'): Promise<string> {
  const base = prefix
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .slice(0, 50)
    .replace(/-+$/, '');
  const name = `${base}-${randomBytes(4).toString('hex')}`;
  await client.create(namespaces, { metadata: { name, labels: { 'capstan.dev/test': 'true' } } });
  return name;
}

/** Delete a namespace (no wait for its finalization; a missing one is fine). */
export async function deleteNamespace(client: KubeClient, name: string): Promise<void> {
  try {
    await client.delete(namespaces, { name });
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
