// --images: the images of docker-bake.hcl in the local image store, built (once) with buildah when missing.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultImageStoreDirs, findLayoutImage, layoutRef, readBakeFile, runImagesCommand } from '@capstan/localcluster';
import { CommandError } from './errors.js';

/** The `name:tag`s the bake file's default group builds (what deploy/ runs). */
export function bakeImageRefs(bakeText: string): string[] {
  const bake = readBakeFile(bakeText);
  return (bake.groups.default ?? []).flatMap((t) => (bake.targets.get(t)?.tags ?? []).map(layoutRef));
}

/**
 * Builds the images from the current sources (buildah's layer cache makes an unchanged image quick), so that
 * the demo never runs stale images; the first build also assembles the base images, once.
 */
export async function ensureDemoImages(repoRoot: string, log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) throw new CommandError('--images needs root: buildah builds the images and runc runs them');
  const bakeFile = join(repoRoot, 'docker-bake.hcl');
  const refs = [...new Set(bakeImageRefs(readFileSync(bakeFile, 'utf8')))];
  log(`building ${refs.join(', ')} with buildah from the current sources (npm run images; cached layers are reused)`);
  const lines: string[] = [];
  const code = await runImagesCommand(['build', '--bake', bakeFile], { out: log, err: (line) => (lines.push(line), log(line)) });
  if (code !== 0) throw new CommandError(`building the images failed:\n${lines.slice(-10).join('\n')}`);
  const store = defaultImageStoreDirs();
  const missing = refs.filter((ref) => !findLayoutImage(store.layoutDir, ref));
  if (missing.length) throw new CommandError(`the build left ${missing.join(', ')} out of ${store.layoutDir}`);
}
