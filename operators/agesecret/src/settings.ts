// The operator's settings from argv and env (pure: the caller passes both in).
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
import { AgeSecretError } from './errors.js';
import type { AgeSecretOperatorOptions } from './operator.js';
import type { DefaultIdentity } from './reconcile/key-source.js';
import { DEFAULT_MANAGED_KEY_SECRET, type ManagedKeysSettings } from './keys/namespace-keys.js';
import { DEFAULT_RENEWAL_MS, DEFAULT_RETIRE_GRACE_MS } from './keys/key-records.js';

export class SettingsError extends AgeSecretError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { reason: 'InvalidSettings', ...options });
  }
}

/** The operator's own settings, plus capstan's shared flags (probes, leader election, instance). */
export interface OperatorProcessSettings extends ProductionFlags {
  namespaces: string[];
  allNamespaces: boolean;
  operatorNamespace: string;
  defaultIdentity?: DefaultIdentity;
  requireBinding: boolean;
  concurrency: number;
  kubeconfig?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** The validating webhook's server (--webhook-service or --webhook-local); undefined: not served. */
  admission?: AdmissionSettings;
  /** Cluster-held namespace keys: the namespaces listed, whether the namespace label opts in, the key Secret's name. */
  managedKeys: ManagedKeysSettings;
  /** Roll opted-in workloads when a Secret they use changes (`--rollouts`). */
  rollouts: boolean;
}

const PRODUCTION_DEFAULTS = { healthPort: 8080, leaseName: 'agesecret-operator' };

export const USAGE = `Usage: agesecret-operator [options]

  --all-namespaces                 serve AgeSecrets in every namespace (default unless --namespace is given)
  -n, --namespace NS               serve this namespace (repeatable, globs allowed)
  --operator-namespace NS          the operator's own namespace (default: $POD_NAMESPACE or agesecret-system)
  --default-identity-secret NAME   Secret in the operator namespace (key secretKey) used when an AgeSecret has
                                   no ageSecretRef (default: agesecret-default-identity)
  --no-default-identity            disable the default identity: every AgeSecret needs ageSecretRef
  --require-binding                refuse ciphertexts not bound with age-secret encrypt --bind (adr/0010)
  --managed-keys-namespace NS      hold this namespace's age key: generate it in its key Secret when absent and
                                   publish its recipients in ConfigMap agesecret-recipients (repeatable)
  --managed-keys-label             also for namespaces labelled age-secret.pyvo.io/managed-keys=true
  --managed-key-secret NAME        the key Secret's name in those namespaces (default: agesecret-namespace-key)
  --managed-key-renewal DURATION   renew operator-made keys this often: 30d, 12h, 90m, 45s or seconds; 0 never
                                   (default 30d); old identities stay until no AgeSecret needs them
  --managed-key-retire-grace DURATION  and for at least this long after a renewal (default 7d; 0 as soon
                                   as nothing needs them): values encrypted before a renewal may come later
  --rollouts                       roll Deployments, StatefulSets and DaemonSets annotated
                                   age-secret.pyvo.io/rollout-on-change=true when a Secret they use changes
  --concurrency N                  reconciles running at once (default 16)
  --kubeconfig FILE                default: $KUBECONFIG, then in-cluster, then ~/.kube/config
  --log-level LEVEL                debug|info|warn|error (default $LOG_LEVEL or info)
${productionUsage(PRODUCTION_DEFAULTS)}${admissionUsage('agesecret-operator')}
Exit codes: 0 stopped by a signal, 1 the operator failed, 2 bad settings.`;

const int = (value: string | undefined, name: string, fallback: number, min: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new SettingsError(`${name} must be an integer >= ${min}`);
  return n;
};

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** A duration flag: a whole number with an optional unit s, m, h or d (seconds without one); 0 allowed. */
export function durationMs(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const match = /^(\d+)([smhd]?)$/.exec(value.trim());
  if (!match) throw new SettingsError(`${name} must be a duration such as 30d, 12h, 90m, 45s or a number of seconds`);
  return Number(match[1]) * UNIT_MS[match[2] || 's']!;
}

export function parseSettings(
  argv: string[],
  env: Record<string, string | undefined>,
): { help: true } | { help: false; settings: OperatorProcessSettings } {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        'all-namespaces': { type: 'boolean' },
        namespace: { type: 'string', short: 'n', multiple: true },
        'operator-namespace': { type: 'string' },
        'default-identity-secret': { type: 'string' },
        'no-default-identity': { type: 'boolean' },
        'require-binding': { type: 'boolean' },
        'managed-keys-namespace': { type: 'string', multiple: true },
        'managed-keys-label': { type: 'boolean' },
        'managed-key-secret': { type: 'string' },
        'managed-key-renewal': { type: 'string' },
        'managed-key-retire-grace': { type: 'string' },
        rollouts: { type: 'boolean' },
        concurrency: { type: 'string' },
        ...productionOptions,
        ...admissionOptions,
        kubeconfig: { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (cause) {
    throw new SettingsError((cause as Error).message.split('\n')[0] ?? 'invalid arguments', { cause });
  }
  if (values.help) return { help: true };
  const namespaces = values.namespace ?? [];
  if (values['all-namespaces'] && namespaces.length) throw new SettingsError('--all-namespaces and --namespace are exclusive');
  const operatorNamespace = values['operator-namespace'] ?? env['POD_NAMESPACE'] ?? 'agesecret-system';
  const identityName = values['default-identity-secret'] ?? 'agesecret-default-identity';
  if (values['no-default-identity'] && values['default-identity-secret'])
    throw new SettingsError('--no-default-identity and --default-identity-secret are exclusive');
  const logLevel = values['log-level'] ?? env['LOG_LEVEL'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new SettingsError('--log-level must be debug, info, warn or error');
  const kubeconfig = values.kubeconfig;
  const production = productionFlagsFrom(values, env, PRODUCTION_DEFAULTS);
  if ('error' in production) throw new SettingsError(production.error);
  const admission = admissionSettingsFrom(values, { operatorName: 'agesecret-operator', namespace: operatorNamespace, podIP: env.POD_IP });
  if ('error' in admission) throw new SettingsError(admission.error);
  return {
    help: false,
    settings: {
      namespaces,
      allNamespaces: namespaces.length === 0,
      operatorNamespace,
      ...(values['no-default-identity'] ? {} : { defaultIdentity: { namespace: operatorNamespace, name: identityName } }),
      requireBinding: values['require-binding'] ?? false,
      managedKeys: {
        namespaces: values['managed-keys-namespace'] ?? [],
        label: values['managed-keys-label'] ?? false,
        secretName: values['managed-key-secret'] ?? DEFAULT_MANAGED_KEY_SECRET,
        renewalMs: durationMs(values['managed-key-renewal'], '--managed-key-renewal', DEFAULT_RENEWAL_MS),
        retireGraceMs: durationMs(values['managed-key-retire-grace'], '--managed-key-retire-grace', DEFAULT_RETIRE_GRACE_MS),
      },
      rollouts: values.rollouts ?? false,
      concurrency: int(values.concurrency, '--concurrency', 16, 1),
      ...production.flags,
      ...(kubeconfig ? { kubeconfig } : {}),
      logLevel: logLevel as OperatorProcessSettings['logLevel'],
      ...(admission.settings ? { admission: admission.settings } : {}),
    },
  };
}

/** The operator's options from its settings (the process adds credentials and the logger). */
export function operatorOptions(settings: OperatorProcessSettings): AgeSecretOperatorOptions {
  return {
    ...(settings.allNamespaces ? { allNamespaces: true } : { namespaces: settings.namespaces }),
    ...(settings.defaultIdentity ? { defaultIdentity: settings.defaultIdentity } : {}),
    requireBinding: settings.requireBinding,
    managedKeys: settings.managedKeys,
    ...(settings.rollouts ? { rollouts: true } : {}),
    concurrency: settings.concurrency,
    ...(settings.admission ? { admission: settings.admission } : {}),
  };
}
