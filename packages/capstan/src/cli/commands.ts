// The table of `capstan` subcommands: each takes its argv (after the name) and resolves to an exit code.

import type { Command } from './command.js';

export { exitCodes, type Command, type CommandIo } from './command.js';

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
registerCommand('init', async () => (await import('./init-command.js')).initCommand);
registerCommand('generate', async () => (await import('./generate-command.js')).generateCommand);
registerCommand('dev', async () => (await import('./dev-command.js')).devCommand);
