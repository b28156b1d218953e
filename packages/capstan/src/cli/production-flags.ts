// The one flag vocabulary of probes, metrics and leader election: `capstan run` and every operator binary parse it here.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** parseArgs option specs, to spread into a command's options. */
export const productionOptions = {
  /** `--health-port PORT`: the probe server's port. */
  'health-port': {
    /** The parseArgs type: the flag takes a value. */
    type: 'string',
  },
  /** `--health-host ADDR`: the probe server's bind address. */
  'health-host': {
    /** The parseArgs type: the flag takes a value. */
    type: 'string',
  },
  /** `--standalone`: no leader election. */
  standalone: {
    /** The parseArgs type: a switch without a value. */
    type: 'boolean',
  },
  /** `--lease-namespace NS`: the leader Lease's namespace. */
  'lease-namespace': {
    /** The parseArgs type: the flag takes a value. */
    type: 'string',
  },
  /** `--lease-name NAME`: the leader Lease's name. */
  'lease-name': {
    /** The parseArgs type: the flag takes a value. */
    type: 'string',
  },
  /** `--stuck-worker-ms MS`: how long one object's round may run before liveness fails. */
  'stuck-worker-ms': {
    /** The parseArgs type: the flag takes a value. */
    type: 'string',
  },
} as const;

/** What differs between binaries: the probe port by default (0: off unless asked) and the Lease's name. */
export interface ProductionFlagDefaults {
  /** The probe port without `--health-port`; 0 leaves the probe server off. */
  healthPort: number;
  /** The Lease's name without `--lease-name`. */
  leaseName: string;
}

/** The usage lines of these flags, with the binary's defaults. */
export function productionUsage(defaults: ProductionFlagDefaults): string {
  const port = defaults.healthPort > 0 ? `default ${defaults.healthPort}` : 'default: off';
  return `  --health-port PORT     serve /healthz, /readyz and /metrics on this port (${port}; 0 = off)
  --health-host ADDR     bind address of that server (default: $POD_IP, else all interfaces)
  --lease-namespace NS   namespace of the leader-election Lease (default: $POD_NAMESPACE, then the
                         pod's service-account namespace; none: no leader election)
  --lease-name NAME      name of the Lease (default ${defaults.leaseName})
  --standalone           no leader election: this instance always acts
  --stuck-worker-ms MS   /healthz fails while one object's round runs longer than this (default 600000)
`;
}

/** The shared production flags as parsed (health port and host, Lease, standalone, stuck-worker time). */
export interface ProductionFlagValues {
  /** `--health-port`: a port number, 0 for off. */
  'health-port'?: string | undefined;
  /** `--health-host`: the probe server's bind address. */
  'health-host'?: string | undefined;
  /** `--standalone`: no leader election. */
  standalone?: boolean | undefined;
  /** `--lease-namespace`: the leader Lease's namespace. */
  'lease-namespace'?: string | undefined;
  /** `--lease-name`: the leader Lease's name. */
  'lease-name'?: string | undefined;
  /** `--stuck-worker-ms`: an integer of at least 1000. */
  'stuck-worker-ms'?: string | undefined;
  /** `capstan run --dev` implies standalone. */
  dev?: boolean | undefined;
}

/** The parsed flags: what every operator process has. */
export interface ProductionFlags {
  /** Port of /healthz, /readyz and /metrics; 0 turns the probe server off. */
  healthPort: number;
  /** Bind address of the probe server (`--health-host`, else $POD_IP); undefined: all interfaces. */
  healthHost?: string | undefined;
  /** Namespace of the leader Lease; undefined (or `standalone`): no leader election. */
  leaseNamespace?: string | undefined;
  /** Name of the leader Lease (`--lease-name`, else the binary's default); empty: `<operator>-leader`. */
  leaseName: string;
  /** No leader election: this instance always acts (`--standalone`, or `--dev`). */
  standalone: boolean;
  /** This instance's name (the pod name): Events' reportingInstance and the base of the lease identity. */
  instance?: string | undefined;
  /** Liveness fails while one object's round runs longer than this; undefined: the health tracker's default. */
  stuckWorkerMs?: number | undefined;
}

const serviceAccountNamespace = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** From the flags and the environment (only CLIs read the environment; the library never does). */
export function productionFlagsFrom(
  values: ProductionFlagValues,
  env: Record<string, string | undefined>,
  defaults: ProductionFlagDefaults,
  files: { namespaceFile?: string } = {},
):
  | {
      /** The parsed flags. */
      flags: ProductionFlags;
      /** Things to log at start-up (no namespace for the Lease, so no leader election). */
      notes: string[];
    }
  | {
      /** What is wrong with the flags, for a usage message. */
      error: string;
    } {
  const notes: string[] = [];
  const portText = values['health-port'];
  const healthPort = portText === undefined ? defaults.healthPort : Number(portText);
  if (!Number.isInteger(healthPort) || healthPort < 0 || healthPort > 65535)
    return { error: `--health-port must be a port number (0 = off), got ${portText}` };
  let stuckWorkerMs: number | undefined;
  if (values['stuck-worker-ms'] !== undefined) {
    stuckWorkerMs = Number(values['stuck-worker-ms']);
    if (!Number.isInteger(stuckWorkerMs) || stuckWorkerMs < 1000)
      return { error: `--stuck-worker-ms must be an integer >= 1000, got ${values['stuck-worker-ms']}` };
  }
  const standalone = !!(values.standalone || values.dev);
  const file = files.namespaceFile ?? serviceAccountNamespace;
  const leaseNamespace = standalone
    ? undefined
    : values['lease-namespace'] || env.POD_NAMESPACE || (existsSync(file) ? readFileSync(file, 'utf8').trim() : '') || undefined;
  if (!standalone && !leaseNamespace) {
    notes.push(
      'no namespace for the leader Lease (give --lease-namespace or set POD_NAMESPACE): no leader election unless the operator configures it',
    );
  }
  const healthHost = values['health-host'] || env.POD_IP || undefined;
  return {
    flags: {
      healthPort,
      ...(healthHost ? { healthHost } : {}),
      ...(leaseNamespace ? { leaseNamespace } : {}),
      leaseName: values['lease-name'] || defaults.leaseName,
      standalone,
      instance: env.POD_NAME || env.HOSTNAME || hostname(),
      ...(stuckWorkerMs !== undefined ? { stuckWorkerMs } : {}),
    },
    notes,
  };
}
