// `age-secret updatekeys`: re-encrypts every value for a new recipient set, keeping bindings.
import type { Document } from 'yaml';
import { encryptValue } from '../../crypto/age.js';
import { isAgeSecret, parseDocuments, recordRecipients, setValue, stringifyDocuments } from '../../manifest/documents.js';
import { decryptDocuments } from '../../manifest/transform.js';
import { readInput, type CliIo } from '../io.js';
import { fileOptions, gatherIdentities, gatherRecipients, identityOptions, inputFiles, recipientOptions } from '../keys.js';
import { EXIT_OK, parseCommandArgs, UsageError } from '../usage.js';
import { checkOutputMode, emit, outputOptions } from './encrypt.js';

export async function updatekeys(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    { ...fileOptions, ...identityOptions, ...recipientOptions, ...outputOptions },
    true,
  );
  const files = inputFiles(values, positionals);
  const inPlace = values['in-place'] ?? false;
  checkOutputMode(files, inPlace);
  const recipients = await gatherRecipients(io, values);
  if (recipients.length === 0) throw new UsageError('updatekeys needs the new recipient set: -r age1... and/or -R FILE');
  const identities = await gatherIdentities(io, values);
  for (const file of files) {
    const docs: Document[] = parseDocuments(await readInput(io, file), file);
    const decrypted = await decryptDocuments(docs, identities, values.namespace ? { namespace: values.namespace } : {});
    for (const { ref, plaintext, scope } of decrypted) {
      setValue(ref, await encryptValue(plaintext, { recipients, ...(scope ? { bind: scope } : {}) }));
    }
    for (const doc of docs.filter(isAgeSecret)) recordRecipients(doc, recipients);
    io.stderr(`${file}: ${decrypted.length} value(s) re-encrypted for ${recipients.length} recipient(s)\n`);
    await emit(io, { inPlace, file, text: stringifyDocuments(docs) });
  }
  return EXIT_OK;
}
