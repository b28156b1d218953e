// Materialises a pod's volumes as files under its pod root: every mountPath (and subPath) maps to <root>/<mountPath>.
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
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

interface FileContent {
  data: Buffer;
  mode: number;
}

/** Files of one volume, relative path -> content. */
type VolumeFiles = Map<string, FileContent>;

function addEntries(files: VolumeFiles, entries: Map<string, Buffer>, items: KeyToPath[] | undefined, label: string, mode = 0o644): void {
  const list: KeyToPath[] = items ?? [...entries.keys()].map((key) => ({ key, path: key }));
  for (const item of list) {
    const value = entries.get(item.key);
    if (value === undefined) throw new MountError(`${label}: key "${item.key}" not found`);
    files.set(normalize(item.path), { data: value, mode: item.mode ?? mode });
  }
}

/** A volume whose content comes from API objects and may change while the pod runs (tokens excluded). */
export function isRefreshable(volume: Volume): boolean {
  if (volume.secret || volume.configMap) return true;
  return !!volume.projected && !(volume.projected.sources ?? []).some((s) => s.serviceAccountToken);
}

/** undefined for volumes that are just directories (emptyDir and the like). */
async function volumeFiles(pod: Pod, volume: Volume, sources: VolumeSources): Promise<VolumeFiles | undefined> {
  const ns = pod.metadata.namespace ?? 'default';
  const files: VolumeFiles = new Map();
  const fromObject = async (
    kind: 'Secret' | 'ConfigMap',
    name: string,
    items: KeyToPath[] | undefined,
    optional: boolean | undefined,
    mode?: number,
  ) => {
    const obj = await sources.get(kind, name);
    if (!obj) {
      if (optional) return;
      throw new MountError(
        `MountVolume.SetUp failed for volume "${volume.name}" : ${kind.toLowerCase()} "${name}" not found in namespace ${ns}`,
      );
    }
    addEntries(files, dataEntries(kind, obj), items, `volume "${volume.name}" (${kind.toLowerCase()} ${name})`, mode);
  };
  const downward = (items: { path: string; fieldRef?: { fieldPath: string } }[] | undefined) => {
    for (const item of items ?? []) {
      const value = item.fieldRef ? (podField(pod, item.fieldRef.fieldPath, sources) ?? '') : '';
      files.set(normalize(item.path), { data: Buffer.from(value), mode: 0o644 });
    }
  };
  if (volume.secret)
    await fromObject('Secret', volume.secret.secretName, volume.secret.items, volume.secret.optional, volume.secret.defaultMode);
  else if (volume.configMap)
    await fromObject('ConfigMap', volume.configMap.name, volume.configMap.items, volume.configMap.optional, volume.configMap.defaultMode);
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
        files.set(normalize(source.serviceAccountToken.path), { data: Buffer.from(token), mode: 0o600 });
      }
    }
  } else return undefined;
  return files;
}

/**
 * Makes `dir` hold exactly `files`: changed files are replaced atomically (write + rename, so a reader
 * never sees half a file), files no longer wanted are removed. Returns whether anything changed.
 */
function syncDir(dir: string, files: VolumeFiles, previous: Set<string>): boolean {
  let changed = false;
  for (const [rel, content] of files) {
    const file = underRoot(dir, rel);
    let current: Buffer | undefined;
    try {
      current = readFileSync(file);
    } catch {
      current = undefined;
    }
    if (current && current.equals(content.data)) continue;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(`${file}.capstan-tmp`, content.data, { mode: content.mode });
    renameSync(`${file}.capstan-tmp`, file);
    changed = true;
  }
  for (const rel of previous) {
    if (!files.has(rel)) {
      rmSync(underRoot(dir, rel), { force: true });
      changed = true;
    }
  }
  return changed;
}

/** Files under a volume directory, relative (the directory belongs to the volume alone). */
function filesIn(dir: string): Set<string> {
  const out = new Set<string>();
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    if (lstatSync(join(dir, rel)).isFile()) out.add(normalize(rel));
  }
  return out;
}

async function fillVolume(pod: Pod, volume: Volume, dir: string, sources: VolumeSources): Promise<boolean> {
  mkdirSync(dir, { recursive: true });
  const files = await volumeFiles(pod, volume, sources);
  if (!files) return false; // emptyDir, persistentVolumeClaim, hostPath...: an empty directory for the pod's life
  return syncDir(dir, files, filesIn(dir));
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
export async function materialiseVolumes(options: {
  pod: Pod;
  podDir: string;
  root: string;
  sources: VolumeSources;
}): Promise<Set<string>> {
  const { pod, podDir, root, sources } = options;
  const volumesDir = join(podDir, 'volumes');
  const byName = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  for (const volume of byName.values()) await fillVolume(pod, volume, join(volumesDir, volume.name), sources);
  const mounted = new Set<string>();
  for (const container of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const mount of container.volumeMounts ?? []) {
      if (!byName.has(mount.name)) throw new MountError(`container ${container.name}: volume "${mount.name}" is not defined in the pod`);
      const target = underRoot(root, mount.mountPath);
      if (mount.subPath) {
        // Like a kubelet's bind mount of a subPath: a snapshot taken at start, not updated with the Secret.
        const source = underRoot(join(volumesDir, mount.name), mount.subPath);
        if (!existsSync(source)) mkdirSync(source, { recursive: true });
        if (existsSync(target) || isSymlink(target)) rmSync(target, { recursive: true, force: true });
        mkdirSync(dirname(target), { recursive: true });
        cpSync(source, target, { recursive: true });
      } else {
        link(join(volumesDir, mount.name), target);
      }
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

/**
 * Re-reads the Secrets/ConfigMaps behind a running pod's volumes and updates their files, as a kubelet's
 * periodic sync does (subPath mounts are copies and keep their content). A missing object keeps the last content.
 */
export async function refreshVolumes(options: { pod: Pod; podDir: string; sources: VolumeSources }): Promise<boolean> {
  let changed = false;
  for (const volume of options.pod.spec.volumes ?? []) {
    if (!isRefreshable(volume)) continue;
    try {
      changed = (await fillVolume(options.pod, volume, join(options.podDir, 'volumes', volume.name), options.sources)) || changed;
    } catch (err) {
      if (!(err instanceof MountError)) throw err;
    }
  }
  return changed;
}
