// `age-secret edit`: decrypts into a private temp file, runs $EDITOR, re-encrypts what changed on save.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Document } from 'yaml';
import { encryptValue } from '../../crypto/age.js';
import type { BindingScope } from '../../crypto/binding.js';
import { classifyValue } from '../../crypto/ciphertext.js';
import {
  ageSecretValues,
  isAgeSecret,
  locationOf,
  parseDocuments,
  recordedRecipients,
  recordRecipients,
  setValue,
  stringifyDocuments,
} from '../../manifest/documents.js';
import { InputError } from '../../manifest/input-error.js';
import { decryptDocuments, type DecryptedRef } from '../../manifest/transform.js';
import { readInput, writeFileAtomic, type CliIo } from '../io.js';
import { fileOptions, gatherIdentities, gatherRecipients, identityOptions, inputFiles, recipientOptions } from '../keys.js';
import { EXIT_OK, parseCommandArgs, UsageError } from '../usage.js';

const keyOf = (name: string, path: string[]) => `${name}\u0000${path.join('\u0000')}`;

/** Runs the editor the way git does: through the shell, so EDITOR may carry arguments. */
async function runEditor(io: CliIo, file: string): Promise<void> {
  const editor = io.env['VISUAL'] || io.env['EDITOR'] || 'vi';
  const code = await new Promise<number>((resolve, reject) => {
    const child = spawn(`${editor} "$AGE_SECRET_EDIT_FILE"`, {
      shell: true,
      stdio: 'inherit',
      env: { ...io.env, AGE_SECRET_EDIT_FILE: file },
    });
    child.on('error', reject);
    child.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0)));
  });
  if (code !== 0) throw new InputError(`editor exited with code ${code}; nothing was changed`);
}

/** Overwrites and removes the plaintext temp file. */
async function shred(dir: string, file: string): Promise<void> {
  const handle = await open(file, 'r+').catch(() => undefined);
  if (handle) {
    const { size } = await handle.stat();
    await handle.write(Buffer.alloc(size), 0, size, 0);
    await handle.close();
  }
  await rm(dir, { recursive: true, force: true });
}

export async function edit(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...fileOptions,
      ...identityOptions,
      ...recipientOptions,
      namespace: { type: 'string', short: 'n' },
    },
    true,
  );
  const files = inputFiles(values, positionals);
  if (files.length !== 1 || files[0] === '-') throw new UsageError('edit takes exactly one file (not stdin)');
  const file = files[0]!;
  const identities = await gatherIdentities(io, values);
  const given = await gatherRecipients(io, values);
  const original = await readInput(io, file);
  const docs = parseDocuments(original, file);
  const before = new Map<string, DecryptedRef>();
  for (const d of await decryptDocuments(docs, identities, values.namespace ? { namespace: values.namespace } : {})) {
    before.set(keyOf(locationOf(d.ref.doc, docs.indexOf(d.ref.doc)).name, d.ref.path), d);
  }
  const shown = stringifyDocuments(docs);

  // Plaintext goes to a private (0700) directory, in RAM when /dev/shm exists, and is overwritten after.
  const dir = await mkdtemp(join(existsSync('/dev/shm') ? '/dev/shm' : tmpdir(), 'age-secret-edit-'));
  const temp = join(dir, file.replace(/^.*[\\/]/, '').replace(/(\.ya?ml)?$/, '.yaml'));
  let edited: string;
  try {
    await writeFile(temp, shown, { mode: 0o600 });
    await runEditor(io, temp);
    edited = await readFile(temp, 'utf8');
  } finally {
    await shred(dir, temp);
  }
  if (edited === shown) {
    io.stderr(`${file}: no changes\n`);
    return EXIT_OK;
  }
  const next = parseDocuments(edited, `${file} (edited)`);
  const counts = { kept: 0, encrypted: 0 };
  for (const doc of next.filter(isAgeSecret)) {
    const recipients = given.length ? given : recordedRecipients(doc);
    if (recipients.length === 0)
      throw new InputError(`${file}: no recipients recorded for ${String(doc.getIn(['metadata', 'name']))}; pass -r or -R`);
    await reencrypt(next, doc, { before, recipients, counts, ...(values.namespace ? { namespace: values.namespace } : {}) });
    recordRecipients(doc, recipients);
  }
  await writeFileAtomic(io, file, stringifyDocuments(next));
  io.stderr(`${file}: ${counts.encrypted} value(s) encrypted, ${counts.kept} unchanged\n`);
  return EXIT_OK;
}

interface ReencryptOptions {
  before: Map<string, DecryptedRef>;
  recipients: string[];
  counts: { kept: number; encrypted: number };
  namespace?: string;
}

/** Puts back the old ciphertext of unchanged values; encrypts the rest, keeping each value's binding kind. */
async function reencrypt(docs: Document[], doc: Document, options: ReencryptOptions): Promise<void> {
  const location = locationOf(doc, docs.indexOf(doc));
  const namespace = location.namespace ?? options.namespace;
  const recipientsChanged = options.recipients.join(',') !== recordedRecipients(doc).join(',');
  for (const ref of ageSecretValues([doc])) {
    if (classifyValue(ref.text) !== 'plaintext') continue;
    const old = options.before.get(keyOf(location.name, ref.path));
    let scope: BindingScope | undefined;
    if (old?.scope) {
      if (!namespace) throw new InputError(`${ref.label}: was bound; set metadata.namespace or pass --namespace`);
      scope = old.scope.name === undefined ? { namespace } : { namespace, name: location.name };
    }
    const sameScope = JSON.stringify(scope) === JSON.stringify(old?.scope);
    if (old && old.plaintext === ref.text && sameScope && !recipientsChanged) {
      setValue(ref, old.ciphertext);
      options.counts.kept++;
      continue;
    }
    setValue(ref, await encryptValue(ref.text, { recipients: options.recipients, ...(scope ? { bind: scope } : {}) }));
    options.counts.encrypted++;
  }
}
