// `age-secret encrypt`: encrypts the plaintext values of AgeSecret manifests, keeping the YAML as written.
import { parseDocuments, recordedRecipients, recordRecipients, stringifyDocuments, isAgeSecret } from '../../manifest/documents.js';
import { encryptDocuments, type BindMode } from '../../manifest/transform.js';
import { readInput, writeFileAtomic, type CliIo } from '../io.js';
import { kubeOptions, offlineOption, recipientsFor } from '../cluster-access.js';
import { fileOptions, inputFiles, recipientOptions } from '../keys.js';
import { checkSameNamespace } from '../published-recipients.js';
import { EXIT_OK, parseCommandArgs, UsageError } from '../usage.js';

/** -n names the namespace: its published recipients are encrypted for (unless --offline) and --bind binds to it. */
export const outputOptions = {
  'in-place': { type: 'boolean', short: 'w' },
  namespace: { type: 'string', short: 'n' },
  ...kubeOptions,
  ...offlineOption,
} as const;

export function bindMode(values: { bind?: boolean; 'bind-namespace'?: boolean }): BindMode {
  if (values.bind && values['bind-namespace']) throw new UsageError('--bind and --bind-namespace are exclusive');
  return values.bind ? 'strict' : values['bind-namespace'] ? 'namespace' : 'none';
}

/** Prints the result, or rewrites the file with --in-place; several files need --in-place. */
export async function emit(io: CliIo, options: { inPlace: boolean; file: string; text: string }): Promise<void> {
  if (options.inPlace) {
    if (options.file === '-') throw new UsageError('--in-place needs a file, not stdin');
    await writeFileAtomic(io, options.file, options.text);
  } else {
    io.stdout(options.text);
  }
}

export function checkOutputMode(files: string[], inPlace: boolean): void {
  if (files.length > 1 && !inPlace) throw new UsageError('several files need --in-place');
}

export async function encrypt(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...fileOptions,
      ...recipientOptions,
      ...outputOptions,
      bind: { type: 'boolean' },
      'bind-namespace': { type: 'boolean' },
      armor: { type: 'boolean', short: 'a' },
    },
    true,
  );
  const files = inputFiles(values, positionals);
  const inPlace = values['in-place'] ?? false;
  checkOutputMode(files, inPlace);
  const bind = bindMode(values);
  const recipients = await recipientsFor(io, values, 'encrypt');
  for (const file of files) {
    const docs = parseDocuments(await readInput(io, file), file);
    if (values.namespace && !values.offline) checkSameNamespace(docs, values.namespace, file);
    const report = await encryptDocuments(docs, {
      recipients,
      bind,
      ...(values.namespace ? { namespace: values.namespace } : {}),
      ...(values.armor ? { format: 'armor' as const } : {}),
    });
    for (const doc of docs.filter(isAgeSecret)) {
      const recorded = recordedRecipients(doc);
      if (recorded.length === 0) recordRecipients(doc, recipients);
      else if (recorded.join(',') !== recipients.join(',')) {
        io.stderr(
          `${file}: warning: ${String(doc.getIn(['metadata', 'name']))} records other recipients; values already encrypted stay encrypted for them (run updatekeys to change)\n`,
        );
      }
    }
    if (report.alreadyEncrypted.length) io.stderr(`${file}: ${report.alreadyEncrypted.length} value(s) already encrypted, left alone\n`);
    if (docs.filter(isAgeSecret).length === 0) io.stderr(`${file}: warning: no AgeSecret documents found\n`);
    await emit(io, { inPlace, file, text: stringifyDocuments(docs) });
  }
  return EXIT_OK;
}
