// Keeping the image store's disk use bounded: vfs copies every layer, so each rebuild would otherwise leave gigabytes.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { buildah, type BuildahStorage } from './buildah.js';
import type { ImageStoreDirs } from './image-store.js';
import { findLayoutImage, layoutRefs } from './oci-layout.js';

/** The unpacked roots (`sha256-<hex>` folders, and leftovers of interrupted unpacks) that no tag of the layout names now. */
export function staleUnpacked(entries: readonly string[], current: ReadonlySet<string>): string[] {
  return entries.filter((name) => {
    const digest = name.replace(/\.tmp-.*$/, '').replace('-', ':');
    return name.startsWith('sha256-') && (name.includes('.tmp-') || !current.has(digest));
  });
}

/**
 * After a build: buildah's working containers and dangling images go (the layer cache of the next build with them:
 * about a minute more per rebuild, against several gigabytes per build kept), and so do unpacked roots of digests no
 * tag names any more. Not to be run while pods of the image runtime are running from a root it would remove.
 */
export async function pruneImageStore(storage: BuildahStorage, dirs: ImageStoreDirs, log: (line: string) => void): Promise<void> {
  await buildah(storage, ['rm', '--all']);
  await buildah(storage, ['rmi', '--prune']);
  const current = new Set(
    layoutRefs(dirs.layoutDir)
      .map((ref) => findLayoutImage(dirs.layoutDir, ref)?.digest)
      .filter((d): d is string => !!d),
  );
  let entries: string[] = [];
  try {
    entries = readdirSync(dirs.unpackDir);
  } catch {
    return; // nothing unpacked yet
  }
  const stale = staleUnpacked(entries, current);
  for (const name of stale) rmSync(join(dirs.unpackDir, name), { recursive: true, force: true });
  log(`pruned the image store: dangling buildah images and ${stale.length} unpacked root(s) of old digests`);
}
