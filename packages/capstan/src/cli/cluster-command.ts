// `capstan cluster ...`: delegates to @capstan/localcluster (an optional peer dependency).
import { exitCodes, type Command } from './commands.js';

export const clusterCommand: Command = {
  summary: 'start/stop/inspect a local control plane (needs @capstan/localcluster)',
  async run(argv, io) {
    let mod: { runClusterCommand?: (argv: string[]) => Promise<number> };
    try {
      mod = await import('@capstan/localcluster');
    } catch (error) {
      io.err(`capstan cluster: @capstan/localcluster is not installed (npm install @capstan/localcluster): ${(error as Error).message}\n`);
      return exitCodes.unavailable;
    }
    if (typeof mod.runClusterCommand !== 'function') {
      io.err('capstan cluster: this @capstan/localcluster has no runClusterCommand\n');
      return exitCodes.unavailable;
    }
    return mod.runClusterCommand(argv);
  },
};
