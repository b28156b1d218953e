// Local stand-ins for the images the Dockerfiles build FROM (node:24-bookworm-slim, distroless nodejs24), assembled once.
import { execFile } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { buildah, storedImages, type BuildahStorage } from './buildah.js';
import type { NodeRelease } from './node-release.js';

const run = promisify(execFile);

/** The two bases, by the names the Dockerfiles' NODE_IMAGE / RUNTIME_IMAGE build args get. */
export interface BaseImages {
  build: string;
  runtime: string;
}

/** What assembling the bases needs from the machine: Debian's mirror, the npm registry and the CAs it trusts. */
export interface BaseImageOptions {
  storage: BuildahStorage;
  /** Work folder for the root filesystems (kept: the debootstrap result is reused). */
  workDir: string;
  node: NodeRelease;
  /** Debian mirror for debootstrap (default: the first one apt uses here, else deb.debian.org). */
  debianMirror?: string;
  /** npm registry the build stage's `npm ci` uses (default: this machine's). */
  npmRegistry: string;
  /** PEM files the build stage must trust besides Debian's CAs (a TLS-inspecting proxy's CA, from npm's cafile). */
  extraCaFiles: string[];
  log: (line: string) => void;
}

/** The Debian packages the runtime stand-in takes files from (glibc, libstdc++, libgcc, CAs, zoneinfo). */
const RUNTIME_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1', 'ca-certificates', 'tzdata'];

/** The stanzas of `packages` in a dpkg status file (blank-line separated), by package name. */
export function dpkgStanzas(status: string, packages: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const stanza of status.split(/\n\n+/)) {
    const name = /^Package: (.*)$/m.exec(stanza)?.[1];
    if (name && packages.includes(name)) out.set(name, `${stanza.trim()}\n`);
  }
  return out;
}

/** The libraries node links against (ldd of the official binary): what the runtime base must hold. */
const NODE_LIBRARIES = [
  'libdl.so.2',
  'libstdc++.so.6',
  'libm.so.6',
  'libgcc_s.so.1',
  'libpthread.so.0',
  'libc.so.6',
  'ld-linux-x86-64.so.2',
];

/** The mirror apt uses on this machine (deb822 `URIs:` or a one-line `deb URL suite`), security archives excluded. */
export function aptMirror(sources: string[]): string | undefined {
  for (const text of sources) {
    for (const line of text.split('\n')) {
      const m = /^\s*(?:URIs:\s*|deb\s+(?:\[[^\]]*\]\s+)?)(\S+)/.exec(line);
      if (m?.[1] && !m[1].includes('security')) return m[1];
    }
  }
  return undefined;
}

function machineMirror(): string {
  const files = ['/etc/apt/sources.list.d/debian.sources', '/etc/apt/sources.list'];
  return aptMirror(files.filter(existsSync).map((f) => readFileSync(f, 'utf8'))) ?? 'http://deb.debian.org/debian';
}

/** Debian bookworm minbase with CA certificates and tzdata, once (`<work>/bookworm-minbase`). */
async function minbase(options: BaseImageOptions): Promise<string> {
  const dir = join(options.workDir, 'bookworm-minbase');
  if (existsSync(join(dir, '.complete'))) return dir;
  const mirror = options.debianMirror ?? machineMirror();
  options.log(`debootstrap: Debian bookworm minbase from ${mirror} (once)`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(options.workDir, { recursive: true });
  try {
    await run('debootstrap', ['--variant=minbase', '--include=ca-certificates,tzdata', 'bookworm', dir, mirror], {
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') || (error as Error).message;
    throw new Error(`debootstrap failed (it needs root and Debian's debootstrap package):\n${detail}`, { cause: error });
  }
  // What a slim image leaves out, and what would only make every layer bigger.
  for (const rel of ['var/cache/apt/archives', 'var/lib/apt/lists', 'usr/share/doc', 'usr/share/man', 'usr/share/info'])
    for (const entry of existsSync(join(dir, rel)) ? readdirSync(join(dir, rel)) : [])
      rmSync(join(dir, rel, entry), { recursive: true, force: true });
  writeFileSync(join(dir, '.complete'), '');
  return dir;
}

/** Commits a root filesystem folder as an image in buildah's store. */
async function commitRootfs(options: BaseImageOptions, rootfs: string, image: string, config: string[]): Promise<void> {
  const container = (await buildah(options.storage, ['from', 'scratch'])).trim();
  try {
    await buildah(options.storage, ['copy', container, rootfs, '/']);
    await buildah(options.storage, ['config', ...config, container]);
    await buildah(options.storage, ['commit', '--quiet', container, image]);
  } finally {
    await buildah(options.storage, ['rm', container]).catch(() => '');
  }
}

/** node:24-bookworm-slim's stand-in: minbase + node + npm, trusting (and using) what this machine's npm does. */
async function buildBase(options: BaseImageOptions, base: string, image: string): Promise<void> {
  const dir = join(options.workDir, 'node-build');
  rmSync(dir, { recursive: true, force: true });
  await run('cp', ['-a', base, dir]); // device nodes and ownership included, which fs.cpSync cannot copy
  rmSync(join(dir, '.complete'), { force: true });
  copyFileSync(options.node.node, join(dir, 'usr/local/bin/node'));
  chmodSync(join(dir, 'usr/local/bin/node'), 0o755);
  const npmMajor = (await run('npm', ['--version'])).stdout.trim().split('.')[0] ?? '11';
  const pack = join(options.workDir, 'npm-pack');
  mkdirSync(pack, { recursive: true });
  const tgz = (await run('npm', ['pack', '--silent', `npm@${npmMajor}`], { cwd: pack })).stdout.trim().split('\n').pop() ?? '';
  mkdirSync(join(dir, 'usr/local/lib/node_modules'), { recursive: true });
  await run('tar', ['xzf', join(pack, tgz), '-C', join(dir, 'usr/local/lib/node_modules')]);
  await run('mv', [join(dir, 'usr/local/lib/node_modules/package'), join(dir, 'usr/local/lib/node_modules/npm')]);
  symlinkSync('../lib/node_modules/npm/bin/npm-cli.js', join(dir, 'usr/local/bin/npm'));
  symlinkSync('../lib/node_modules/npm/bin/npx-cli.js', join(dir, 'usr/local/bin/npx'));
  const bundle = join(dir, 'etc/ssl/certs/ca-certificates.crt');
  const extra = options.extraCaFiles.filter(existsSync).map((f) => readFileSync(f, 'utf8'));
  if (extra.length) writeFileSync(bundle, [readFileSync(bundle, 'utf8'), ...extra].join('\n'));
  mkdirSync(join(dir, 'usr/local/etc'), { recursive: true });
  writeFileSync(join(dir, 'usr/local/etc/npmrc'), `registry=${options.npmRegistry}\n`);
  await commitRootfs(options, dir, image, [
    '--env',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--env',
    `NODE_VERSION=${options.node.version}`,
    '--env',
    'NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt',
    '--cmd',
    'node',
  ]);
  rmSync(dir, { recursive: true, force: true });
}

/** Copies `name` from the minbase's library folder, with the symlink the loader looks up. */
function copyLibrary(base: string, dir: string, name: string): void {
  const libDir = 'usr/lib/x86_64-linux-gnu';
  const real = realpathSync(join(base, libDir, name));
  copyFileSync(real, join(dir, libDir, basename(real)));
  if (basename(real) !== name) symlinkSync(basename(real), join(dir, libDir, name));
}

/** distroless nodejs24's stand-in: node at /nodejs/bin/node, glibc and libstdc++, CAs, tzdata, user nonroot; no shell. */
async function runtimeBase(options: BaseImageOptions, base: string, image: string): Promise<void> {
  const dir = join(options.workDir, 'node-runtime');
  rmSync(dir, { recursive: true, force: true });
  for (const d of ['nodejs/bin', 'usr/lib/x86_64-linux-gnu', 'usr/lib64', 'etc/ssl/certs', 'usr/share', 'tmp', 'home/nonroot', 'root'])
    mkdirSync(join(dir, d), { recursive: true });
  chmodSync(join(dir, 'tmp'), 0o1777);
  symlinkSync('usr/lib', join(dir, 'lib'));
  symlinkSync('usr/lib64', join(dir, 'lib64'));
  for (const name of NODE_LIBRARIES) copyLibrary(base, dir, name);
  symlinkSync('../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2', join(dir, 'usr/lib64/ld-linux-x86-64.so.2'));
  copyFileSync(options.node.node, join(dir, 'nodejs/bin/node'));
  chmodSync(join(dir, 'nodejs/bin/node'), 0o755);
  // Debian's CAs only: the runtime trusts the public roots, not the build machine's proxy.
  copyFileSync(realpathSync(join(base, 'etc/ssl/certs/ca-certificates.crt')), join(dir, 'etc/ssl/certs/ca-certificates.crt'));
  cpSync(join(base, 'usr/share/zoneinfo'), join(dir, 'usr/share/zoneinfo'), { recursive: true, verbatimSymlinks: true });
  writeFileSync(
    join(dir, 'etc/passwd'),
    'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n',
  );
  writeFileSync(join(dir, 'etc/group'), 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n');
  chownSync(join(dir, 'home/nonroot'), 65532, 65532);
  // As distroless records its packages: one status file each, where SBOM tools (and ours) look for them.
  mkdirSync(join(dir, 'var/lib/dpkg/status.d'), { recursive: true });
  for (const [name, stanza] of dpkgStanzas(readFileSync(join(base, 'var/lib/dpkg/status'), 'utf8'), RUNTIME_PACKAGES))
    writeFileSync(join(dir, 'var/lib/dpkg/status.d', name), stanza);
  await commitRootfs(options, dir, image, [
    '--user',
    '65532',
    '--workingdir',
    '/home/nonroot',
    '--entrypoint',
    '["/nodejs/bin/node"]',
    '--env',
    'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
    '--env',
    'SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt',
  ]);
  rmSync(dir, { recursive: true, force: true });
}

/** The stand-ins' recipe: bump it when what they hold changes, so that stored ones are assembled anew. */
const RECIPE = 2;

/** The two bases for this Node release, assembled unless buildah's store has them already. */
export async function ensureBaseImages(options: BaseImageOptions): Promise<BaseImages & { assembled: boolean }> {
  const tag = `${options.node.version}-r${RECIPE}`;
  const images = { build: `localhost/capstan/node-build:${tag}`, runtime: `localhost/capstan/node-runtime:${tag}` };
  const stored = await storedImages(options.storage);
  if (stored.has(images.build) && stored.has(images.runtime)) return { ...images, assembled: false };
  const base = await minbase(options);
  if (!stored.has(images.build)) {
    options.log(`assembling ${images.build} (Debian bookworm minbase + Node ${options.node.version} + npm)`);
    await buildBase(options, base, images.build);
  }
  if (!stored.has(images.runtime)) {
    options.log(`assembling ${images.runtime} (node, glibc, CA certificates, tzdata, user nonroot; no shell)`);
    await runtimeBase(options, base, images.runtime);
  }
  return { ...images, assembled: true };
}
