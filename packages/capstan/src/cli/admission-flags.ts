// The webhook server's flags (part of the shared vocabulary): where the API server reaches it, where certificates live.
import type { AdmissionSettings } from '../core/admission/types.js';

/** parseArgs option specs, to spread into a command's options. */
export const admissionOptions = {
  'webhook-port': { type: 'string' },
  'webhook-host': { type: 'string' },
  'webhook-service': { type: 'string' },
  'webhook-local': { type: 'boolean' },
  'webhook-cert-secret': { type: 'string' },
  'webhook-cert-dir': { type: 'string' },
  'webhook-refresh-ms': { type: 'string' },
} as const;

/** The parsed flag values, as parseArgs gives them. */
export interface AdmissionFlagValues {
  'webhook-port'?: string | undefined;
  'webhook-host'?: string | undefined;
  'webhook-service'?: string | undefined;
  'webhook-local'?: boolean | undefined;
  'webhook-cert-secret'?: string | undefined;
  'webhook-cert-dir'?: string | undefined;
  'webhook-refresh-ms'?: string | undefined;
  /** `capstan run --dev` serves webhooks to a local cluster with in-memory certificates. */
  dev?: boolean | undefined;
}

/** The usage lines of these flags. */
export function admissionUsage(operatorName: string): string {
  return `  --webhook-service NAME serve admission webhooks behind this Service (in $POD_NAMESPACE)
  --webhook-local        serve them to an API server on this machine (a local cluster; implied by --dev)
  --webhook-port PORT    the webhook server's port (default 9443; with --webhook-local any free port)
  --webhook-host ADDR    its bind address (default: $POD_IP behind a Service, else all interfaces; 127.0.0.1 when local)
  --webhook-cert-secret NAME  keep the CA and serving certificate in this Secret (default ${operatorName}-webhook-cert)
  --webhook-cert-dir DIR use tls.crt, tls.key and ca.crt from DIR instead (e.g. cert-manager's Secret, mounted)
  --webhook-refresh-ms MS check the certificates for renewal (re-read the Secret or files) this often (default 60000)
`;
}

/**
 * Admission settings from the flags; undefined when no endpoint is given (webhooks then are not served).
 * `namespace` is the operator's own (POD_NAMESPACE): the Service's and the certificate Secret's. `podIP` ($POD_IP):
 * behind a Service the server binds the pod's address, as the probes do, so that pods sharing a network (host
 * network, or a local cluster's pods) do not collide on 9443.
 */
export function admissionSettingsFrom(
  values: AdmissionFlagValues,
  context: { operatorName: string; namespace: string | undefined; podIP?: string | undefined },
): { settings: AdmissionSettings | undefined } | { error: string } {
  const local = values['webhook-local'] || values.dev;
  // A local endpoint's URL carries whatever port the server got: any free one will do.
  const portText = values['webhook-port'];
  const port = portText === undefined ? (local ? 0 : 9443) : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) return { error: `--webhook-port must be a port number, got ${portText}` };
  const service = values['webhook-service'];
  if (local && service) return { error: '--webhook-local and --webhook-service are exclusive' };
  if (!local && !service) return { settings: undefined };
  const refreshText = values['webhook-refresh-ms'];
  const refreshMs = refreshText === undefined ? undefined : Number(refreshText);
  if (refreshMs !== undefined && (!Number.isInteger(refreshMs) || refreshMs < 100))
    return { error: `--webhook-refresh-ms must be an integer >= 100, got ${refreshText}` };
  const dir = values['webhook-cert-dir'];
  if (dir && values['webhook-cert-secret']) return { error: '--webhook-cert-dir and --webhook-cert-secret are exclusive' };
  if (service && !context.namespace) return { error: '--webhook-service needs the operator namespace ($POD_NAMESPACE)' };
  const certificates: AdmissionSettings['certificates'] = dir
    ? { certFile: `${dir}/tls.crt`, keyFile: `${dir}/tls.key`, caFile: `${dir}/ca.crt` }
    : local && !values['webhook-cert-secret']
      ? { ephemeral: true }
      : {
          secret: {
            namespace: context.namespace ?? 'default',
            name: values['webhook-cert-secret'] || `${context.operatorName}-webhook-cert`,
          },
        };
  const host = values['webhook-host'] || (service ? context.podIP : undefined);
  return {
    settings: {
      port,
      ...(host ? { host } : {}),
      endpoint: local ? { local: true } : { service: { namespace: context.namespace!, name: service! } },
      certificates,
      ...(refreshMs !== undefined ? { refreshMs } : {}),
    },
  };
}
