// What a `capstan` subcommand is: its io, its run function, the exit codes they share and their one argument parser.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export interface CommandIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
}

export interface Command {
  summary: string;
  run(argv: string[], io: CommandIo): Promise<number>;
}

/** Exit codes shared by the commands. */
export const exitCodes = { ok: 0, failure: 1, usage: 2, unavailable: 3 } as const;

/**
 * Parses a command's arguments (with `-h/--help` added): the values, or the exit code when the command is done
 * already (2 after a usage error, printed with the usage; 0 after printing the usage for --help).
 */
export function parseCommandArgs<const O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  io: CommandIo,
  spec: { command: string; usage: string; options: O },
):
  | ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; options: O & { help: { type: 'boolean'; short: 'h' } } }>>
  | number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } } as O & { help: { type: 'boolean'; short: 'h' } },
    });
  } catch (error) {
    io.err(`capstan ${spec.command}: ${(error as Error).message}\n${spec.usage}`);
    return exitCodes.usage;
  }
  if ((parsed.values as { help?: boolean }).help) {
    io.out(spec.usage);
    return exitCodes.ok;
  }
  return parsed;
}
