// `age-secret from-secret`: converts plain Secret manifests into encrypted AgeSecrets.
import { ageSecretFromSecret, isSecretDocument } from '../../manifest/from-secret.js';
import { parseDocuments, stringifyDocuments } from '../../manifest/documents.js';
import { readInput, type CliIo } from '../io.js';
import { recipientsFor } from '../cluster-access.js';
import { fileOptions, inputFiles, recipientOptions } from '../keys.js';
import { checkSameNamespace } from '../published-recipients.js';
import { EXIT_OK, parseCommandArgs } from '../usage.js';
import { bindMode, checkOutputMode, emit, outputOptions } from './encrypt.js';

export async function fromSecret(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...fileOptions,
      ...recipientOptions,
      ...outputOptions,
      bind: { type: 'boolean' },
      'bind-namespace': { type: 'boolean' },
      'age-secret-ref': { type: 'string' },
    },
    true,
  );
  const files = inputFiles(values, positionals);
  const inPlace = values['in-place'] ?? false;
  checkOutputMode(files, inPlace);
  const bind = bindMode(values);
  const recipients = await recipientsFor(io, values, 'from-secret');
  for (const file of files) {
    const docs = parseDocuments(await readInput(io, file), file);
    if (values.namespace && !values.offline) checkSameNamespace(docs, values.namespace, file);
    let converted = 0;
    for (const [index, doc] of docs.entries()) {
      if (!isSecretDocument(doc)) continue;
      docs[index] = await ageSecretFromSecret(doc, index, {
        recipients,
        bind,
        ...(values.namespace ? { namespace: values.namespace } : {}),
        ...(values['age-secret-ref'] ? { ageSecretRef: values['age-secret-ref'] } : {}),
      });
      converted++;
    }
    if (converted === 0) io.stderr(`${file}: warning: no kind: Secret documents found\n`);
    await emit(io, { inPlace, file, text: stringifyDocuments(docs) });
  }
  return EXIT_OK;
}
