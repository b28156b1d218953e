// One pod's life on the simulated node: images, IP, volumes, env, containers, status, graceful deletion.
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { KubeApi } from '../api.js';
import { KubeApiError } from '../errors.js';
import { requestServiceAccountToken } from '../service-accounts.js';
import { SERVICE_ACCOUNT_ISSUER } from '../apiserver.js';
import type { LayoutImage } from '../images/oci-layout.js';
import { ContainerRunner } from './container.js';
import { imageEnv, prepareImageContainer, releaseImageContainer, type ImageLaunch, type ImageRuntimeOptions } from './image-runtime.js';
import { ContainerConfigRefusal } from './runtime-spec.js';
import { containerEnv, ContainerConfigError, expandVars } from './env.js';
import type { EventRecorder } from './events.js';
import { imageName, readRegisteredImages, resolveCommand, type ImageRegistry, type ResolvedCommand } from './images.js';
import type { IpPool } from './ip-pool.js';
import { podLogPath, podRootDir } from './layout.js';
import { conditionsMatch, ownedConditions, podPhase, withTransitionTimes } from './status.js';
import type { Container, ContainerStatus, DataObject, Pod } from './types.js';
import { isRefreshable, materialiseVolumes, MountError, refreshVolumes, SERVICE_ACCOUNT_DIR, writeServiceAccountFiles } from './volumes.js';

export interface PodWorkerContext {
  api: KubeApi;
  nodeName: string;
  hostIP: string;
  clusterDir: string;
  pgidFile: string;
  apiserverPort: number;
  ca: string;
  images: ImageRegistry;
  /** Set: containers whose image is in the local image store run from it under runc. */
  imageRuntime?: ImageRuntimeOptions | undefined;
  ips: IpPool;
  events: EventRecorder;
  log: (line: string) => void;
}

const RETRY_MS = 1000;
/** How often mounted Secrets/ConfigMaps are re-read (a kubelet syncs about every minute; faster here for tests). */
const VOLUME_REFRESH_MS = 2000;
/** resourceVersions are etcd revisions here; anything unparsable counts as not newer. */
const newer = (a: string | undefined, b: string | undefined): boolean => {
  try {
    return BigInt(a ?? '0') > BigInt(b ?? '0');
  } catch {
    return false;
  }
};
const waitingReason = (s: ContainerStatus): string | undefined => ('waiting' in s.state ? s.state.waiting.reason : undefined);
const now = () => new Date().toISOString();

export class PodWorker {
  private pod: Pod;
  private gone = false;
  private running: Promise<void> = Promise.resolve();
  private pending = false;
  private started = false;
  private terminating = false;
  private finishedTeardown = false;
  private deleted = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private podIP: string | undefined;
  private startTime: string | undefined;
  private init: ContainerRunner[] = [];
  private main: ContainerRunner[] = [];
  private waiting = new Map<string, { reason: string; message?: string }>();
  private lastStatus = '';
  private commands = new Map<string, ResolvedCommand>();
  /** Containers that run from their image (image runtime), by container name. */
  private fromImage = new Map<string, LayoutImage>();
  private launches = new Map<string, ImageLaunch>();
  private envs = new Map<string, Record<string, string>>();

  constructor(
    private readonly ctx: PodWorkerContext,
    pod: Pod,
  ) {
    this.pod = pod;
  }

  private get ns(): string {
    return this.pod.metadata.namespace ?? 'default';
  }
  private get key(): string {
    return `${this.ns}/${this.pod.metadata.name}`;
  }
  private get podDir(): string {
    return podRootDir(this.ctx.clusterDir, this.ns, this.pod.metadata.name, this.pod.metadata.uid ?? '');
  }
  private get root(): string {
    return join(this.podDir, 'root');
  }

  update(pod: Pod): void {
    this.pod = pod;
    this.kick();
  }

  /** The pod no longer exists in the API: stop everything now. */
  removed(): Promise<void> {
    this.gone = true;
    this.kick();
    return this.running;
  }

  /** Kubelet shutdown: stop processes, keep the API object. */
  async shutdown(): Promise<void> {
    this.gone = true;
    this.kick();
    await this.running;
  }

  get done(): boolean {
    return this.finishedTeardown;
  }

  /** Serialises syncs; a change during a sync triggers exactly one more. */
  private kick(): void {
    if (this.pending) return;
    this.pending = true;
    this.running = this.running.then(async () => {
      this.pending = false;
      try {
        await this.sync();
      } catch (err) {
        if (!this.gone) {
          this.ctx.log(`kubelet: ${this.key}: ${(err as Error).message}`);
          this.retryLater();
        }
      }
    });
  }

  private retryLater(ms = RETRY_MS): void {
    if (this.retryTimer || this.gone) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.kick();
    }, ms);
  }

  private async sync(): Promise<void> {
    if (this.gone) return this.finishedTeardown ? undefined : this.teardown(2000);
    if (this.pod.metadata.deletionTimestamp) return this.terminate();
    if (this.finishedTeardown) return;
    if (!this.started) await this.prepareAndStart();
    await this.writeStatus();
  }

  private async prepareAndStart(): Promise<void> {
    const pod = this.pod;
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
    // 1. Images: an unknown one keeps the pod Pending, like an image that cannot be pulled.
    const unknown: Container[] = [];
    const registry = { ...this.ctx.images, ...readRegisteredImages(this.ctx.clusterDir) };
    this.commands.clear();
    this.fromImage.clear();
    for (const c of all) {
      const image = this.ctx.imageRuntime?.store.find(c.image);
      const cmd = image ? undefined : resolveCommand(registry, c);
      if (image) this.fromImage.set(c.name, image);
      else if (cmd) this.commands.set(c.name, cmd);
      else unknown.push(c);
    }
    if (unknown.length) {
      const store = this.ctx.imageRuntime ? `, nor in the image store (${this.ctx.imageRuntime.store.refs().join(', ') || 'empty'})` : '';
      for (const c of unknown) {
        const message = `image "${c.image}" is not known to the capstan kubelet simulator (no entry "${imageName(c.image)}" in its image registry; known: ${Object.keys(registry).sort().join(', ')}${store})`;
        this.waiting.set(c.name, { reason: 'ErrImagePull', message });
        await this.ctx.events.record(
          pod,
          'Warning',
          'Failed',
          `Failed to pull image "${c.image}": ${message}`,
          `spec.containers{${c.name}}`,
        );
      }
      this.retryLater(5000); // like an image pull back-off: the image may be registered later
      return;
    }
    for (const c of all) this.waiting.set(c.name, { reason: 'ContainerCreating' });
    this.podIP ??= pod.spec.hostNetwork ? this.ctx.hostIP : this.ctx.ips.allocate();
    this.startTime ??= now();
    // 2. Volumes and the ServiceAccount files.
    mkdirSync(this.root, { recursive: true });
    try {
      const mounted = await materialiseVolumes({ pod, podDir: this.podDir, root: this.root, sources: this.sources() });
      if (pod.spec.automountServiceAccountToken !== false && !mounted.has(SERVICE_ACCOUNT_DIR)) {
        writeServiceAccountFiles(this.root, { token: await this.token({}), ca: this.ctx.ca, namespace: this.ns });
      }
    } catch (err) {
      if (!(err instanceof MountError || err instanceof KubeApiError)) throw err;
      await this.ctx.events.record(pod, 'Warning', 'FailedMount', err.message);
      this.retryLater();
      return;
    }
    // 3. Environment of each container.
    for (const c of all) {
      try {
        this.envs.set(c.name, await this.processEnv(c));
      } catch (err) {
        if (!(err instanceof ContainerConfigError)) throw err;
        this.waiting.set(c.name, { reason: 'CreateContainerConfigError', message: err.message });
        await this.ctx.events.record(pod, 'Warning', 'Failed', `Error: ${err.message}`, `spec.containers{${c.name}}`);
        this.retryLater();
        return;
      }
    }
    // 4. Image containers: root filesystem, identity and bundle; a securityContext the image cannot meet stops here.
    for (const c of all) {
      const image = this.fromImage.get(c.name);
      if (!image || !this.ctx.imageRuntime || this.launches.has(c.name)) continue;
      try {
        const launch = await prepareImageContainer({
          runtime: this.ctx.imageRuntime,
          pod,
          podDir: this.podDir,
          root: this.root,
          container: c,
          image,
          env: this.envs.get(c.name) ?? {},
        });
        this.launches.set(c.name, launch);
      } catch (err) {
        if (!(err instanceof ContainerConfigRefusal)) throw err;
        this.waiting.set(c.name, { reason: err.reason, message: err.message });
        await this.ctx.events.record(pod, 'Warning', 'Failed', `Error: ${err.message}`, `spec.containers{${c.name}}`);
        this.retryLater(5000);
        return;
      }
    }
    // 5. Containers: init containers one after the other, then all the others.
    this.started = true;
    const policy = pod.spec.restartPolicy ?? 'Always';
    this.init = (pod.spec.initContainers ?? []).map((c) => this.runner(c, policy === 'Never' ? 'Never' : 'OnFailure'));
    this.main = pod.spec.containers.map((c) => this.runner(c, policy));
    this.advance();
    if ((pod.spec.volumes ?? []).some(isRefreshable)) this.scheduleRefresh();
  }

  private scheduleRefresh(): void {
    this.refreshTimer = setTimeout(() => {
      if (this.terminating || this.gone || this.finishedTeardown) return;
      refreshVolumes({ pod: this.pod, podDir: this.podDir, sources: this.sources() })
        .catch((err: Error) => this.ctx.log(`kubelet: ${this.key}: volume refresh: ${err.message}`))
        .finally(() => {
          if (!this.terminating && !this.gone && !this.finishedTeardown) this.scheduleRefresh();
        });
    }, VOLUME_REFRESH_MS);
  }

  private runner(c: Container, restartPolicy: 'Always' | 'OnFailure' | 'Never'): ContainerRunner {
    const env = this.envs.get(c.name) ?? {};
    const launch = this.launches.get(c.name);
    const cmd = this.commands.get(c.name) ?? { argv: [], cwd: undefined, env: {} };
    const logFile = podLogPath(this.ctx.clusterDir, this.ns, this.pod.metadata.name, c.name);
    mkdirSync(dirname(logFile), { recursive: true });
    return new ContainerRunner({
      container: c,
      argv: cmd.argv.map((a) => expandVars(a, env)),
      cwd: c.workingDir && !c.workingDir.startsWith('/') ? c.workingDir : cmd.cwd,
      env,
      logFile,
      pgidFile: this.ctx.pgidFile,
      podIP: this.podIP!,
      restartPolicy,
      ...(launch ? { launch } : {}),
      onChange: () => this.advance(),
    });
  }

  /** Moves init containers along and starts the main ones when all succeeded; then syncs status. */
  private advance(): void {
    if (this.terminating || this.gone) return this.kick();
    let initDone = true;
    for (const runner of this.init) {
      if (runner.finished && runner.exitCode === 0) continue;
      initDone = false;
      if (!runner.status().started && !runner.finished && waitingReason(runner.status()) !== 'CrashLoopBackOff') {
        this.waiting.delete(runner.name);
        runner.start();
        void this.ctx.events.record(
          this.pod,
          'Normal',
          'Started',
          `Started container ${runner.name}`,
          `spec.initContainers{${runner.name}}`,
        );
      }
      break;
    }
    if (initDone) {
      for (const runner of this.main) {
        if (waitingReason(runner.status()) === 'ContainerCreating' && !runner.status().started) {
          this.waiting.delete(runner.name);
          runner.start();
          void this.ctx.events.record(this.pod, 'Normal', 'Started', `Started container ${runner.name}`, `spec.containers{${runner.name}}`);
        }
      }
    }
    this.kick();
  }

  private initialized(): boolean {
    return this.started && this.init.every((r) => r.finished && r.exitCode === 0);
  }

  private containerStatuses(containers: Container[], runners: ContainerRunner[]): ContainerStatus[] {
    return containers.map((c) => {
      const runner = runners.find((r) => r.name === c.name);
      if (
        runner &&
        (runner.status().started ||
          !('waiting' in runner.status().state) ||
          runner.status().restartCount > 0 ||
          'terminated' in runner.status().lastState)
      ) {
        return runner.status();
      }
      const waiting = this.waiting.get(c.name) ?? { reason: 'ContainerCreating' };
      return {
        name: c.name,
        image: c.image,
        imageID: '',
        state: { waiting },
        lastState: {},
        ready: false,
        started: false,
        restartCount: 0,
      };
    });
  }

  private async writeStatus(): Promise<void> {
    const pod = this.pod;
    const containerStatuses = this.containerStatuses(pod.spec.containers, this.main);
    const initContainerStatuses = this.containerStatuses(pod.spec.initContainers ?? [], this.init);
    const initialized = this.initialized();
    // An init container that failed for good (restartPolicy Never) fails the pod, as with a kubelet.
    const initFailed = this.init.some((r) => r.finished && r.exitCode !== 0);
    const phase = initFailed ? 'Failed' : podPhase(pod, containerStatuses, initialized);
    const owned = ownedConditions(pod, containerStatuses, initialized, phase);
    const desired = {
      phase,
      hostIP: this.ctx.hostIP,
      ...(this.podIP ? { podIP: this.podIP, podIPs: [{ ip: this.podIP }] } : {}),
      ...(this.startTime ? { startTime: this.startTime } : {}),
      containerStatuses,
      ...(initContainerStatuses.length ? { initContainerStatuses } : {}),
    };
    const fingerprint = JSON.stringify({ desired, owned });
    // Others (readiness-gate controllers) write conditions too: re-check ours against the latest object.
    if (fingerprint === this.lastStatus && conditionsMatch(owned, pod.status?.conditions)) return;
    const status = { ...desired, conditions: withTransitionTimes(owned, pod.status?.conditions, now()) };
    try {
      const updated = await this.ctx.api.patch<Pod>(
        `/api/v1/namespaces/${this.ns}/pods/${pod.metadata.name}/status`,
        { status },
        'strategic',
      );
      // Adopt the response only if nothing newer arrived meanwhile (a gate set while we were patching).
      if (updated.metadata.uid === this.pod.metadata.uid && newer(updated.metadata.resourceVersion, this.pod.metadata.resourceVersion))
        this.pod = updated;
      this.lastStatus = fingerprint;
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return;
      throw err;
    }
  }

  private async terminate(): Promise<void> {
    if (!this.terminating) {
      this.terminating = true;
      if (this.started) await this.ctx.events.record(this.pod, 'Normal', 'Killing', `Stopping containers of pod ${this.pod.metadata.name}`);
    }
    const graceSeconds = this.pod.metadata.deletionGracePeriodSeconds ?? this.pod.spec.terminationGracePeriodSeconds ?? 30;
    if (!this.finishedTeardown) await this.teardown(Math.min(graceSeconds, 30) * 1000);
    if (this.deleted) return;
    try {
      // The processes are gone: finish the graceful deletion the way a kubelet does.
      await this.ctx.api.delete(`/api/v1/namespaces/${this.ns}/pods/${this.pod.metadata.name}`, {
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        gracePeriodSeconds: 0,
        preconditions: { uid: this.pod.metadata.uid },
      });
    } catch (err) {
      if (!(err instanceof KubeApiError && (err.status === 404 || err.status === 409))) throw err;
    }
    this.deleted = true;
  }

  private async teardown(graceMs: number): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.retryTimer = undefined;
    await Promise.all([...this.init, ...this.main].map((r) => r.stop(graceMs)));
    for (const c of [...(this.pod.spec.initContainers ?? []), ...this.pod.spec.containers])
      if (this.launches.has(c.name)) await releaseImageContainer(this.podDir, c);
    this.ctx.ips.release(this.pod.spec.hostNetwork ? undefined : this.podIP);
    rmSync(this.podDir, { recursive: true, force: true });
    this.ctx.events.forget(this.pod.metadata.uid);
    this.finishedTeardown = true;
  }

  private sources() {
    const get = async (kind: 'Secret' | 'ConfigMap', name: string) =>
      this.ctx.api.find<DataObject>(
        `/api/v1/namespaces/${this.ns}/${kind === 'Secret' ? 'secrets' : 'configmaps'}/${encodeURIComponent(name)}`,
      );
    return {
      get,
      serviceAccountToken: (o: { audience?: string; expirationSeconds?: number }) => this.token(o),
      podIP: this.podIP ?? '',
      hostIP: this.ctx.hostIP,
    };
  }

  private token(options: { audience?: string; expirationSeconds?: number }): Promise<string> {
    return requestServiceAccountToken(this.ctx.api, this.ns, this.pod.spec.serviceAccountName || 'default', {
      create: false,
      audiences: [options.audience ?? SERVICE_ACCOUNT_ISSUER],
      expirationSeconds: options.expirationSeconds ?? 24 * 3600,
      // The apiserver binds a token to a pod only if the pod names that account (nothing defaults it here).
      ...(this.pod.spec.serviceAccountName ? { boundPod: { name: this.pod.metadata.name, uid: this.pod.metadata.uid ?? '' } } : {}),
    });
  }

  private async processEnv(c: Container): Promise<Record<string, string>> {
    const podEnv = await containerEnv(this.pod, c, this.sources());
    // What every container gets. HOST/POD_IP: pods share the host's network here, so programs bind their pod IP.
    const podVars: Record<string, string> = {
      HOSTNAME: this.pod.spec.hostname ?? this.pod.metadata.name,
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(this.ctx.apiserverPort),
      KUBERNETES_SERVICE_PORT_HTTPS: String(this.ctx.apiserverPort),
      HOST: this.podIP!,
      POD_IP: this.podIP!,
    };
    // From an image: what a container runtime gives, the image's ENV under the pod's variables.
    const image = this.fromImage.get(c.name);
    if (image) return { ...imageEnv(image), ...podVars, ...podEnv };
    // From source: a host process, with this machine's PATH and HOME and the pod root for its files.
    const cmd = this.commands.get(c.name)!;
    const base: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? '/root',
      ...(process.env.LANG ? { LANG: process.env.LANG } : {}),
      CAPSTAN_POD_ROOT: this.root,
      ...podVars,
    };
    return { ...base, ...cmd.env, ...podEnv };
  }
}
