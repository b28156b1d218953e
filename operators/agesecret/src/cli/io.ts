// The CLI's window on the process: stdin/stdout/stderr/env as an object, so commands run as functions in tests.
import { chmod, mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, basename, join, resolve } from 'node:path';
import { InputError } from '../manifest/input-error.js';

export interface CliIo {
  readStdin(): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** The real process. */
export function processIo(): CliIo {
  return {
    async readStdin() {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Reads a file argument; `-` is stdin. */
export async function readInput(io: CliIo, file: string): Promise<string> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(resolve(io.cwd, file), 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new InputError(`cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : (code ?? 'error')}`, { cause });
  }
}

/** Replaces a file atomically (temp file + rename); keeps an existing file's mode unless `mode` is given. */
export async function writeFileAtomic(io: CliIo, file: string, text: string, options: { mode?: number } = {}): Promise<void> {
  const target = resolve(io.cwd, file);
  const existing = await stat(target).catch(() => undefined);
  const mode = options.mode ?? (existing ? existing.mode & 0o777 : 0o644);
  await mkdir(dirname(target), { recursive: true });
  const temp = join(dirname(target), `.${basename(target)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await writeFile(temp, text, { mode });
    await chmod(temp, mode);
    await rename(temp, target);
  } catch (cause) {
    throw new InputError(`cannot write ${file}: ${(cause as NodeJS.ErrnoException).code ?? 'error'}`, { cause });
  }
}
