// An npm registry in a box for tests: serves our packed tarballs, passes every other package through to the real registry.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { basename } from 'node:path';

export interface LocalRegistry {
  /** The registry URL to give npm (`--registry`). */
  url: string;
  close(): Promise<void>;
}

interface Local {
  manifest: Record<string, unknown> & { name: string; version: string };
  file: string;
  integrity: string;
  shasum: string;
}

function describe(file: string): Local {
  const manifest = JSON.parse(execFileSync('tar', ['-xzOf', file, 'package/package.json'], { encoding: 'utf8' })) as Local['manifest'];
  const bytes = readFileSync(file);
  return {
    manifest,
    file,
    integrity: `sha512-${createHash('sha512').update(bytes).digest('base64')}`,
    shasum: createHash('sha1').update(bytes).digest('hex'),
  };
}

/**
 * Packuments for the given tarballs (one version each, tagged latest); any other package name is fetched from
 * `upstream` as is, so third-party dependencies still come from the real registry. What a user gets after
 * `npm publish`, without publishing.
 */
export async function startLocalRegistry(options: { tarballs: string[]; upstream?: string }): Promise<LocalRegistry> {
  const upstream = (options.upstream ?? 'https://registry.npmjs.org/').replace(/\/?$/, '/');
  const locals = new Map(options.tarballs.map((f) => describe(f)).map((l) => [l.manifest.name, l]));
  let base = '';
  const packument = (l: Local) => ({
    name: l.manifest.name,
    'dist-tags': { latest: l.manifest.version },
    versions: {
      [l.manifest.version]: {
        ...l.manifest,
        _id: `${l.manifest.name}@${l.manifest.version}`,
        dist: { tarball: `${base}-/tarballs/${basename(l.file)}`, integrity: l.integrity, shasum: l.shasum },
      },
    },
  });
  const passThrough = async (req: IncomingMessage, res: ServerResponse) => {
    const answer = await fetch(new URL(req.url!.replace(/^\//, ''), upstream), {
      headers: { accept: req.headers.accept ?? 'application/json' },
    });
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await answer.arrayBuffer()));
  };
  const server = createServer((req, res) => {
    void (async () => {
      const path = decodeURIComponent((req.url ?? '/').split('?')[0]!);
      const tarball = path.startsWith('/-/tarballs/')
        ? [...locals.values()].find((l) => basename(l.file) === path.slice('/-/tarballs/'.length))
        : undefined;
      const local = locals.get(path.slice(1));
      if (tarball) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(readFileSync(tarball.file));
      } else if (local && req.method === 'GET') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(packument(local)));
      } else if (req.method === 'GET') {
        await passThrough(req, res);
      } else {
        res.writeHead(404).end(); // audits and the like: nothing to say
      }
    })().catch((error: unknown) => {
      res.writeHead(502).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the local registry did not get a port');
  base = `http://127.0.0.1:${address.port}/`;
  return { url: base, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
