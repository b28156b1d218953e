// `capstan run` flags of the production features: --standalone, --probes ADDR, --lease-namespace, --lease-name, --stuck-worker-ms.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { ProductionSettings } from '../core/production/production-services.js';

/** parseArgs option specs, to spread into the run command's options. */
export const productionOptions = {
  standalone: { type: 'boolean' },
  probes: { type: 'string' },
  'lease-namespace': { type: 'string' },
  'lease-name': { type: 'string' },
  'stuck-worker-ms': { type: 'string' },
} as const;

export const productionUsage = `  --probes ADDR       serve /healthz, /readyz and /metrics on ADDR (PORT, :PORT or HOST:PORT)
  --standalone        no leader election: this instance always acts (implied by --dev)
  --lease-namespace NS
                      namespace of the leader Lease (default: $POD_NAMESPACE, then the pod's service account namespace)
  --lease-name NAME   name of the leader Lease (default: <operator>-leader)
  --stuck-worker-ms MS
                      /healthz fails while one object's round runs longer than this (default 600000)
`;

export interface ProductionFlagValues {
  standalone?: boolean | undefined;
  probes?: string | undefined;
  'lease-namespace'?: string | undefined;
  'lease-name'?: string | undefined;
  'stuck-worker-ms'?: string | undefined;
  dev?: boolean | undefined;
}

export interface ProductionFlagsResult {
  settings: ProductionSettings;
  /** Said to the user once the logger exists (e.g. why election is off). */
  notes: string[];
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** Parse `HOST:PORT`, `:PORT` or `PORT`. */
export function parseAddress(text: string): { host?: string; port: number } | undefined {
  const m = /^(?:(\[[^\]]+\]|[^:]*):)?(\d{1,5})$/.exec(text.trim());
  if (!m) return undefined;
  const port = Number(m[2]);
  if (port > 65535) return undefined;
  const host = m[1]?.replace(/^\[|\]$/g, '');
  return host ? { host, port } : { port };
}

/** Production settings from the flags and the environment (the CLI is the only place that reads them). */
export function productionSettingsFrom(
  values: ProductionFlagValues,
  env: Record<string, string | undefined>,
  files: { namespaceFile?: string } = {},
): ProductionFlagsResult | { error: string } {
  const notes: string[] = [];
  const settings: ProductionSettings = { instance: env.POD_NAME || env.HOSTNAME || hostname() };
  if (values.probes !== undefined) {
    const address = parseAddress(values.probes);
    if (!address) return { error: `--probes must be PORT, :PORT or HOST:PORT, got ${values.probes}` };
    settings.probes = address;
  }
  if (values['stuck-worker-ms'] !== undefined) {
    const ms = Number(values['stuck-worker-ms']);
    if (!Number.isInteger(ms) || ms < 1000) return { error: `--stuck-worker-ms must be an integer >= 1000, got ${values['stuck-worker-ms']}` };
    settings.health = { stuckWorkerMs: ms };
  }
  if (values.standalone || values.dev) {
    settings.leaderElection = false;
    return { settings, notes };
  }
  const file = files.namespaceFile ?? serviceAccountNamespace;
  const namespace = values['lease-namespace'] || env.POD_NAMESPACE || (existsSync(file) ? readFileSync(file, 'utf8').trim() : '');
  if (!namespace) {
    // Left unset (not false): a module that configured its own election keeps it; otherwise capstan runs standalone.
    notes.push('no namespace for the leader Lease (give --lease-namespace or set POD_NAMESPACE): no leader election unless the module configures it');
    return { settings, notes };
  }
  settings.leaderElection = { namespace, ...(values['lease-name'] ? { leaseName: values['lease-name'] } : {}) };
  return { settings, notes };
}
