// What a `capstan` subcommand is: its io, its run function and the exit codes they share.

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
