// The operator's settings from argv and env (pure: the caller passes both in).
import { parseArgs } from 'node:util';
import { AgeSecretError } from './errors.js';
import type { DefaultIdentity } from './reconcile/key-source.js';

export class SettingsError extends AgeSecretError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { reason: 'InvalidSettings', ...options });
  }
}

export interface OperatorProcessSettings {
  namespaces: string[];
  allNamespaces: boolean;
  operatorNamespace: string;
  defaultIdentity?: DefaultIdentity;
  requireBinding: boolean;
  concurrency: number;
  healthPort: number;
  /** Bind address of /healthz, /readyz, /metrics; undefined: $POD_IP when set, else all interfaces. */
  healthHost?: string;
  /** Namespace of the leader Lease; undefined (or standalone): no leader election. */
  leaseNamespace?: string;
  leaseName: string;
  standalone: boolean;
  /** This instance's name (pod name): Event reportingInstance, base of the lease identity. */
  instance?: string;
  kubeconfig?: string;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const USAGE = `Usage: agesecret-operator [options]

  --all-namespaces                 serve AgeSecrets in every namespace (default unless --namespace is given)
  -n, --namespace NS               serve this namespace (repeatable, globs allowed)
  --operator-namespace NS          the operator's own namespace (default: $POD_NAMESPACE or agesecret-system)
  --default-identity-secret NAME   Secret in the operator namespace (key secretKey) used when an AgeSecret has
                                   no ageSecretRef (default: agesecret-default-identity)
  --no-default-identity            disable the default identity: every AgeSecret needs ageSecretRef
  --require-binding                refuse ciphertexts not bound with age-secret encrypt --bind (adr/0010)
  --concurrency N                  reconciles running at once (default 16)
  --health-port N                  /healthz, /readyz and /metrics (default 8080; 0 disables)
  --health-host ADDR               bind address of that server (default: $POD_IP, else all interfaces)
  --lease-namespace NS             namespace of the leader-election Lease (default: $POD_NAMESPACE; none: no election)
  --lease-name NAME                name of the Lease (default agesecret-operator)
  --standalone                     no leader election: this instance always acts
  --kubeconfig FILE                default: in-cluster, then $KUBECONFIG, then ~/.kube/config
  --log-level LEVEL                debug|info|warn|error (default $LOG_LEVEL or info)

Exit codes: 0 stopped by a signal, 1 the operator failed, 2 bad settings.`;

const int = (value: string | undefined, name: string, fallback: number, min: number): number => {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new SettingsError(`${name} must be an integer >= ${min}`);
  return n;
};

export function parseSettings(argv: string[], env: Record<string, string | undefined>): { help: true } | { help: false; settings: OperatorProcessSettings } {
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
        concurrency: { type: 'string' },
        'health-port': { type: 'string' },
        'health-host': { type: 'string' },
        'lease-namespace': { type: 'string' },
        'lease-name': { type: 'string' },
        standalone: { type: 'boolean' },
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
  if (values['no-default-identity'] && values['default-identity-secret']) throw new SettingsError('--no-default-identity and --default-identity-secret are exclusive');
  const logLevel = values['log-level'] ?? env['LOG_LEVEL'] ?? 'info';
  if (!['debug', 'info', 'warn', 'error'].includes(logLevel)) throw new SettingsError('--log-level must be debug, info, warn or error');
  const kubeconfig = values.kubeconfig;
  const healthHost = values['health-host'] || env['POD_IP'] || undefined;
  const leaseNamespace = values['lease-namespace'] || env['POD_NAMESPACE'] || undefined;
  const instance = env['POD_NAME'] || env['HOSTNAME'] || undefined;
  return {
    help: false,
    settings: {
      namespaces,
      allNamespaces: namespaces.length === 0,
      operatorNamespace,
      ...(values['no-default-identity'] ? {} : { defaultIdentity: { namespace: operatorNamespace, name: identityName } }),
      requireBinding: values['require-binding'] ?? false,
      concurrency: int(values.concurrency, '--concurrency', 16, 1),
      healthPort: int(values['health-port'], '--health-port', 8080, 0),
      ...(healthHost ? { healthHost } : {}),
      ...(leaseNamespace ? { leaseNamespace } : {}),
      leaseName: values['lease-name'] || 'agesecret-operator',
      standalone: values.standalone ?? false,
      ...(instance ? { instance } : {}),
      ...(kubeconfig ? { kubeconfig } : {}),
      logLevel: logLevel as OperatorProcessSettings['logLevel'],
    },
  };
}
