// `capstan cluster images build | list`: local images for the kubelet's image runtime, without Docker or a registry.
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { cacheRoot } from '../paths.js';
import { buildImages } from './build-images.js';
import { defaultImageStoreDirs } from './image-store.js';
import { findLayoutImage, layoutRefs } from './oci-layout.js';

export const IMAGES_USAGE = `usage: capstan cluster images <command>

  build [--bake FILE] [--target NAME]... [--report FILE] [--verbose]
          build the bake file's targets (default group "default") from their Dockerfiles with buildah
          (vfs storage, chroot isolation; root) into the local image store, an OCI layout. The first build
          assembles the base images once: Debian bookworm minbase (debootstrap) + Node from the npm registry
          as NODE_IMAGE, and a distroless-like runtime (node, glibc, CAs, tzdata, user 65532, no shell) as
          RUNTIME_IMAGE. Bake variables (TAG, REGISTRY, ...) come from the environment, as with docker buildx bake.
  list    the images in the store: reference, digest, compressed size

The store is ${defaultImageStoreDirs().layoutDir}; clusters started with the image runtime
(capstan cluster up --images) run containers of these images with runc.`;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

/** The machine's npm settings the build stage needs: registry and the CA file npm trusts (a proxy's CA, say). */
function npmSettings(env: NodeJS.ProcessEnv): { registry: string; caFiles: string[] } {
  const get = (key: string): string => {
    try {
      return execFileSync('npm', ['config', 'get', key], { encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  const cafile = get('cafile');
  const caFiles = [cafile, env.NODE_EXTRA_CA_CERTS ?? ''].filter((f) => f && f !== 'null' && f !== 'undefined' && existsSync(f));
  return { registry: get('registry') || 'https://registry.npmjs.org/', caFiles: [...new Set(caFiles)] };
}

/** Runs `images <command>`; resolves to the exit code. */
export async function runImagesCommand(argv: string[], io: Io, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        bake: { type: 'string', default: 'docker-bake.hcl' },
        target: { type: 'string', multiple: true },
        report: { type: 'string' },
        verbose: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (error) {
    io.err(`capstan cluster images: ${(error as Error).message}\n${IMAGES_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, ...extra] = positionals;
  if (values.help || !command) {
    (values.help ? io.out : io.err)(IMAGES_USAGE);
    return values.help ? 0 : 2;
  }
  if (extra.length) {
    io.err(`capstan cluster images: unexpected argument "${extra[0]}"\n${IMAGES_USAGE}`);
    return 2;
  }
  const store = defaultImageStoreDirs(env);
  if (command === 'list') {
    for (const ref of layoutRefs(store.layoutDir)) {
      const image = findLayoutImage(store.layoutDir, ref);
      if (image) io.out(`${ref}\t${image.digest.slice(0, 19)}\t${(image.size / 1e6).toFixed(1)} MB`);
    }
    return 0;
  }
  if (command !== 'build') {
    io.err(`capstan cluster images: unknown command "${command}"\n${IMAGES_USAGE}`);
    return 2;
  }
  const bakeFile = resolve(values.bake);
  if (!existsSync(bakeFile)) {
    io.err(`capstan cluster images: no bake file ${bakeFile} (give one with --bake)`);
    return 2;
  }
  if (process.getuid?.() !== 0) {
    io.err('capstan cluster images: building needs root (buildah with chroot isolation, debootstrap)');
    return 1;
  }
  const npm = npmSettings(env);
  const variables = Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
  try {
    const revision = (() => {
      try {
        return execFileSync('git', ['rev-parse', 'HEAD'], {
          cwd: join(bakeFile, '..'),
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
        }).trim();
      } catch {
        return '';
      }
    })();
    const result = await buildImages({
      bakeFile,
      ...(values.target ? { targets: values.target } : {}),
      variables: { ...(revision ? { REVISION: revision } : {}), ...variables },
      store,
      nodeMajor: '24',
      npmRegistry: npm.registry,
      extraCaFiles: npm.caFiles,
      cacheRoot: cacheRoot(env),
      log: (line) => io.err(line),
      verbose: values.verbose,
    });
    for (const image of result.images)
      io.out(`${image.refs.join(', ')}\t${image.digest}\t${(image.bytes / 1e6).toFixed(1)} MB\t${image.seconds} s`);
    if (values.report) writeFileSync(values.report, `${JSON.stringify(result, null, 2)}\n`);
    return 0;
  } catch (error) {
    io.err(`capstan cluster images: ${(error as Error).message}`);
    return 1;
  }
}
