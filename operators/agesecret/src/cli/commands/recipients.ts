// `age-secret recipients`: prints the recipients a namespace publishes, one per line (a -R file), read with kubectl's flags.
import { kubeOptions, fetchPublished } from '../cluster-access.js';
import type { CliIo } from '../io.js';
import { EXIT_OK, parseCommandArgs, UsageError } from '../usage.js';

export async function recipients(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { ...kubeOptions, namespace: { type: 'string', short: 'n' } });
  if (!values.namespace) throw new UsageError('which namespace? pass -n/--namespace NS');
  const published = await fetchPublished(io, values, values.namespace);
  io.stdout(published.current.map((r) => `${r}\n`).join(''));
  if (published.retiring?.length)
    io.stderr(`${published.retiring.length} retiring recipient(s) not listed: they still decrypt but are not encrypted for\n`);
  return EXIT_OK;
}
