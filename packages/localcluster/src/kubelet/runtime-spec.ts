// Pure decisions of the image runtime: who a container runs as, and the OCI runtime spec runc gets for it.
import type { Container, Pod, SecurityContext } from './types.js';

/** A pod spec the image cannot satisfy: the kubelet's reason and message (the container stays Waiting). */
export class ContainerConfigRefusal extends Error {
  override name = 'ContainerConfigRefusal';
  readonly reason = 'CreateContainerConfigError';
}

/** The uid/gid a container's process gets. */
export interface ProcessIdentity {
  uid: number;
  gid: number;
  additionalGids: number[];
}

/** `name_namespace(uid)`: how the kubelet names a pod in its messages. */
export function podDescription(pod: Pod): string {
  return `${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid ?? ''})`;
}

/** The pod's securityContext with the container's on top, as the kubelet merges them. */
export function effectiveSecurityContext(pod: Pod, container: Container): SecurityContext {
  const podSc = pod.spec.securityContext ?? {};
  const own = container.securityContext ?? {};
  const pick = <K extends keyof SecurityContext>(key: K): Partial<SecurityContext> =>
    own[key] !== undefined ? { [key]: own[key] } : podSc[key] !== undefined ? { [key]: podSc[key] } : {};
  return { ...own, ...pick('runAsUser'), ...pick('runAsGroup'), ...pick('runAsNonRoot') };
}

interface PasswdEntry {
  uid: number;
  gid: number;
}

/** `name:x:uid:gid:...` lines of the image's /etc/passwd (or /etc/group: name -> gid in `uid`). */
export function parsePasswd(text: string): Map<string, PasswdEntry> {
  const out = new Map<string, PasswdEntry>();
  for (const line of text.split('\n')) {
    const [name, , uid, gid] = line.split(':');
    if (name && uid !== undefined && /^\d+$/.test(uid)) out.set(name, { uid: Number(uid), gid: /^\d+$/.test(gid ?? '') ? Number(gid) : 0 });
  }
  return out;
}

/**
 * Who the container runs as, by the kubelet's rules: securityContext first, else the image's USER; with
 * runAsNonRoot, a root or unverifiable (non-numeric) user is refused with the kubelet's own message.
 */
export function processIdentity(options: {
  pod: Pod;
  container: Container;
  imageUser: string;
  passwd: Map<string, PasswdEntry>;
  groups: Map<string, PasswdEntry>;
}): ProcessIdentity {
  const { pod, container } = options;
  const sc = effectiveSecurityContext(pod, container);
  const where = `(pod: ${JSON.stringify(podDescription(pod))}, container: ${container.name})`;
  const [userPart = '', groupPart] = options.imageUser.split(':');
  const numericUser = /^\d+$/.test(userPart) ? Number(userPart) : userPart === '' ? 0 : undefined;
  if (sc.runAsNonRoot) {
    if (sc.runAsUser !== undefined) {
      if (sc.runAsUser === 0) throw new ContainerConfigRefusal(`container's runAsUser breaks non-root policy ${where}`);
    } else if (numericUser === undefined) {
      throw new ContainerConfigRefusal(
        `container has runAsNonRoot and image has non-numeric user (${userPart}), cannot verify user is non-root ${where}`,
      );
    } else if (numericUser === 0) {
      throw new ContainerConfigRefusal(`container has runAsNonRoot and image will run as root ${where}`);
    }
  }
  const named = numericUser === undefined ? options.passwd.get(userPart) : undefined;
  if (sc.runAsUser === undefined && numericUser === undefined && !named)
    throw new ContainerConfigRefusal(`unable to find user ${userPart}: no matching entries in passwd file ${where}`);
  const uid = sc.runAsUser ?? numericUser ?? named?.uid ?? 0;
  const imageGid =
    groupPart === undefined
      ? (named?.gid ?? [...options.passwd.values()].find((e) => e.uid === uid)?.gid ?? 0)
      : /^\d+$/.test(groupPart)
        ? Number(groupPart)
        : (options.groups.get(groupPart)?.uid ?? 0);
  const podSc = pod.spec.securityContext ?? {};
  const additional = [...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : []), ...(podSc.supplementalGroups ?? [])];
  return { uid, gid: sc.runAsGroup ?? imageGid, additionalGids: additional };
}

/** The capabilities a container runtime grants by default (containerd's and Docker's set). */
export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

const capName = (c: string): string => (c.toUpperCase().startsWith('CAP_') ? c.toUpperCase() : `CAP_${c.toUpperCase()}`);

/** The runtime's default set, minus `drop` (ALL drops everything), plus `add`. */
export function capabilitySet(sc: SecurityContext): string[] {
  const drop = (sc.capabilities?.drop ?? []).map(capName);
  const base = drop.includes('CAP_ALL') ? [] : DEFAULT_CAPABILITIES.filter((c) => !drop.includes(c));
  return [...new Set([...base, ...(sc.capabilities?.add ?? []).map(capName)])];
}

/** A bind mount of a host path into the container. */
export interface BindMount {
  source: string;
  destination: string;
  readOnly: boolean;
}

/** Everything the OCI runtime spec of one container is made of. */
export interface RuntimeSpecInput {
  rootfs: string;
  readOnlyRoot: boolean;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  identity: ProcessIdentity;
  capabilities: string[];
  noNewPrivileges: boolean;
  hostname: string;
  mounts: BindMount[];
  /** Memory limit in bytes (resources.limits.memory), if any. */
  memoryLimit?: number | undefined;
  /** The container's cgroup (so that its OOM counter can be read after it exits). */
  cgroupsPath?: string | undefined;
}

/** The OCI runtime spec (config.json) for runc: own mount/pid/ipc/uts namespaces, the host network. */
export function runtimeSpec(input: RuntimeSpecInput): Record<string, unknown> {
  const caps = input.capabilities;
  return {
    ociVersion: '1.0.2',
    process: {
      terminal: false,
      user: { uid: input.identity.uid, gid: input.identity.gid, additionalGids: input.identity.additionalGids },
      args: input.args,
      env: Object.entries(input.env).map(([k, v]) => `${k}=${v}`),
      cwd: input.cwd || '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      noNewPrivileges: input.noNewPrivileges,
    },
    root: { path: input.rootfs, readonly: input.readOnlyRoot },
    hostname: input.hostname,
    mounts: [
      { destination: '/proc', type: 'proc', source: 'proc' },
      { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
      {
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
      },
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
      { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
      { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
      ...input.mounts.map((m) => ({
        destination: m.destination,
        type: 'bind',
        source: m.source,
        options: ['rbind', 'nosuid', 'nodev', m.readOnly ? 'ro' : 'rw'],
      })),
    ],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      ...(input.cgroupsPath ? { cgroupsPath: input.cgroupsPath } : {}),
      ...(input.memoryLimit ? { resources: { memory: { limit: input.memoryLimit, swap: input.memoryLimit } } } : {}),
      maskedPaths: [
        '/proc/acpi',
        '/proc/asound',
        '/proc/kcore',
        '/proc/keys',
        '/proc/latency_stats',
        '/proc/timer_list',
        '/proc/timer_stats',
        '/proc/sched_debug',
        '/sys/firmware',
        '/proc/scsi',
      ],
      readonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
    },
  };
}

/** `512Mi`, `1G`, `1e9`, `100M` -> bytes (the quantity forms a memory limit takes); undefined when unparsable. */
export function memoryBytes(quantity: string | number | undefined): number | undefined {
  if (quantity === undefined) return undefined;
  const match = /^(\d+(?:\.\d+)?(?:e\d+)?)(Ki|Mi|Gi|Ti|k|M|G|T)?$/.exec(String(quantity).trim());
  if (!match) return undefined;
  const factor: Record<string, number> = { Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4, k: 1e3, M: 1e6, G: 1e9, T: 1e12 };
  return Math.round(Number(match[1]) * (match[2] ? (factor[match[2]] ?? 1) : 1));
}
