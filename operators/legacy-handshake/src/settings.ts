// Operator settings from argv and environment, validated into one object (only main.ts touches the process).
import { parseArgs } from 'node:util';
import type { AdmissionSettings } from 'capstan';
import {
  admissionOptions,
  admissionSettingsFrom,
  admissionUsage,
  productionFlagsFrom,
  productionOptions,
  productionUsage,
  type ProductionFlags,
} from 'capstan/process';
import { SettingsError } from './errors.js';
import type { HandshakeOperatorOptions } from './operator.js';
import { parseSuffixRef, type SuffixRef } from './suffix.js';

/** The operator's own settings, plus capstan's shared flags (probes, leader election, instance). */
export interface HandshakeSettings extends ProductionFlags {
  /** Namespaces to watch (globs allowed, as capstan accepts them); empty with allNamespaces. */
  namespaces: string[];
  allNamespaces: boolean;
  suffixSecret: SuffixRef;
  /** Global bound on handshakes (and other handlers) running at once. */
  concurrency: number;
  /** Bound on each HTTP request of a handshake. */
  timeoutMs: number;
  /** How long a read suffix is trusted before the Secret is read again. */
  suffixMaxAgeMs: number;
  /** Whether labelled Deployments get the label and readiness gate in their pod template. */
  deploymentOptIn: boolean;
  /** Path of a kubeconfig; undefined means in-cluster, else ~/.kube/config. */
  kubeconfig: string | undefined;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The pod mutating webhook's server (--webhook-service or --webhook-local); undefined: template patching only. */
  admission?: AdmissionSettings;
}

const PRODUCTION_DEFAULTS = { healthPort: 8080, leaseName: 'legacy-handshake-operator' };

export const USAGE = `Usage: legacy-handshake-operator [options]

  -n, --namespace NS         watch this namespace (repeatable; globs like team-* allowed)
  -A, --all-namespaces       watch every namespace
      --suffix-secret REF    namespace/name[:key] of the Secret holding the suffix (key defaults to "suffix")
      --concurrency N        handshakes running at once (default 64)
      --timeout-ms MS        bound on each HTTP request to a pod (default 5000)
      --suffix-max-age-ms MS re-read the suffix Secret at least this often (default 30000)
      --[no-]deployment-opt-in  add label and readiness gate to labelled Deployments (default on)
      --kubeconfig PATH      kubeconfig to use (default: $KUBECONFIG, then in-cluster, then ~/.kube/config)
      --log-level LEVEL      debug|info|warn|error (default info)
  -h, --help                 this text
${productionUsage(PRODUCTION_DEFAULTS)}${admissionUsage('legacy-handshake-operator')}
Environment (used when the flag is absent): HANDSHAKE_NAMESPACES (comma-separated, or "*" for all),
HANDSHAKE_SUFFIX_SECRET, HANDSHAKE_CONCURRENCY, HANDSHAKE_TIMEOUT_MS, HANDSHAKE_DEPLOYMENT_OPT_IN
(true|false), HANDSHAKE_HEALTH_PORT, KUBECONFIG, LOG_LEVEL; POD_NAME (else HOSTNAME) names the instance.`;

export type ParsedCommand = { help: true } | { help: false; settings: HandshakeSettings };

/** Parses argv (without node and script) and env; throws SettingsError with a precise message. */
export function parseSettings(argv: string[], env: Record<string, string | undefined>): ParsedCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        namespace: { type: 'string', short: 'n', multiple: true },
        'all-namespaces': { type: 'boolean', short: 'A' },
        'suffix-secret': { type: 'string' },
        concurrency: { type: 'string' },
        'timeout-ms': { type: 'string' },
        'suffix-max-age-ms': { type: 'string' },
        'deployment-opt-in': { type: 'boolean' },
        'no-deployment-opt-in': { type: 'boolean' },
        ...productionOptions,
        ...admissionOptions,
        kubeconfig: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new SettingsError(error instanceof Error ? error.message : String(error), { cause: error });
  }
  if (values.help) return { help: true };

  let namespaces = values.namespace ?? [];
  let allNamespaces = values['all-namespaces'] ?? false;
  if (namespaces.length === 0 && !allNamespaces && env.HANDSHAKE_NAMESPACES) {
    const listed = env.HANDSHAKE_NAMESPACES.split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (listed.includes('*')) allNamespaces = true;
    else namespaces = listed;
  }
  if (allNamespaces && namespaces.length > 0) throw new SettingsError('use either --namespace or --all-namespaces, not both');
  if (!allNamespaces && namespaces.length === 0) {
    throw new SettingsError('no namespace to watch: pass --namespace NS (repeatable) or --all-namespaces');
  }
  for (const ns of namespaces) {
    if (!/^[a-z0-9*?]([-a-z0-9*?]{0,61}[a-z0-9*?])?$/.test(ns))
      throw new SettingsError(`--namespace ${JSON.stringify(ns)} is not a namespace name or glob`);
  }

  const suffixText = values['suffix-secret'] ?? env.HANDSHAKE_SUFFIX_SECRET;
  if (!suffixText) throw new SettingsError('no suffix Secret: pass --suffix-secret namespace/name[:key] (or set HANDSHAKE_SUFFIX_SECRET)');

  if (values['deployment-opt-in'] && values['no-deployment-opt-in']) {
    throw new SettingsError('use either --deployment-opt-in or --no-deployment-opt-in');
  }
  const optInFlag = values['no-deployment-opt-in'] ? false : values['deployment-opt-in'];
  const logLevel = values['log-level'] ?? env.LOG_LEVEL ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel))
    throw new SettingsError(`--log-level ${JSON.stringify(logLevel)} is not debug|info|warn|error`);

  const production = productionFlagsFrom(
    { ...values, 'health-port': values['health-port'] ?? env.HANDSHAKE_HEALTH_PORT },
    env,
    PRODUCTION_DEFAULTS,
  );
  if ('error' in production) throw new SettingsError(production.error);
  const admission = admissionSettingsFrom(values, {
    operatorName: 'legacy-handshake-operator',
    namespace: env.POD_NAMESPACE,
    podIP: env.POD_IP,
  });
  if ('error' in admission) throw new SettingsError(admission.error);
  return {
    help: false,
    settings: {
      namespaces,
      allNamespaces,
      suffixSecret: parseSuffixRef(suffixText),
      concurrency: integer('--concurrency', values.concurrency ?? env.HANDSHAKE_CONCURRENCY, 64, 1, 1024),
      timeoutMs: integer('--timeout-ms', values['timeout-ms'] ?? env.HANDSHAKE_TIMEOUT_MS, 5000, 100, 600_000),
      suffixMaxAgeMs: integer('--suffix-max-age-ms', values['suffix-max-age-ms'], 30_000, 0, 86_400_000),
      deploymentOptIn: optInFlag ?? boolean('HANDSHAKE_DEPLOYMENT_OPT_IN', env.HANDSHAKE_DEPLOYMENT_OPT_IN, true),
      ...production.flags,
      kubeconfig: values.kubeconfig ?? env.KUBECONFIG,
      logLevel: logLevel as HandshakeSettings['logLevel'],
      ...(admission.settings ? { admission: admission.settings } : {}),
    },
  };
}

function integer(flag: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined || text === '') return fallback;
  if (!/^[0-9]+$/.test(text)) throw new SettingsError(`${flag} ${JSON.stringify(text)} is not a whole number`);
  const value = Number(text);
  if (value < min || value > max) throw new SettingsError(`${flag} ${value} is out of range (${min}-${max})`);
  return value;
}

function boolean(name: string, text: string | undefined, fallback: boolean): boolean {
  if (text === undefined || text === '') return fallback;
  if (text === 'true' || text === '1') return true;
  if (text === 'false' || text === '0') return false;
  throw new SettingsError(`${name}=${JSON.stringify(text)} is not true or false`);
}

/** The operator's options from its settings (the process adds credentials and the logger). */
export function operatorOptions(settings: HandshakeSettings): HandshakeOperatorOptions {
  return {
    namespaces: settings.namespaces,
    allNamespaces: settings.allNamespaces,
    suffixSecret: settings.suffixSecret,
    concurrency: settings.concurrency,
    timeoutMs: settings.timeoutMs,
    suffixMaxAgeMs: settings.suffixMaxAgeMs,
    deploymentOptIn: settings.deploymentOptIn,
    ...(settings.admission ? { admission: settings.admission } : {}),
  };
}
