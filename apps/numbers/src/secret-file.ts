// Locates and reads the mounted secret file on every request (the Secret can change under a running pod).
import { open } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { NumbersConfigError } from './errors.js';

/** What a read found; `numbers` are the whitespace-separated tokens of the file. */
export type SecretRead =
  | { kind: 'numbers'; numbers: string[]; truncated: boolean }
  | { kind: 'missing' }
  | { kind: 'empty' }
  | { kind: 'unreadable'; code: string };

/**
 * The file to read. The local kubelet simulator mounts a pod's volumes under one directory per pod and
 * tells the process with CAPSTAN_POD_ROOT; absolute container paths are then resolved under it.
 */
export function resolveSecretPath(options: { secretFile: string; podRoot?: string | undefined }): string {
  const { secretFile, podRoot } = options;
  if (secretFile === '') throw new NumbersConfigError('the secret file path is empty', { setting: 'secretFile' });
  if (!podRoot || !isAbsolute(secretFile)) return resolve(secretFile);
  const root = resolve(podRoot);
  const path = join(root, secretFile);
  if (relative(root, path).startsWith('..')) {
    throw new NumbersConfigError(`the secret file path ${secretFile} leaves the pod root`, { setting: 'secretFile' });
  }
  return path;
}

/** Reads at most `maxBytes`; errors come back as a kind (with the errno code only, never content). */
export async function readSecretFile(path: string, maxBytes: number): Promise<SecretRead> {
  let text: string;
  let truncated: boolean;
  try {
    const handle = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(maxBytes + 1);
      let filled = 0;
      let bytesRead: number;
      do {
        ({ bytesRead } = await handle.read(buffer, filled, buffer.length - filled, null));
        filled += bytesRead;
      } while (bytesRead > 0 && filled < buffer.length);
      truncated = filled > maxBytes;
      text = buffer.subarray(0, Math.min(filled, maxBytes)).toString('utf8');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'EUNKNOWN';
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'unreadable', code };
  }
  const numbers = text.split(/\s+/u).filter((token) => token !== '');
  if (numbers.length === 0) return { kind: 'empty' };
  // A cut in the middle of the last token would show a number that is not in the file.
  if (truncated && numbers.length > 1) numbers.pop();
  return { kind: 'numbers', numbers, truncated };
}
