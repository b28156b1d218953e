// `age-secret updatekeys`: re-encrypts every value for a new recipient set (or a namespace's published one), keeping bindings.
import type { Document } from 'yaml';
import { encryptValue } from '../../crypto/age.js';
import { isAgeSecret, parseDocuments, recordRecipients, setValue, stringifyDocuments } from '../../manifest/documents.js';
import { decryptDocuments, type DecryptedRef } from '../../manifest/transform.js';
import { recipientsFor } from '../cluster-access.js';
import { readInput, type CliIo } from '../io.js';
import { fileOptions, gatherIdentities, identityOptions, inputFiles, recipientOptions } from '../keys.js';
import { checkSameNamespace } from '../published-recipients.js';
import { EXIT_OK, parseCommandArgs } from '../usage.js';
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
  const identities = await gatherIdentities(io, values);
  const recipients = await recipientsFor(io, values, 'updatekeys');
  // Every value of every file is decrypted before anything is written: one that our identities cannot open
  // fails the command with all files untouched (a half-rotated set would strand that value's old key).
  const decrypted: { file: string; docs: Document[]; values: DecryptedRef[] }[] = [];
  for (const file of files) {
    const docs: Document[] = parseDocuments(await readInput(io, file), file);
    if (values.namespace && !values.offline) checkSameNamespace(docs, values.namespace, file);
    decrypted.push({
      file,
      docs,
      values: await decryptDocuments(docs, identities, values.namespace ? { namespace: values.namespace } : {}),
    });
  }
  for (const { file, docs, values: refs } of decrypted) {
    for (const { ref, plaintext, scope } of refs) {
      setValue(ref, await encryptValue(plaintext, { recipients, ...(scope ? { bind: scope } : {}) }));
    }
    for (const doc of docs.filter(isAgeSecret)) recordRecipients(doc, recipients);
    io.stderr(`${file}: ${refs.length} value(s) re-encrypted for ${recipients.length} recipient(s)\n`);
    await emit(io, { inPlace, file, text: stringifyDocuments(docs) });
  }
  return EXIT_OK;
}
