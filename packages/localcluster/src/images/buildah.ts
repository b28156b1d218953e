// buildah with the image store's own storage (vfs: works in any container or VM, no overlay or fuse needed).
import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Where buildah keeps its images and run state for the local image store. */
export interface BuildahStorage {
  root: string;
  runRoot: string;
}

/** `<images>/storage` and `<images>/storage-run`. */
export function buildahStorage(imagesDir: string): BuildahStorage {
  return { root: join(imagesDir, 'storage'), runRoot: join(imagesDir, 'storage-run') };
}

/** buildah failed: its command line and the end of what it printed. */
export class BuildahError extends Error {
  override name = 'BuildahError';
}

/**
 * Runs `buildah <args>` on the store; resolves to stdout. Output lines go to `onLine` as they come (a build
 * takes minutes); the error carries the last lines.
 */
export function buildah(
  storage: BuildahStorage,
  args: string[],
  options: { cwd?: string; onLine?: (line: string) => void } = {},
): Promise<string> {
  const argv = ['--root', storage.root, '--runroot', storage.runRoot, '--storage-driver', 'vfs', ...args];
  return new Promise((resolve, reject) => {
    const child = spawn('buildah', argv, { cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    const tail: string[] = [];
    const lines = (chunk: Buffer, keep: boolean) => {
      const text = chunk.toString();
      if (keep) stdout += text;
      for (const line of text.split('\n').filter(Boolean)) {
        tail.push(line);
        if (tail.length > 30) tail.shift();
        options.onLine?.(line);
      }
    };
    child.stdout.on('data', (c: Buffer) => lines(c, true));
    child.stderr.on('data', (c: Buffer) => lines(c, false));
    child.on('error', (error) =>
      reject(
        new BuildahError(`buildah could not start (${error.message}); install it (Debian: apt-get install buildah)`, { cause: error }),
      ),
    );
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new BuildahError(`buildah ${args.slice(0, 2).join(' ')} failed (exit ${code}):\n${tail.join('\n')}`));
    });
  });
}

/** The `name:tag`s buildah's store holds (`localhost/` prefix kept). */
export async function storedImages(storage: BuildahStorage): Promise<Set<string>> {
  const out = await buildah(storage, ['images', '--format', '{{.Name}}:{{.Tag}}']).catch(() => '');
  return new Set(out.split('\n').filter(Boolean));
}
