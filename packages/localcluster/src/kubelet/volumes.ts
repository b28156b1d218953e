// Materialises a pod's volumes as files under its pod root: every mountPath (and subPath) maps to <root>/<mountPath>.
import { existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { podField } from './env.js';
import type { DataObject, KeyToPath, Pod, Volume } from './types.js';

/** A required Secret/ConfigMap is missing: kubelet keeps the pod ContainerCreating and reports FailedMount. */
export class MountError extends Error {
  override name = 'MountError';
}

export interface VolumeSources {
  get(kind: 'Secret' | 'ConfigMap', name: string): Promise<DataObject | undefined>;
  serviceAccountToken(options: { audience?: string; expirationSeconds?: number }): Promise<string>;
  podIP: string;
  hostIP: string;
}

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

/** `root` + an absolute container path, refusing `..` escapes. */
export function underRoot(root: string, containerPath: string): string {
  const clean = normalize(`/${containerPath}`);
  return join(root, clean);
}

function dataEntries(kind: 'Secret' | 'ConfigMap', obj: DataObject): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(obj.data ?? {})) out.set(k, kind === 'Secret' ? Buffer.from(v, 'base64') : Buffer.from(v, 'utf8'));
  for (const [k, v] of Object.entries(obj.binaryData ?? {})) out.set(k, Buffer.from(v, 'base64'));
  return out;
}

function writeEntries(dir: string, entries: Map<string, Buffer>, items: KeyToPath[] | undefined, label: string, mode = 0o644): void {
  const list: KeyToPath[] = items ?? [...entries.keys()].map((key) => ({ key, path: key }));
  for (const item of list) {
    const value = entries.get(item.key);
    if (value === undefined) throw new MountError(`${label}: key "${item.key}" not found`);
    const file = underRoot(dir, item.path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, value, { mode: item.mode ?? mode });
  }
}

async function fillVolume(pod: Pod, volume: Volume, dir: string, sources: VolumeSources): Promise<void> {
  mkdirSync(dir, { recursive: true });
  const ns = pod.metadata.namespace ?? 'default';
  const fromObject = async (kind: 'Secret' | 'ConfigMap', name: string, items: KeyToPath[] | undefined, optional: boolean | undefined, mode?: number) => {
    const obj = await sources.get(kind, name);
    if (!obj) {
      if (optional) return;
      throw new MountError(`MountVolume.SetUp failed for volume "${volume.name}" : ${kind.toLowerCase()} "${name}" not found in namespace ${ns}`);
    }
    writeEntries(dir, dataEntries(kind, obj), items, `volume "${volume.name}" (${kind.toLowerCase()} ${name})`, mode);
  };
  const downward = (items: { path: string; fieldRef?: { fieldPath: string } }[] | undefined) => {
    for (const item of items ?? []) {
      const value = item.fieldRef ? podField(pod, item.fieldRef.fieldPath, sources) ?? '' : '';
      const file = underRoot(dir, item.path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, value);
    }
  };
  if (volume.secret) await fromObject('Secret', volume.secret.secretName, volume.secret.items, volume.secret.optional, volume.secret.defaultMode);
  else if (volume.configMap) await fromObject('ConfigMap', volume.configMap.name, volume.configMap.items, volume.configMap.optional, volume.configMap.defaultMode);
  else if (volume.downwardAPI) downward(volume.downwardAPI.items);
  else if (volume.projected) {
    for (const source of volume.projected.sources ?? []) {
      if (source.secret) await fromObject('Secret', source.secret.name, source.secret.items, source.secret.optional);
      if (source.configMap) await fromObject('ConfigMap', source.configMap.name, source.configMap.items, source.configMap.optional);
      if (source.downwardAPI) downward(source.downwardAPI.items);
      if (source.serviceAccountToken) {
        const token = await sources.serviceAccountToken({
          ...(source.serviceAccountToken.audience ? { audience: source.serviceAccountToken.audience } : {}),
          ...(source.serviceAccountToken.expirationSeconds ? { expirationSeconds: source.serviceAccountToken.expirationSeconds } : {}),
        });
        writeFileSync(underRoot(dir, source.serviceAccountToken.path), token, { mode: 0o600 });
      }
    }
  }
  // emptyDir, persistentVolumeClaim, hostPath...: an empty directory that lives as long as the pod.
}

function link(target: string, at: string): void {
  mkdirSync(dirname(at), { recursive: true });
  if (existsSync(at) || isSymlink(at)) rmSync(at, { recursive: true, force: true });
  symlinkSync(target, at);
}

const isSymlink = (p: string) => {
  try {
    return lstatSync(p).isSymbolicLink();
  } catch {
    return false;
  }
};

/**
 * Writes every volume under `<podDir>/volumes/<name>` and links each container mount into the pod root.
 * Returns the container paths that are mounted (so the caller does not overwrite them).
 */
export async function materialiseVolumes(options: { pod: Pod; podDir: string; root: string; sources: VolumeSources }): Promise<Set<string>> {
  const { pod, podDir, root, sources } = options;
  const volumesDir = join(podDir, 'volumes');
  const byName = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  for (const volume of byName.values()) await fillVolume(pod, volume, join(volumesDir, volume.name), sources);
  const mounted = new Set<string>();
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const mount of container.volumeMounts ?? []) {
      if (!byName.has(mount.name)) throw new MountError(`container ${container.name}: volume "${mount.name}" is not defined in the pod`);
      const source = mount.subPath ? underRoot(join(volumesDir, mount.name), mount.subPath) : join(volumesDir, mount.name);
      if (mount.subPath && !existsSync(source)) mkdirSync(source, { recursive: true });
      link(source, underRoot(root, mount.mountPath));
      mounted.add(normalize(mount.mountPath));
    }
  }
  return mounted;
}

/** The in-cluster config files every pod with a ServiceAccount gets (token from the TokenRequest API). */
export function writeServiceAccountFiles(root: string, files: { token: string; ca: string; namespace: string }): void {
  const dir = underRoot(root, SERVICE_ACCOUNT_DIR);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'token'), files.token, { mode: 0o600 });
  writeFileSync(join(dir, 'ca.crt'), files.ca);
  writeFileSync(join(dir, 'namespace'), files.namespace);
}
