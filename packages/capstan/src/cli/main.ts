// The `capstan` command line: dispatches to subcommands; the only place that touches the process.
import { pathToFileURL } from 'node:url';
import { commandNames, exitCodes, loadCommand, type CommandIo } from './commands.js';

const usage = () => `usage: capstan <command> [args]\ncommands: ${commandNames().join(', ')}\n  capstan <command> --help for details\n`;

export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage());
    return name ? exitCodes.ok : exitCodes.usage;
  }
  const load = loadCommand(name);
  if (!load) {
    io.err(`capstan: unknown command "${name}"\n${usage()}`);
    return exitCodes.usage;
  }
  return (await load).run(rest, io);
}

const isEntry = !!process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) {
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    // First signal: graceful stop; second: give up at once.
    if (++signals > 1) process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CommandIo = {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
    env: process.env,
    signal: controller.signal,
  };
  main(process.argv.slice(2), io).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`capstan: ${(error as Error)?.message ?? error}\n`);
      process.exit(exitCodes.failure);
    },
  );
}
