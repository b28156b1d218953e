// `npm run demo` / `capstan demo`: argument parsing, Ctrl-C handling and the exit code around runDemo().
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { OperatorMode } from './context.js';
import { runDemo } from './run-demo.js';

export const USAGE = `Usage: npm run demo [-- options]      (also: npx capstan demo [options])

Starts a local Kubernetes cluster (no Docker), installs both operators from deploy/ and runs them with their
ServiceAccounts, encrypts an AgeSecret for two age identities, shows the Secret it becomes in the numbers
app, and the legacy app coming alive after its secret handshake. Runs until Ctrl-C, then cleans up.

Options:
  --once                 verify every outcome, print PASS/FAIL per check, clean up and exit (0: all passed)
  --operators MODE       processes (default): each operator is a child process with its Deployment's args and
                         a ServiceAccount token; pods: the Deployments run as pods of the kubelet simulator
  --timeout SECONDS      how long to wait for each condition (default 300)
  --no-color             plain output
  -h, --help

Exit codes: 0 success (or stopped with Ctrl-C after a successful start), 1 a check failed, 2 bad options,
130 interrupted before the demo was up.`;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function demoCommand(argv: string[]): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        once: { type: 'boolean', default: false },
        operators: { type: 'string', default: 'processes' },
        timeout: { type: 'string' },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    process.stderr.write(`demo: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.operators !== 'pods' && values.operators !== 'processes') {
    process.stderr.write(`demo: --operators must be pods or processes, not ${values.operators}\n`);
    return 2;
  }
  const timeout = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    process.stderr.write('demo: --timeout must be a positive number of seconds\n');
    return 2;
  }

  const stop = new AbortController();
  let presses = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    presses += 1;
    if (presses === 1) {
      process.stdout.write(`\n${signal}: stopping (again to force)...\n`);
      stop.abort();
    } else {
      process.exit(130); // the cluster's reaper and pdeathsig still take its processes down
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    const result = await runDemo({
      once: values.once,
      operatorMode: values.operators as OperatorMode,
      repoRoot,
      write: (text) => process.stdout.write(text),
      color: !values['no-color'] && process.stdout.isTTY === true && !process.env['NO_COLOR'],
      signal: stop.signal,
      waitTimeoutMs: timeout * 1000,
    });
    if (result.interrupted) return 130;
    return result.ok ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
