// Collects recipients (-r, -R) and identities (-i, AGE_SECRET_KEY_FILE) from the command line.
import { loadIdentities, parseRecipients, type IdentitySet } from '../crypto/identities.js';
import { readInput, type CliIo } from './io.js';
import { UsageError } from './usage.js';

export const recipientOptions = {
  recipient: { type: 'string', short: 'r', multiple: true },
  'recipients-file': { type: 'string', short: 'R', multiple: true },
} as const;

export const identityOptions = {
  identity: { type: 'string', short: 'i', multiple: true },
} as const;

/** Recipients from -r and -R, deduplicated, in order given. */
export async function gatherRecipients(io: CliIo, values: { recipient?: string[]; 'recipients-file'?: string[] }): Promise<string[]> {
  const out: string[] = [];
  for (const r of values.recipient ?? []) out.push(...parseRecipients(r, '-r'));
  for (const file of values['recipients-file'] ?? []) out.push(...parseRecipients(await readInput(io, file), file));
  return [...new Set(out)];
}

/** Identities from every -i file (or AGE_SECRET_KEY_FILE); a usage error when there are none. */
export async function gatherIdentities(io: CliIo, values: { identity?: string[] }): Promise<IdentitySet> {
  const files = values.identity?.length ? values.identity : io.env['AGE_SECRET_KEY_FILE'] ? [io.env['AGE_SECRET_KEY_FILE']] : [];
  if (files.length === 0) throw new UsageError('an identity file is required: -i FILE (or set AGE_SECRET_KEY_FILE)');
  const texts = await Promise.all(files.map((f) => readInput(io, f)));
  return loadIdentities(texts.join('\n'));
}

/** The files to work on: --file values and positionals; at least one. */
export function inputFiles(values: { file?: string[] }, positionals: string[]): string[] {
  const files = [...(values.file ?? []), ...positionals];
  if (files.length === 0) throw new UsageError('no input: pass --file FILE (or - for stdin)');
  return files;
}

export const fileOptions = {
  file: { type: 'string', short: 'f', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const;
