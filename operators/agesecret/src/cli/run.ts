// Dispatches `age-secret <command>` and maps errors to messages and exit codes (no process access here).
import { AgeSecretError } from '../errors.js';
import { ClusterAccessError } from './cluster-errors.js';
import type { CliIo } from './io.js';
import { decrypt } from './commands/decrypt.js';
import { edit } from './commands/edit.js';
import { encrypt } from './commands/encrypt.js';
import { fromSecret } from './commands/from-secret.js';
import { keygen } from './commands/keygen.js';
import { recipients } from './commands/recipients.js';
import { status } from './commands/status.js';
import { updatekeys } from './commands/updatekeys.js';
import { verify } from './commands/verify.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, HELP, MAIN_HELP, UsageError } from './usage.js';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  keygen,
  encrypt,
  decrypt,
  edit,
  updatekeys,
  verify,
  'from-secret': fromSecret,
  recipients,
  status,
};

/** Runs the CLI with `args` (without node and script); resolves to the exit code. */
export async function runCli(args: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? rest[0] : undefined;
    io.stdout(topic && HELP[topic] ? HELP[topic] : MAIN_HELP);
    return name === undefined ? EXIT_USAGE : EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    io.stderr(`age-secret: unknown command ${JSON.stringify(name)}\n\n${MAIN_HELP}`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout(HELP[name] ?? MAIN_HELP);
    return EXIT_OK;
  }
  try {
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`age-secret ${name}: ${error.message}\nRun 'age-secret ${name} --help' for usage.\n`);
      return EXIT_USAGE;
    }
    if (error instanceof ClusterAccessError) {
      io.stderr(`age-secret ${name}: ${error.message}\n`);
      return error.exitCode;
    }
    if (error instanceof AgeSecretError) {
      io.stderr(`age-secret ${name}: ${error.message}\n`);
      return EXIT_FAILURE;
    }
    throw error;
  }
}
