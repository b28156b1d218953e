// The table of `capstan` subcommands: each takes its argv (after the name) and resolves to an exit code.

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

const registry = new Map<string, () => Promise<Command>>();

/** Add a subcommand (loaded lazily so `capstan run` never pays for the others). */
export function registerCommand(name: string, load: () => Promise<Command>): void {
  registry.set(name, load);
}

export function commandNames(): string[] {
  return [...registry.keys()];
}

export function loadCommand(name: string): Promise<Command> | undefined {
  return registry.get(name)?.();
}

registerCommand('run', async () => (await import('./run-command.js')).runCommand);
registerCommand('cluster', async () => (await import('./cluster-command.js')).clusterCommand);
registerCommand('kubectl', async () => (await import('./cluster-command.js')).kubectlCommand);
registerCommand('crd', async () => (await import('./crd-command.js')).crdCommand);
