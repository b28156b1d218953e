// The process entry of an operator binary: settings from argv/env, cluster credentials, signals and exit codes.
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfigSource } from '../client/surface.js';
import { consoleLogger, describeError, type Logger, type LogLevel } from '../core/logging.js';
import type { RunOptions } from '../core/types.js';
import { memoryLimits } from './memory-limits.js';
import type { ProductionFlags } from './production-flags.js';

/** What every operator process has: probes, leader election, identity (the shared flags), credentials and log level. */
export interface ProcessSettings extends ProductionFlags {
  /** Path of a kubeconfig file; undefined: in-cluster when in a pod, else $KUBECONFIG, else ~/.kube/config. */
  kubeconfig?: string | undefined;
  /** The least severe level logged. */
  logLevel: LogLevel;
}

/** An environment: variable names to values. */
export type ProcessEnv = Record<string, string | undefined>;

/** Everything `runOperatorProcess` hands the operator once the process is set up. */
export interface ProcessContext<S extends ProcessSettings> {
  /** The parsed settings. */
  settings: S;
  /** The process's logger: JSON lines on stderr at the settings' level. */
  logger: Logger;
  /** Where the cluster is, resolved as `processKubeconfig` does. */
  kubeconfig: KubeConfigSource;
  /** Probes and leader election as `Operator.run` options; spread them and add your own (e.g. `metrics`). */
  production: Omit<RunOptions, 'signal'>;
  /** Aborted on SIGTERM/SIGINT: pass it to `run` for a graceful stop. */
  signal: AbortSignal;
  /** The process's environment. */
  env: ProcessEnv;
}

/** An operator as a child process (tests, benchmarks, the demo): started, stopped, killed, restarted, probed. */
export interface OperatorProcess<S extends ProcessSettings> {
  /** The binary's name, in messages. */
  name: string;
  /** The usage text, printed for `--help` and after a usage error. */
  usage: string;
  /** Read the settings from the arguments and environment; throws a usage error on bad ones. */
  parse(
    argv: string[],
    env: ProcessEnv,
  ):
    | {
        /** Help was asked for: print the usage and exit 0. */
        help: true;
      }
    | {
        /** Help was not asked for. */
        help?: false;
        /** The settings to run with. */
        settings: S;
      };
  /** Whether an error thrown by `parse` is the user's (exit 2 with the usage) rather than a bug. */
  isUsageError(error: unknown): boolean;
  /** Start-up facts for the first log line (never secrets). */
  describe?(settings: S): Record<string, unknown>;
  /** Run until `ctx.signal` aborts; a rejection is logged and exits 1. */
  run(ctx: ProcessContext<S>): Promise<void>;
}

/** What an operator process reads and writes: argv, the environment, output streams and the stop signals. */
export interface ProcessIo {
  /** The arguments, without the node binary and script. */
  argv: string[];
  /** The environment. */
  env: ProcessEnv;
  /** Write to standard output (the usage for `--help`). */
  out(text: string): void;
  /** Write to standard error (usage errors). */
  err(text: string): void;
  /** Subscribes to the stop signals; the default listens for SIGTERM and SIGINT once. */
  onStop(listener: (signal: string) => void): void;
}

/** The exit codes of operator processes: 0 stopped by a signal, 1 the operator failed, 2 bad settings. */
export const processExitCodes = {
  /** The operator stopped normally (after a stop signal), or only help was printed. */
  ok: 0,
  /** The operator failed. */
  failure: 1,
  /** Bad arguments or environment. */
  usage: 2,
} as const;

/**
 * Where the cluster is, in controller-runtime's order: --kubeconfig, else $KUBECONFIG (its first existing file;
 * several existing files need merging: client-node's lookup), else the pod's service account when in a cluster
 * (the API server from KUBERNETES_SERVICE_HOST/_PORT; under the local kubelet simulator the service-account
 * files live below CAPSTAN_POD_ROOT), else ~/.kube/config.
 */
export function processKubeconfig(flag: string | undefined, env: ProcessEnv): KubeConfigSource {
  if (flag) return { path: flag };
  const fromEnv = (env.KUBECONFIG ?? '').split(':').filter((p) => p && existsSync(p));
  if (fromEnv.length > 1) return 'default';
  if (fromEnv[0]) return { path: fromEnv[0] };
  if (env.KUBERNETES_SERVICE_HOST) {
    const { KUBERNETES_SERVICE_HOST: host, KUBERNETES_SERVICE_PORT: port, CAPSTAN_POD_ROOT: root } = env;
    return { inCluster: true, host, ...(port ? { port } : {}), ...(root ? { root } : {}) };
  }
  return { path: join(env.HOME ?? homedir(), '.kube', 'config') };
}

/** capstan's probes (/healthz, /readyz, /metrics) and Lease leader election, from the process settings. */
export function productionRunOptions(settings: ProductionFlags): Omit<RunOptions, 'signal'> {
  return {
    ...(settings.healthPort > 0 ? { probes: { host: settings.healthHost ?? '0.0.0.0', port: settings.healthPort } } : {}),
    ...(settings.instance ? { instance: settings.instance } : {}),
    ...(settings.standalone ? { leaderElection: false as const } : {}),
    ...(settings.leaseNamespace && !settings.standalone
      ? { leaderElection: { namespace: settings.leaseNamespace, ...(settings.leaseName ? { leaseName: settings.leaseName } : {}) } }
      : {}),
    ...(settings.stuckWorkerMs !== undefined ? { health: { stuckWorkerMs: settings.stuckWorkerMs } } : {}),
  };
}

function processIo(): ProcessIo {
  return {
    argv: process.argv.slice(2),
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    onStop(listener) {
      for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => listener(signal));
    },
  };
}

/** Parse, set up logging, credentials and signals, run; resolves to the exit code (0 ok, 1 failure, 2 usage). */
export async function runOperatorProcess<S extends ProcessSettings>(op: OperatorProcess<S>, io: ProcessIo = processIo()): Promise<number> {
  let parsed;
  try {
    parsed = op.parse(io.argv, io.env);
  } catch (error) {
    if (!op.isUsageError(error)) throw error;
    io.err(`${op.name}: ${(error as Error).message}\n\n${op.usage}\n`);
    return processExitCodes.usage;
  }
  if (parsed.help) {
    io.out(`${op.usage}\n`);
    return processExitCodes.ok;
  }
  const settings = parsed.settings;
  const logger = consoleLogger({ level: settings.logLevel, format: 'json' });
  const stop = new AbortController();
  io.onStop((signal) => {
    logger.info('stopping', { signal });
    stop.abort();
  });
  const production = productionRunOptions(settings);
  const memory = memoryLimits();
  logger.info('starting', {
    ...op.describe?.(settings),
    probes: production.probes ? `${production.probes.host}:${production.probes.port}` : 'off',
    leaderElection: production.leaderElection ? `${production.leaderElection.namespace}/${production.leaderElection.leaseName}` : 'off',
    memoryLimitMiB: memory.limitMiB ?? 'none',
    heapLimitMiB: memory.heapLimitMiB,
  });
  if (memory.warning) logger.warn('memory limit', { warning: memory.warning });
  try {
    const kubeconfig = processKubeconfig(settings.kubeconfig, io.env);
    await op.run({ settings, logger, kubeconfig, production, signal: stop.signal, env: io.env });
    return processExitCodes.ok;
  } catch (error) {
    logger.error('operator failed', { error: describeError(error) });
    return processExitCodes.failure;
  }
}

// The flag vocabulary every operator binary shares with `capstan run`.
export {
  productionFlagsFrom,
  productionOptions,
  productionUsage,
  type ProductionFlagDefaults,
  type ProductionFlags,
  type ProductionFlagValues,
} from './production-flags.js';
export { admissionOptions, admissionSettingsFrom, admissionUsage, type AdmissionFlagValues } from './admission-flags.js';
