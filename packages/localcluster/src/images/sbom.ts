// A software bill of materials (SPDX 2.3 JSON) of an unpacked image: its npm packages and its Debian packages.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** One package found in an image. */
export interface SbomPackage {
  ecosystem: 'npm' | 'deb';
  name: string;
  version: string;
  license?: string | undefined;
  /** Where in the image it was found. */
  path: string;
}

/** Folders of the image that hold the system, not an application: not searched for node_modules. */
const SYSTEM = new Set(['proc', 'sys', 'dev', 'usr', 'lib', 'lib64', 'etc', 'var', 'tmp', 'nodejs', 'bin', 'sbin']);

const dirents = (path: string) => {
  try {
    return readdirSync(path, { withFileTypes: true });
  } catch {
    return [];
  }
};

/** Every `node_modules/<name>` and `node_modules/@scope/<name>` package of an unpacked image, nested ones included. */
export function npmPackages(root: string): SbomPackage[] {
  const out: SbomPackage[] = [];
  const walk = (rel: string, depth: number): void => {
    for (const entry of dirents(join(root, rel))) {
      if (!entry.isDirectory() || (depth === 0 && SYSTEM.has(entry.name))) continue;
      const path = join(rel, entry.name);
      if (entry.name === 'node_modules') packagesIn(path, depth);
      else if (depth < 8) walk(path, depth + 1);
    }
  };
  const packagesIn = (nodeModules: string, depth: number): void => {
    for (const entry of dirents(join(root, nodeModules))) {
      const names = entry.name.startsWith('@')
        ? dirents(join(root, nodeModules, entry.name)).map((d) => `${entry.name}/${d.name}`)
        : [entry.name];
      for (const name of names) {
        const path = join(nodeModules, name);
        try {
          const json = JSON.parse(readFileSync(join(root, path, 'package.json'), 'utf8')) as {
            name?: string;
            version?: string;
            license?: unknown;
          };
          if (json.name && json.version) {
            const license = typeof json.license === 'string' ? json.license : undefined;
            out.push({ ecosystem: 'npm', name: json.name, version: json.version, license, path });
          }
        } catch {
          continue; // no readable package.json: left out rather than guessed
        }
        walk(path, depth + 1); // nested node_modules of a package
      }
    }
  };
  walk('/', 0);
  return out;
}

/** Debian packages recorded as distroless does: one status file per package in /var/lib/dpkg/status.d. */
export function debianPackages(root: string): SbomPackage[] {
  const dir = join(root, 'var/lib/dpkg/status.d');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((file) => {
    const text = readFileSync(join(dir, file), 'utf8');
    const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(text)?.[1];
    const name = field('Package');
    const version = field('Version');
    return name && version ? [{ ecosystem: 'deb' as const, name, version, path: join('/var/lib/dpkg/status.d', file) }] : [];
  });
}

/** The SPDX 2.3 document of an image's packages. */
export function spdxDocument(options: {
  image: string;
  digest: string;
  packages: SbomPackage[];
  created: string;
}): Record<string, unknown> {
  const id = (p: SbomPackage, i: number) => `SPDXRef-Package-${p.ecosystem}-${i}`;
  const purl = (p: SbomPackage) =>
    p.ecosystem === 'npm'
      ? `pkg:npm/${p.name.startsWith('@') ? `%40${p.name.slice(1)}` : p.name}@${p.version}`
      : `pkg:deb/debian/${p.name}@${p.version}?distro=debian-12`;
  return {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name: options.image,
    documentNamespace: `https://spdx.org/spdxdocs/${options.image.replace(/[^A-Za-z0-9.-]/g, '-')}-${options.digest.replace(':', '-')}`,
    creationInfo: { created: options.created, creators: ['Tool: capstan-localcluster images build'] },
    packages: options.packages.map((p, i) => ({
      name: p.name,
      SPDXID: id(p, i),
      versionInfo: p.version,
      downloadLocation: 'NOASSERTION',
      licenseConcluded: 'NOASSERTION',
      licenseDeclared: p.license ?? 'NOASSERTION',
      sourceInfo: `found at ${p.path} in ${options.image}@${options.digest}`,
      externalRefs: [{ referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: purl(p) }],
    })),
  };
}
