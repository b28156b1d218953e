// `npm run demo`: options, usage and the exit code around runDemo() (the caller owns the signals).
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { resolveKubernetesVersion } from '@capstan/localcluster';
import type { OperatorMode } from './context.js';
import { runDemo } from './run-demo.js';

export const USAGE = `Usage: npm run demo [-- options]

Starts a local Kubernetes cluster (no Docker), installs both operators from deploy/ and runs them with their
ServiceAccounts, encrypts an AgeSecret for two age identities, shows the Secret it becomes in the numbers
app, and the legacy app coming alive after its secret handshake. Runs until Ctrl-C, then cleans up.

Options:
  --once                 verify every outcome, print PASS/FAIL per check, clean up and exit (0: all passed)
  --operators MODE       pods (default): the operators' Deployments from deploy/ run as pods of the kubelet
                         simulator, with in-cluster credentials of their ServiceAccounts; processes: each
                         operator is a child process with its Deployment's args and a ServiceAccount token
  --images               run the images of docker-bake.hcl (built by \`npm run images\` with buildah; built first when
                         missing) with runc: every Deployment exactly as deploy/ has it, as non-root on a read-only
                         root; needs root
  --kubernetes X.Y       the local cluster's Kubernetes minor: 1.35, 1.36 or 1.37 (default 1.37); built once
  --timeout SECONDS      how long to wait for each condition (default 300)
  --no-color             plain output
  -h, --help

Exit codes: 0 success (or stopped with Ctrl-C after a successful start), 1 a check failed, 2 bad options,
130 interrupted before the demo was up.`;

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** The process as the command sees it: the `capstan` CLI passes its own (same shape as its CommandIo). */
export interface DemoIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Aborted on Ctrl-C: interrupts a step, or ends the running demo. */
  signal: AbortSignal;
  /** Colours when true and NO_COLOR is unset (default: whether stdout is a terminal). */
  isTTY?: boolean;
}

export async function demoCommand(argv: string[], io: DemoIo): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        once: { type: 'boolean', default: false },
        operators: { type: 'string', default: 'pods' },
        timeout: { type: 'string' },
        kubernetes: { type: 'string' },
        images: { type: 'boolean', default: false },
        'no-color': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    }));
  } catch (error) {
    io.err(`demo: ${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (values.help) {
    io.out(`${USAGE}\n`);
    return 0;
  }
  if (values.operators !== 'pods' && values.operators !== 'processes') {
    io.err(`demo: --operators must be pods or processes, not ${values.operators}\n`);
    return 2;
  }
  if (values.images && values.operators === 'processes') {
    io.err('demo: --images runs the operators as pods from their images; it does not go with --operators processes\n');
    return 2;
  }
  const timeout = values.timeout === undefined ? 300 : Number(values.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) {
    io.err('demo: --timeout must be a positive number of seconds\n');
    return 2;
  }
  try {
    resolveKubernetesVersion(values.kubernetes);
  } catch (error) {
    io.err(`demo: --kubernetes: ${(error as Error).message}\n`);
    return 2;
  }
  io.signal.addEventListener('abort', () => io.out('\nstopping (Ctrl-C again to force)...\n'), { once: true });
  const result = await runDemo({
    once: values.once,
    operatorMode: values.operators as OperatorMode,
    repoRoot,
    write: io.out,
    color: !values['no-color'] && (io.isTTY ?? process.stdout.isTTY === true) && !io.env['NO_COLOR'],
    signal: io.signal,
    waitTimeoutMs: timeout * 1000,
    kubernetesVersion: values.kubernetes,
    images: values.images,
  });
  if (result.interrupted) return 130;
  return result.ok ? 0 : 1;
}
