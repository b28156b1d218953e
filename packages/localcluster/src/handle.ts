// A handle on a running local cluster, built from its cluster.json: tokens, kubeconfigs, pod log paths.
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApi } from './api.js';
import type { ClusterInfo } from './cluster-file.js';
import { renderKubeconfig } from './kubeconfig.js';
import { writeRegisteredImage, type ImageSpec } from './kubelet/images.js';
import { auditLogPath } from './apiserver.js';
import { podLogPath, podRootDir } from './kubelet/layout.js';
import { requestServiceAccountToken, type ServiceAccountTokenOptions } from './service-accounts.js';
import { mintUserToken, type UserIdentity } from './tokens.js';

/** What a cluster handle can do beyond the API: run pods (the kubelet simulator) and mint user tokens. */
export interface Capabilities {
  /** Pods really run (as local processes) on this cluster. */
  simulatedKubelet: boolean;
  /** mintToken/userKubeconfig work (local clusters only). */
  mintUserTokens: boolean;
  /** Containers of images in the local image store run from those images under runc (local clusters started with it). */
  imageRuntime: boolean;
}

/** What every cluster handle offers, whether it started the cluster or joined one. */
export interface ClusterHandle {
  /** The cluster's name in its kubeconfig. */
  readonly name: string;
  /** Admin kubeconfig, YAML. */
  readonly kubeconfig: string;
  /** The admin kubeconfig's file. */
  readonly kubeconfigPath: string;
  /** The API server's URL. */
  readonly server: string;
  /** PEM of the CA the API server's certificate chains to (undefined if the kubeconfig has none). */
  readonly ca: string | undefined;
  /** undefined for an existing cluster whose credentials are not a bearer token. */
  readonly adminToken: string | undefined;
  /** Whether pods run and user tokens can be minted here. */
  readonly capabilities: Capabilities;
  /** The cluster's state directory (undefined for existing clusters). */
  readonly dir: string | undefined;
  /** A bearer token for any user and groups (checked by the cluster's token webhook). */
  mintToken(identity: UserIdentity): string;
  /** A kubeconfig file authenticating as that user; returns its path. */
  userKubeconfig(identity: UserIdentity): string;
  /** A TokenRequest token for the ServiceAccount (created when missing). */
  serviceAccountToken(namespace: string, name: string, options?: ServiceAccountTokenOptions): Promise<string>;
  /** A kubeconfig file authenticating as that ServiceAccount; returns its path. */
  serviceAccountKubeconfig(namespace: string, name: string, options?: ServiceAccountTokenOptions): Promise<string>;
  /** Where the simulated kubelet writes a container's stdout and stderr. */
  podLogPath(namespace: string, pod: string, container: string): string;
  /** The API server's audit log (JSON lines): lists and watches, and every ServiceAccount request; undefined for an existing cluster. */
  readonly auditLogPath: string | undefined;
  /** The directory a pod's processes see as "/" for files (their CAPSTAN_POD_ROOT); needs the pod's UID. */
  podRootPath(namespace: string, pod: string, uid: string): string;
  /** Teaches the simulated kubelet an image (bare name, e.g. "my-app"), from any process. Local clusters only. */
  registerImage(name: string, spec: ImageSpec): void;
  /** Stop the cluster if this handle started it; a handle on a cluster it joined just lets go of it. */
  stop(): Promise<void>;
}

const fileSafe = (s: string) => s.replace(/[^a-zA-Z0-9_.-]/g, '_');

export class LocalClusterHandle implements ClusterHandle {
  readonly capabilities: Capabilities;
  private api: KubeApi | undefined;

  constructor(
    /** The cluster's facts, as in its cluster.json. */
    readonly info: ClusterInfo,
    /** Admin kubeconfig, YAML. */
    readonly kubeconfig: string,
    private readonly onStop: () => Promise<void> = async () => {},
  ) {
    this.capabilities = { simulatedKubelet: info.simulatedKubelet, mintUserTokens: true, imageRuntime: info.imageRuntime ?? false };
  }

  get name() {
    return this.info.name;
  }
  get kubeconfigPath() {
    return this.info.kubeconfigPath;
  }
  get server() {
    return this.info.server;
  }
  get adminToken(): string {
    return this.info.adminToken;
  }
  get dir(): string {
    return this.info.dir;
  }
  get ca(): string {
    return this.info.ca;
  }

  /** An admin client for the cluster (node:https, this package's minimal REST client). */
  adminApi(): KubeApi {
    this.api ??= new KubeApi({ server: this.info.server, token: this.info.adminToken, ca: this.info.ca });
    return this.api;
  }

  mintToken(identity: UserIdentity): string {
    return mintUserToken(this.info.tokenSecret, identity);
  }

  userKubeconfig(identity: UserIdentity): string {
    return this.writeKubeconfig(`user-${identity.user}`, this.mintToken(identity), identity.user);
  }

  serviceAccountToken(namespace: string, name: string, options?: ServiceAccountTokenOptions): Promise<string> {
    return requestServiceAccountToken(this.adminApi(), namespace, name, options);
  }

  async serviceAccountKubeconfig(namespace: string, name: string, options?: ServiceAccountTokenOptions): Promise<string> {
    const token = await this.serviceAccountToken(namespace, name, options);
    return this.writeKubeconfig(`sa-${namespace}-${name}`, token, `system:serviceaccount:${namespace}:${name}`, namespace);
  }

  podLogPath(namespace: string, pod: string, container: string): string {
    return podLogPath(this.info.dir, namespace, pod, container);
  }

  get auditLogPath(): string {
    return auditLogPath(join(this.info.dir, 'logs'));
  }

  podRootPath(namespace: string, pod: string, uid: string): string {
    return join(podRootDir(this.info.dir, namespace, pod, uid), 'root');
  }

  registerImage(name: string, spec: ImageSpec): void {
    writeRegisteredImage(this.info.dir, name, spec);
  }

  async stop(): Promise<void> {
    this.api?.close();
    this.api = undefined;
    await this.onStop();
  }

  private writeKubeconfig(label: string, token: string, user: string, namespace?: string): string {
    const dir = join(this.info.dir, 'kubeconfigs');
    mkdirSync(dir, { recursive: true });
    // Unique per call: parallel test files may ask for the same user with different groups.
    const path = join(dir, `${fileSafe(label)}-${randomBytes(4).toString('hex')}.yaml`);
    const spec = { server: this.info.server, ca: this.info.ca, token, name: this.info.name, user, ...(namespace ? { namespace } : {}) };
    writeFileSync(path, renderKubeconfig(spec), { mode: 0o600 });
    return path;
  }
}
