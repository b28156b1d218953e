// `capstan cluster ...` and `capstan kubectl ...`: delegate to @capstan/localcluster (an optional peer dependency).
import { exitCodes, type Command, type CommandIo } from './command.js';

/**
 * The optional peer, imported by a non-literal name: capstan must compile and run where it is not installed
 * (an operator image builds capstan without it), so TypeScript must not resolve it.
 */
export const LOCALCLUSTER_PACKAGE: string = '@capstan/localcluster';

export const clusterCommand: Command = {
  summary: 'start/stop/inspect a local control plane (needs @capstan/localcluster)',
  run: (argv, io) => delegate('cluster', argv, io),
};

export const kubectlCommand: Command = {
  summary: "the local cluster's own kubectl, same version as its server (capstan kubectl [--name NAME] ARGS...)",
  run: (argv, io) => delegate('kubectl', ['kubectl', ...argv], io),
};

async function delegate(command: string, argv: string[], io: CommandIo): Promise<number> {
  let mod: { runClusterCommand?: (argv: string[]) => Promise<number> };
  try {
    mod = (await import(LOCALCLUSTER_PACKAGE)) as typeof mod;
  } catch (error) {
    io.err(`capstan ${command}: @capstan/localcluster is not installed (npm install @capstan/localcluster): ${(error as Error).message}\n`);
    return exitCodes.unavailable;
  }
  if (typeof mod.runClusterCommand !== 'function') {
    io.err(`capstan ${command}: this @capstan/localcluster has no runClusterCommand\n`);
    return exitCodes.unavailable;
  }
  return mod.runClusterCommand(argv);
}
