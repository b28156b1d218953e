// Reads an OCI image layout (index.json, manifests, configs): which images it holds and how each one runs.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** What an image's config says about running it (the OCI image config's `config` object). */
export interface ImageRunConfig {
  entrypoint: string[];
  cmd: string[];
  /** `NAME=value` pairs as in the image config. */
  env: string[];
  workingDir: string;
  /** `uid`, `uid:gid`, `name` or `name:group`; empty: root. */
  user: string;
  labels: Record<string, string>;
}

/** One image of a layout, found by its reference name. */
export interface LayoutImage {
  /** The reference it was found under, `name:tag`. */
  ref: string;
  /** The manifest's digest (`sha256:...`): what the kubelet reports as the imageID. */
  digest: string;
  /** Compressed size of its layers in bytes: what a registry would send. */
  size: number;
  config: ImageRunConfig;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

const REF_NAME = 'org.opencontainers.image.ref.name';

/**
 * `docker.io/library/app:v1` -> `app:v1`; `app` -> `app:latest`; `ghcr.io/o/x@sha256:..` -> `x:latest`:
 * a local layout holds no registries, so only the last path element and the tag tell images apart.
 */
export function layoutRef(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.includes(':') ? last : `${last}:latest`;
}

function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  if (!algorithm || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`invalid digest "${digest}" in OCI layout ${layoutDir}`);
  return join(layoutDir, 'blobs', algorithm, hex);
}

function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** The reference names (`name:tag`) a layout holds; none when the folder is not a layout. */
export function layoutRefs(layoutDir: string): string[] {
  const index = join(layoutDir, 'index.json');
  if (!existsSync(index)) return [];
  const manifests = readJson<{ manifests?: Descriptor[] }>(index).manifests ?? [];
  return manifests.map((m) => m.annotations?.[REF_NAME]).filter((r): r is string => !!r);
}

/** The image a container names, if the layout holds it (the newest entry wins when a tag was pushed twice). */
export function findLayoutImage(layoutDir: string, image: string): LayoutImage | undefined {
  const ref = layoutRef(image);
  const index = join(layoutDir, 'index.json');
  if (!existsSync(index)) return undefined;
  const manifests = readJson<{ manifests?: Descriptor[] }>(index).manifests ?? [];
  const entry = [...manifests].reverse().find((m) => m.annotations?.[REF_NAME] === ref);
  if (!entry) return undefined;
  const manifest = readJson<{ config: Descriptor; layers?: Descriptor[] }>(blobPath(layoutDir, entry.digest));
  const config = readJson<{ config?: Record<string, unknown> }>(blobPath(layoutDir, manifest.config.digest)).config ?? {};
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  return {
    ref,
    digest: entry.digest,
    size: (manifest.layers ?? []).reduce((sum, l) => sum + l.size, 0),
    config: {
      entrypoint: strings(config.Entrypoint),
      cmd: strings(config.Cmd),
      env: strings(config.Env),
      workingDir: typeof config.WorkingDir === 'string' ? config.WorkingDir : '',
      user: typeof config.User === 'string' ? config.User : '',
      labels: (config.Labels as Record<string, string> | undefined) ?? {},
    },
  };
}
