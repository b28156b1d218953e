// `age-secret keygen`: a new identity file (age-keygen's format) and its recipient; -y lists recipients.
import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { generateKeyPair, loadIdentities } from '../../crypto/identities.js';
import { InputError } from '../../manifest/input-error.js';
import { readInput, writeFileAtomic, type CliIo } from '../io.js';
import { EXIT_OK, parseCommandArgs } from '../usage.js';

export async function keygen(args: string[], io: CliIo): Promise<number> {
  const { values } = parseCommandArgs(args, {
    output: { type: 'string', short: 'o' },
    force: { type: 'boolean' },
    'to-recipients': { type: 'string', short: 'y' },
  });
  if (values['to-recipients']) {
    const set = await loadIdentities(await readInput(io, values['to-recipients']));
    io.stdout(set.recipients.map((r) => `${r}\n`).join(''));
    return EXIT_OK;
  }
  const { identity, recipient } = await generateKeyPair();
  const text = `# created: ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}\n# public key: ${recipient}\n${identity}\n`;
  const output = values.output;
  if (!output || output === '-') {
    io.stdout(text);
    return EXIT_OK;
  }
  const exists = await access(resolve(io.cwd, output)).then(
    () => true,
    () => false,
  );
  if (exists && !values.force) throw new InputError(`${output} already exists; refusing to overwrite a key (use --force)`);
  await writeFileAtomic(io, output, text, { mode: 0o600 });
  io.stderr(`Public key: ${recipient}\n`);
  return EXIT_OK;
}
