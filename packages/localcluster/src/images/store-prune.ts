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
 * Untagged images (`buildah images -a`: ID, name, CreatedAtRaw per line, aligned by spaces) made before `since`: the layer cache of
 * earlier builds. Newest first, so that children go before their parents.
 */
export function staleLayerImages(listing: string, since: Date): string[] {
  const out: { id: string; at: number }[] = [];
  for (const line of listing.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d(?:\.\d+)?) ([+-]\d{4})/.exec(line.trim());
    if (!m || m[2] !== '<none>') continue;
    const offset = `${m[5]!.slice(0, 3)}:${m[5]!.slice(3)}`;
    const at = Date.parse(`${m[3]}T${m[4]!.slice(0, 12)}${offset}`);
    if (!Number.isNaN(at) && at < since.getTime()) out.push({ id: m[1]!, at });
  }
  return out.sort((a, b) => b.at - a.at).map((i) => i.id);
}

/**
 * After a build: buildah's working containers go, untagged images older than this build (earlier builds' layer
 * cache: several gigabytes each with vfs; this build's own layers stay as the next one's cache), and unpacked roots
 * of digests no tag names any more. Not to be run while pods of the image runtime run from a root it would remove.
 */
export async function pruneImageStore(
  storage: BuildahStorage,
  dirs: ImageStoreDirs,
  options: { since: Date; log: (line: string) => void },
): Promise<void> {
  const { log } = options;
  await buildah(storage, ['rm', '--all']);
  const listing = await buildah(storage, ['images', '-a', '--format', '{{.ID}}\t{{.Name}}\t{{.CreatedAtRaw}}']).catch(() => '');
  let removed = 0;
  for (const id of staleLayerImages(listing, options.since)) {
    // One at a time, ignoring refusals: an image another still depends on goes with a later prune.
    if (
      await buildah(storage, ['rmi', id]).then(
        () => true,
        () => false,
      )
    )
      removed++;
  }
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
  log(`pruned the image store: ${removed} untagged image(s) of earlier builds, ${stale.length} unpacked root(s) of old digests`);
}
