// Run an operator inside the test process against a cluster, collecting its log lines.
import { ApiClient } from '../client/surface.js';
import { consoleLogger, type Logger } from '../core/logging.js';
import type { Operator, RunOptions } from '../core/types.js';

/** What `runOperatorInProcess` gives an operator factory: the kubeconfig, a logger and the namespaces. */
export interface InProcessSettings {
  /** The kubeconfig file of the cluster the operator runs against. */
  kubeconfigPath: string;
  /** The namespaces the operator is run with, when the options gave some. */
  namespaces?: string[];
  /** Set when the options asked to run in all namespaces. */
  allNamespaces?: boolean;
  /** The logger the operator gets (a factory may pass it to createOperator). */
  logger: Logger;
}

/** A function that builds an operator from `runOperatorInProcess`'s settings. */
export type OperatorFactory = (settings: InProcessSettings) => Operator | Promise<Operator>;

/** Options of `runOperatorInProcess`: kubeconfig, namespaces, log level, readiness wait and leader election. */
export interface RunInProcessOptions {
  /** The kubeconfig file of the cluster to run against; the admin client uses it too. */
  kubeconfigPath: string;
  /** Run in these namespaces, overriding the operator's settings. */
  namespaces?: string[];
  /** Run in all namespaces, overriding the operator's settings. */
  allNamespaces?: boolean;
  /** Log level of the collected lines. Default 'debug'. */
  level?: 'debug' | 'info' | 'warn' | 'error';
  /** Also print the lines to stderr (debugging a test). */
  echo?: boolean;
  /** Wait for the operator's initial lists before resolving. Default true. */
  waitReady?: boolean;
  /** Leader election (a Lease), as in production; default: none unless the operator's settings ask for it. */
  leaderElection?: RunOptions['leaderElection'];
}

/** An operator started by `runOperatorInProcess`: its logs, an admin client, and `stop()`. */
export interface RunningOperator {
  /** The operator that runs (the factory's, when given one). */
  operator: Operator;
  /** Every log line so far (plain text), newest last. */
  logs: string[];
  /** An admin-ish client on the same cluster, for the test's own reads and writes. */
  client: ApiClient;
  /** Resolves when the operator's `run()` returned (it only does after stop()). */
  done: Promise<void>;
  /** Abort the run, wait for it to return and close the admin client. */
  stop(): Promise<void>;
}

/** Start `op` (or what the factory returns) with run-time overrides for the cluster and namespaces. */
export async function runOperatorInProcess(op: Operator | OperatorFactory, options: RunInProcessOptions): Promise<RunningOperator> {
  const logs: string[] = [];
  const logger = consoleLogger({
    level: options.level ?? 'debug',
    format: 'plain',
    write: (line) => {
      logs.push(line);
      if (options.echo) process.stderr.write(`${line}\n`);
    },
  });
  const settings: InProcessSettings = {
    kubeconfigPath: options.kubeconfigPath,
    logger,
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    ...(options.allNamespaces ? { allNamespaces: true } : {}),
  };
  const operator = typeof op === 'function' ? await op(settings) : op;
  const client = await ApiClient.create({ path: options.kubeconfigPath });
  const controller = new AbortController();
  const done = operator.run({
    signal: controller.signal,
    kubeconfig: { path: options.kubeconfigPath },
    logger,
    ...(options.namespaces ? { namespaces: options.namespaces } : {}),
    ...(options.allNamespaces ? { allNamespaces: true } : {}),
    ...(options.leaderElection !== undefined ? { leaderElection: options.leaderElection } : {}),
  });
  let failure: unknown;
  done.catch((error) => (failure = error));
  if (options.waitReady ?? true) {
    await Promise.race([operator.ready, done.then(() => undefined)]);
    if (failure) throw failure;
  }
  return {
    operator,
    logs,
    client,
    done,
    async stop() {
      controller.abort();
      await done;
      client.close();
    },
  };
}
