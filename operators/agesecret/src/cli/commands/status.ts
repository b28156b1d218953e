// `age-secret status`: the AgeSecrets of a namespace, Ready, and which still need a retiring key (exit code for scripts).
import { fetchPublished, kubeOptions, listAgeSecrets } from '../cluster-access.js';
import type { CliIo } from '../io.js';
import { keyStatusRow, renderStatus, statusExitCode, statusSummary } from '../key-status.js';
import { parseCommandArgs, UsageError } from '../usage.js';

export async function status(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, { ...kubeOptions, namespace: { type: 'string', short: 'n' } });
  const namespace = values.namespace;
  if (!namespace) throw new UsageError('which namespace? pass -n/--namespace NS');
  const published = await fetchPublished(io, values, namespace);
  const rows = (await listAgeSecrets(io, values, namespace)).map((obj) => keyStatusRow(obj, published));
  if (rows.length) io.stdout(renderStatus(rows));
  io.stderr(statusSummary(rows, namespace));
  return statusExitCode(rows);
}
