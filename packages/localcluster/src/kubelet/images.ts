// The kubelet simulator's image registry: image name -> the local command that plays that image.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, repoRoot } from '../paths.js';

/** What the kubelet simulator runs for an image name: a program on this machine, its default args, cwd and env. */
export interface ImageSpec {
  /** The image's entrypoint on this machine; a container's `command` replaces it. */
  command: string[];
  /** Default arguments (the image's CMD), replaced by the container's `args`. */
  args?: string[];
  /** The working directory, unless the container gives a relative `workingDir`. */
  cwd?: string;
  /** Environment variables of the image; the pod's own variables override them. */
  env?: Record<string, string>;
  /** busybox-like images: with a container `command`, that command runs as a host program (e.g. /bin/sleep). */
  hostCommands?: boolean;
}

/** Image names (without registry or tag) to what the kubelet simulator runs for them. */
export type ImageRegistry = Record<string, ImageSpec>;

/** `docker.io/library/app:v1.0.1` -> `app`; `ghcr.io/o/x@sha256:..` -> `x`: registry, path and tag do not matter here. */
export function imageName(ref: string): string {
  const noDigest = ref.split('@')[0] ?? ref;
  const last = noDigest.split('/').pop() ?? noDigest;
  return last.split(':')[0] ?? last;
}

/** tsx as an absolute URL (works whatever the cwd); a plain specifier where tsx is not installed. */
const tsx = (): string => {
  try {
    return import.meta.resolve('tsx');
  } catch {
    return 'tsx';
  }
};

/** A project TypeScript program run from sources, as the repo's own dev loop does. */
/** A TypeScript program of the repo, run from source; `nodeFlags` are those of its image's ENTRYPOINT. */
function tsProgram(path: string, nodeFlags: readonly string[] = []): ImageSpec {
  return { command: [process.execPath, ...nodeFlags, '--conditions=development', '--import', tsx(), join(repoRoot, path)], cwd: repoRoot };
}

/** The operator images' V8 flag (their Dockerfiles' ENTRYPOINT): smaller heap growth steps. */
export const operatorNodeFlags: readonly string[] = ['--optimize-for-size'];

export function builtinImages(): ImageRegistry {
  // Like busybox itself: no ENTRYPOINT, CMD ["sh"]; `kubectl run x --image=busybox -- sh -c ...` passes args.
  const shell: ImageSpec = { command: [], args: ['sh'], hostCommands: true };
  return {
    busybox: shell,
    alpine: shell,
    debian: shell,
    ubuntu: shell,
    'http-echo': { command: [process.execPath, join(packageRoot, 'fixtures', 'http-echo.mjs')] },
    'legacy-mock': tsProgram('apps/legacy-mock/src/main.ts'),
    app: tsProgram('apps/numbers/src/main.ts'),
    numbers: tsProgram('apps/numbers/src/main.ts'),
    'agesecret-operator': tsProgram('operators/agesecret/src/main.ts', operatorNodeFlags),
    'legacy-handshake-operator': tsProgram('operators/legacy-handshake/src/main.ts', operatorNodeFlags),
  };
}

export interface ResolvedCommand {
  argv: string[];
  cwd: string | undefined;
  env: Record<string, string>;
}

/** Kubernetes' rules: `command` replaces the entrypoint, `args` replace the CMD. undefined: unknown image. */
export function resolveCommand(
  registry: ImageRegistry,
  container: { image: string; command?: string[]; args?: string[] },
): ResolvedCommand | undefined {
  const spec = registry[imageName(container.image)];
  if (!spec) return undefined;
  // Project images: the container's `command` names the image's own runtime (e.g. `node dist/main.js`), which
  // here is the source program, so only `args` are honoured. busybox-like images run the command on the host.
  const argv =
    container.command?.length && spec.hostCommands
      ? [...container.command, ...(container.args ?? [])]
      : [...spec.command, ...(container.args ?? spec.args ?? [])];
  return { argv, cwd: spec.cwd, env: spec.env ?? {} };
}

/** Images registered at run time by other processes (ClusterHandle.registerImage): <cluster dir>/images/<name>.json. */
export function imagesDir(clusterDir: string): string {
  return join(clusterDir, 'images');
}

export function writeRegisteredImage(clusterDir: string, name: string, spec: ImageSpec): void {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name)) throw new TypeError(`invalid image name "${name}" (use the bare name, e.g. "my-app")`);
  mkdirSync(imagesDir(clusterDir), { recursive: true });
  writeFileSync(join(imagesDir(clusterDir), `${name}.json`), JSON.stringify(spec));
}

export function readRegisteredImages(clusterDir: string): ImageRegistry {
  const out: ImageRegistry = {};
  let names: string[];
  try {
    names = readdirSync(imagesDir(clusterDir));
  } catch {
    return out;
  }
  for (const file of names) {
    if (!file.endsWith('.json')) continue;
    try {
      out[file.slice(0, -5)] = JSON.parse(readFileSync(join(imagesDir(clusterDir), file), 'utf8')) as ImageSpec;
    } catch {
      // half-written or invalid: ignored until fixed
    }
  }
  return out;
}
