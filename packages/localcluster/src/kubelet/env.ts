// Container environment: env/envFrom with secretKeyRef, configMapKeyRef, fieldRef, and $(VAR) expansion like kubelet.
import type { Container, DataObject, Pod } from './types.js';

/** Thrown when a referenced Secret/ConfigMap/key is missing: the container waits (CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  override name = 'ContainerConfigError';
}

export interface EnvSources {
  /** Fetches a Secret or ConfigMap in the pod's namespace; undefined when it does not exist. */
  get(kind: 'Secret' | 'ConfigMap', name: string): Promise<DataObject | undefined>;
  podIP: string;
  hostIP: string;
}

const decode = (kind: 'Secret' | 'ConfigMap', obj: DataObject, key: string): string | undefined => {
  if (kind === 'Secret') {
    const b64 = obj.data?.[key];
    return b64 === undefined ? undefined : Buffer.from(b64, 'base64').toString('utf8');
  }
  const v = obj.data?.[key];
  if (v !== undefined) return v;
  const bin = obj.binaryData?.[key];
  return bin === undefined ? undefined : Buffer.from(bin, 'base64').toString('utf8');
};

/** Resolves metadata.name, status.podIP, metadata.labels['x'], ... (the fields kubelet supports). */
export function podField(pod: Pod, fieldPath: string, ips: { podIP: string; hostIP: string }): string | undefined {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(fieldPath);
  if (m) return (m[1] === 'labels' ? pod.metadata.labels : pod.metadata.annotations)?.[m[2] ?? ''] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return pod.metadata.name;
    case 'metadata.namespace':
      return pod.metadata.namespace ?? 'default';
    case 'metadata.uid':
      return pod.metadata.uid ?? '';
    case 'metadata.labels':
      return Object.entries(pod.metadata.labels ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'metadata.annotations':
      return Object.entries(pod.metadata.annotations ?? {})
        .map(([k, v]) => `${k}="${v}"`)
        .join('\n');
    case 'spec.nodeName':
      return pod.spec.nodeName ?? '';
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
      return ips.podIP;
    case 'status.podIPs':
      return ips.podIP;
    case 'status.hostIP':
      return ips.hostIP;
    default:
      return undefined;
  }
}

/** `$(VAR)` expands from `vars`, `$$(VAR)` escapes to `$(VAR)`, unknown references stay as written (kubelet's rules). */
export function expandVars(input: string, vars: Record<string, string>): string {
  return input.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (whole, name: string | undefined) => {
    if (whole === '$$') return '$';
    return name !== undefined && Object.hasOwn(vars, name) ? (vars[name] ?? '') : whole;
  });
}

export async function containerEnv(pod: Pod, container: Container, sources: EnvSources): Promise<Record<string, string>> {
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const kind = from.secretRef ? 'Secret' : 'ConfigMap';
    const ref = from.secretRef ?? from.configMapRef;
    if (!ref) continue;
    const obj = await sources.get(kind, ref.name);
    if (!obj) {
      if (ref.optional) continue;
      throw new ContainerConfigError(`${kind.toLowerCase()} "${ref.name}" not found`);
    }
    const keys = new Set([...Object.keys(obj.data ?? {}), ...Object.keys(obj.binaryData ?? {})]);
    for (const key of keys) env[`${from.prefix ?? ''}${key}`] = decode(kind, obj, key) ?? '';
  }
  for (const v of container.env ?? []) {
    if (v.valueFrom === undefined) {
      env[v.name] = expandVars(v.value ?? '', env);
      continue;
    }
    const { secretKeyRef, configMapKeyRef, fieldRef, resourceFieldRef } = v.valueFrom;
    if (secretKeyRef || configMapKeyRef) {
      const kind = secretKeyRef ? 'Secret' : 'ConfigMap';
      const ref = (secretKeyRef ?? configMapKeyRef)!;
      const obj = ref.name ? await sources.get(kind, ref.name) : undefined;
      const value = obj ? decode(kind, obj, ref.key) : undefined;
      if (value === undefined) {
        if (ref.optional) continue;
        throw new ContainerConfigError(
          obj
            ? `couldn't find key ${ref.key} in ${kind} ${pod.metadata.namespace}/${ref.name}`
            : `${kind.toLowerCase()} "${ref.name ?? ''}" not found`,
        );
      }
      env[v.name] = value;
    } else if (fieldRef) {
      const value = podField(pod, fieldRef.fieldPath, sources);
      if (value === undefined) throw new ContainerConfigError(`unsupported fieldRef ${fieldRef.fieldPath}`);
      env[v.name] = value;
    } else if (resourceFieldRef) {
      env[v.name] = '0'; // no resource accounting here
    }
  }
  return env;
}
