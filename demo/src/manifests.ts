// The demo's own manifest (the seed's AgeSecret), the key lines of identity files, and what it reads out of deploy/.
import { stringify } from 'yaml';
import { DemoError } from './errors.js';
import type { Manifest } from './kubectl.js';

/** The seed's AgeSecret, still in plaintext: what a developer writes before `age-secret encrypt`. */
export function plainAgeSecret(options: {
  name: string;
  namespace: string;
  secretName: string;
  secretKey: string;
  keySecret: string;
  value: string;
}): string {
  const doc = {
    apiVersion: 'pyvo.io/v1',
    kind: 'AgeSecret',
    metadata: { name: options.name, namespace: options.namespace },
    spec: { secretName: options.secretName, secretKey: options.secretKey, ageSecretRef: options.keySecret, secret: options.value },
  };
  return `# The demo AgeSecret in plaintext (a temp file, never in git); age-secret encrypt turns spec.secret into ENC[...].\n${stringify(doc)}`;
}

/** The AGE-SECRET-KEY-1... lines of an identity file (comments dropped): a renewed key Secret holds several. */
export function identityLines(fileText: string): string[] {
  return fileText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.startsWith('AGE-SECRET-KEY-1'));
}

/** The one AGE-SECRET-KEY-1... line of an identity file written by `age-secret keygen`. */
export function identityLine(fileText: string): string {
  const line = identityLines(fileText)[0];
  if (!line) throw new DemoError('the identity file holds no AGE-SECRET-KEY-1... line');
  return line;
}

/** The recipient `age-secret keygen -o FILE` prints on stderr ("Public key: age1..."). */
export function recipientFromKeygen(stderr: string): string {
  const match = /(age1[02-9ac-hj-np-z]{58})/.exec(stderr);
  if (!match?.[1]) throw new DemoError('age-secret keygen printed no recipient (age1...)');
  return match[1];
}

/** Numbers for the Macrodata Refinement screen: rows of two-digit numbers, different on every run. */
export function demoNumbers(random: () => number = Math.random, rows = 4, perRow = 8): string {
  const row = () => Array.from({ length: perRow }, () => String(Math.floor(random() * 100)).padStart(2, '0')).join(' ');
  return `${Array.from({ length: rows }, row).join('\n')}\n`;
}

export const withoutKind = (docs: Manifest[], kind: string): Manifest[] => docs.filter((d) => d.kind !== kind);

export interface ContainerPlan {
  container: string;
  args: string[];
  env: Record<string, string>;
  serviceAccount: string;
  namespace: string;
  /** The Deployment's spec.selector.matchLabels: how to find its pods. */
  selector: Record<string, string>;
}

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: { fieldRef?: { fieldPath: string } };
}
interface DeploymentDoc {
  metadata?: { name?: string; namespace?: string };
  spec?: {
    selector?: { matchLabels?: Record<string, string> };
    template?: { spec?: { serviceAccountName?: string; containers?: { name: string; args?: string[]; env?: EnvVar[] }[] } };
  };
}

/** The operator container of a rendered Deployment: its args, literal env (and metadata.namespace refs), ServiceAccount. */
export function operatorContainer(docs: Manifest[], deployment: string): ContainerPlan {
  const doc = docs.find((d) => d.kind === 'Deployment' && d.metadata?.name === deployment) as DeploymentDoc | undefined;
  const pod = doc?.spec?.template?.spec;
  const container = pod?.containers?.[0];
  const namespace = doc?.metadata?.namespace;
  if (!container || !namespace || !pod?.serviceAccountName)
    throw new DemoError(`deploy/: no Deployment ${deployment} with a namespace, a ServiceAccount and a container`);
  const env: Record<string, string> = {};
  for (const v of container.env ?? []) {
    if (v.value !== undefined) env[v.name] = v.value;
    else if (v.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[v.name] = namespace;
  }
  return {
    container: container.name,
    args: container.args ?? [],
    env,
    serviceAccount: pod.serviceAccountName,
    namespace,
    selector: doc?.spec?.selector?.matchLabels ?? {},
  };
}

/** Replaces (or adds) `--name=value` in an argument list. */
export function withFlag(args: string[], name: string, value: string): string[] {
  const kept = args.filter((a, i) => !(a === `--${name}` || a.startsWith(`--${name}=`) || args[i - 1] === `--${name}`));
  return [...kept, `--${name}=${value}`];
}

/**
 * The operator's args with its admission webhook served to an API server on this machine: the local cluster has
 * no Service routing, so `--webhook-service NAME` becomes `--webhook-local` (a free port, in-memory certificates).
 */
export function webhookOnThisMachine(args: string[]): string[] {
  if (!args.some((a) => a === '--webhook-service' || a.startsWith('--webhook-service='))) return args;
  const kept = args.filter(
    (a, i) => !(a.startsWith('--webhook-service') || args[i - 1] === '--webhook-service' || a.startsWith('--webhook-port')),
  );
  return [...kept, '--webhook-local', '--webhook-port=0'];
}

/** The documents with the named Deployment's first container args passed through `change`. */
export function withContainerArgs(docs: Manifest[], deployment: string, change: (args: string[]) => string[]): Manifest[] {
  return docs.map((d) => {
    if (d.kind !== 'Deployment' || d.metadata?.name !== deployment) return d;
    const copy = structuredClone(d) as DeploymentDoc & Manifest;
    const container = copy.spec?.template?.spec?.containers?.[0];
    if (container) container.args = change(container.args ?? []);
    return copy;
  });
}
