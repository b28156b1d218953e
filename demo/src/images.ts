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

/** Builds the images unless the store has them all (`npm run images` rebuilds them after a change of source). */
export async function ensureDemoImages(repoRoot: string, log: (line: string) => void): Promise<void> {
  if (process.getuid?.() !== 0) throw new CommandError('--images needs root: buildah builds the images and runc runs them');
  const bakeFile = join(repoRoot, 'docker-bake.hcl');
  const store = defaultImageStoreDirs();
  const missing = [...new Set(bakeImageRefs(readFileSync(bakeFile, 'utf8')))].filter((ref) => !findLayoutImage(store.layoutDir, ref));
  if (!missing.length) {
    log(`images in ${store.layoutDir} (rebuild after changing the code: npm run images)`);
    return;
  }
  log(`building ${missing.join(', ')} with buildah (npm run images; the first build assembles the base images once)`);
  const lines: string[] = [];
  const code = await runImagesCommand(['build', '--bake', bakeFile], { out: log, err: (line) => (lines.push(line), log(line)) });
  if (code !== 0) throw new CommandError(`building the images failed:\n${lines.slice(-10).join('\n')}`);
}
