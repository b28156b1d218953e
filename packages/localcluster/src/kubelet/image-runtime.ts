// The image runtime: a container runs from its image's root filesystem under runc, as the pod spec says.
import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { ImageStore } from '../images/image-store.js';
import { oomKillCount } from '../memory-cgroup.js';
import type { LayoutImage } from '../images/oci-layout.js';
import { expandVars } from './env.js';
import {
  capabilitySet,
  effectiveSecurityContext,
  memoryBytes,
  parsePasswd,
  processIdentity,
  runtimeSpec,
  type BindMount,
  type ProcessIdentity,
} from './runtime-spec.js';
import type { Container, Pod, Volume } from './types.js';
import { SERVICE_ACCOUNT_DIR, underRoot } from './volumes.js';

const run = promisify(execFile);

/** Volumes whose files come from the API: a kubelet always mounts them read-only. */
const API_DATA = (v: Volume | undefined): boolean => !!(v?.secret || v?.configMap || v?.projected || v?.downwardAPI);

/** How the kubelet starts (and restarts) one container of the image runtime. */
export interface ImageLaunch {
  /**
   * Writes the bundle for the next start and returns the host command that runs the container in the
   * foreground (`runc run`, its exit is the container's); each start gets a fresh container id.
   */
  prepare(): string[];
  /** Removes the container of the last start, killing what is left of it. */
  cleanup(): Promise<void>;
  /** Whether the kernel's OOM killer ended the last start (its memory cgroup counted an oom_kill). */
  oomKilled(): boolean;
  /** Prefix that runs a command inside the running container (exec probes). */
  execPrefix(): string[];
  /** `<image>@sha256:...`: the imageID in the container status. */
  imageID: string;
}

/** Per-node settings of the image runtime. */
export interface ImageRuntimeOptions {
  store: ImageStore;
  /** runc's state folder (one per cluster: its containers are listed and removed there on shutdown). */
  runcRoot: string;
}

const readIfExists = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** Files and folders under `dir` (the folder itself included) handed to uid:gid, as a kubelet does for fsGroup/runAsUser. */
function chownTree(dir: string, uid: number, gid: number): void {
  if (!existsSync(dir)) return;
  chownSync(dir, uid, gid);
  if (!lstatSync(dir).isDirectory()) return;
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, rel);
    if (!lstatSync(path).isSymbolicLink()) chownSync(path, uid, gid);
  }
}

/** Kubernetes' rule: `command` replaces the ENTRYPOINT, `args` replace the CMD; $(VAR) expanded from the container env. */
export function imageArgv(container: Container, image: LayoutImage, env: Record<string, string>): string[] {
  const argv = container.command?.length
    ? [...container.command, ...(container.args ?? [])]
    : [...image.config.entrypoint, ...(container.args ?? image.config.cmd)];
  return argv.map((a) => expandVars(a, env));
}

/** The image's ENV as a map (the pod's variables are laid over it). */
export function imageEnv(image: LayoutImage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of image.config.env) {
    const at = pair.indexOf('=');
    if (at > 0) out[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return out;
}

/**
 * Prepares one container of a pod: identity (refusing what the image cannot satisfy), root filesystem, mounts,
 * and the runc bundle. Throws ContainerConfigRefusal for a securityContext the image cannot meet.
 */
export async function prepareImageContainer(options: {
  runtime: ImageRuntimeOptions;
  pod: Pod;
  podDir: string;
  root: string;
  container: Container;
  image: LayoutImage;
  env: Record<string, string>;
}): Promise<ImageLaunch> {
  const { runtime, pod, podDir, root, container, image, env } = options;
  const rootfs = await runtime.store.rootfs(image);
  const identity: ProcessIdentity = processIdentity({
    pod,
    container,
    imageUser: image.config.user,
    passwd: parsePasswd(readIfExists(join(rootfs, 'etc', 'passwd'))),
    groups: parsePasswd(readIfExists(join(rootfs, 'etc', 'group'))),
  });
  const sc = effectiveSecurityContext(pod, container);
  const volumes = new Map((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  const mounts: BindMount[] = [];
  for (const m of container.volumeMounts ?? []) {
    const volume = volumes.get(m.name);
    const source = m.subPath ? underRoot(root, m.mountPath) : join(podDir, 'volumes', m.name);
    if (volume?.emptyDir) chmodSync(source, 0o777); // a kubelet's emptyDir is world-writable
    // The container's user must read its Secret and token files: they are handed to it, as with fsGroup.
    if (API_DATA(volume)) chownTree(source, identity.uid, identity.gid);
    mounts.push({ source, destination: m.mountPath, readOnly: !!m.readOnly || API_DATA(volume) });
  }
  const saDir = underRoot(root, SERVICE_ACCOUNT_DIR);
  if (existsSync(saDir) && !mounts.some((m) => m.destination === SERVICE_ACCOUNT_DIR)) {
    chownTree(saDir, identity.uid, identity.gid);
    mounts.push({ source: saDir, destination: SERVICE_ACCOUNT_DIR, readOnly: true });
  }
  for (const file of ['/etc/hosts', '/etc/resolv.conf'])
    if (existsSync(file)) mounts.push({ source: file, destination: file, readOnly: true });

  const base = join(podDir, 'containers', container.name);
  mkdirSync(base, { recursive: true });
  // A writable root is an overlay over the shared, unpacked image: the container's writes stay in the pod.
  const readOnlyRoot = !!sc.readOnlyRootFilesystem;
  const merged = join(base, 'merged');
  if (!readOnlyRoot) {
    for (const d of ['upper', 'work', 'merged']) mkdirSync(join(base, d), { recursive: true });
    await run('mount', [
      '-t',
      'overlay',
      'overlay',
      '-o',
      `lowerdir=${rootfs},upperdir=${join(base, 'upper')},workdir=${join(base, 'work')}`,
      merged,
    ]);
  }
  const args = imageArgv(container, image, env);
  const idBase = `${(pod.metadata.uid ?? pod.metadata.name).slice(0, 13)}-${container.name}`;
  let starts = 0;
  let currentId = '';
  const runc = ['runc', '--root', runtime.runcRoot];
  const bundle = join(base, 'bundle');
  return {
    imageID: `${image.ref.split(':')[0]}@${image.digest}`,
    prepare() {
      currentId = `${idBase}-${starts++}`;
      mkdirSync(bundle, { recursive: true });
      const spec = runtimeSpec({
        rootfs: readOnlyRoot ? rootfs : merged,
        readOnlyRoot,
        args,
        env,
        cwd: container.workingDir || image.config.workingDir || '/',
        identity,
        capabilities: sc.privileged ? [] : capabilitySet(sc),
        noNewPrivileges: sc.allowPrivilegeEscalation === false,
        hostname: pod.spec.hostname ?? pod.metadata.name,
        mounts,
        memoryLimit: memoryBytes(container.resources?.limits?.memory),
        cgroupsPath: cgroupPath(currentId),
      });
      writeFileSync(join(bundle, 'config.json'), JSON.stringify(spec));
      // --keep: the container (and its cgroup, with the OOM counter) stays until cleanup() deletes it.
      return [...runc, 'run', '--keep', '--bundle', bundle, '--no-new-keyring', currentId];
    },
    async cleanup() {
      if (!currentId) return;
      await run('runc', [...runc.slice(1), 'delete', '--force', currentId]).catch(() => {});
    },
    execPrefix: () => [...runc, 'exec', currentId],
    oomKilled: () => oomKillCount(cgroupPath(currentId)) > 0,
  };
}

/** Where runc puts a container's cgroup: one folder per start under /capstan, so its counters can be read after it exits. */
const cgroupPath = (id: string): string => `/capstan/${id}`;

/** Unmounts a container's writable-root overlay when its pod goes. */
export async function releaseImageContainer(podDir: string, container: Container): Promise<void> {
  const merged = join(podDir, 'containers', container.name, 'merged');
  if (existsSync(merged)) await run('umount', ['-l', merged]).catch(() => {});
}

/** Removes every container runc still has in `runcRoot` (the kubelet's shutdown, or leftovers of a killed one). */
export async function removeAllContainers(runcRoot: string): Promise<void> {
  if (!existsSync(runcRoot)) return;
  const { stdout } = await run('runc', ['--root', runcRoot, 'list', '-q']).catch(() => ({ stdout: '' }));
  for (const id of stdout.split('\n').filter(Boolean)) await run('runc', ['--root', runcRoot, 'delete', '--force', id]).catch(() => {});
}
