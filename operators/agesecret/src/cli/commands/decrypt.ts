// `age-secret decrypt`: prints manifests with every AgeSecret value decrypted (to stdout only).
import { parseDocuments, stringifyDocuments } from '../../manifest/documents.js';
import { decryptDocuments } from '../../manifest/transform.js';
import { readInput, type CliIo } from '../io.js';
import { fileOptions, gatherIdentities, identityOptions, inputFiles } from '../keys.js';
import { EXIT_OK, parseCommandArgs, UsageError } from '../usage.js';

export async function decrypt(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...fileOptions,
      ...identityOptions,
      namespace: { type: 'string', short: 'n' },
    },
    true,
  );
  const files = inputFiles(values, positionals);
  if (files.length > 1) throw new UsageError('decrypt takes one file');
  const identities = await gatherIdentities(io, values);
  const file = files[0]!;
  const docs = parseDocuments(await readInput(io, file), file);
  await decryptDocuments(docs, identities, values.namespace ? { namespace: values.namespace } : {});
  io.stdout(stringifyDocuments(docs));
  return EXIT_OK;
}
