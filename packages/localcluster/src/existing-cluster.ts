// A handle on a cluster we did not start (kind, k3s, ...): its kubeconfig, plus ServiceAccount tokens via TokenRequest.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UnsupportedError } from './errors.js';
import type { Capabilities, ClusterHandle } from './handle.js';
import { renderKubeconfig } from './kubeconfig.js';
import type { ServiceAccountTokenOptions } from './service-accounts.js';
import type { UserIdentity } from './tokens.js';

type ClientNode = typeof import('@kubernetes/client-node');

export class ExistingClusterHandle implements ClusterHandle {
  readonly dir = undefined;
  private scratch: string | undefined;

  private constructor(
    private readonly k8s: ClientNode,
    private readonly kc: InstanceType<ClientNode['KubeConfig']>,
    readonly kubeconfigPath: string,
    readonly kubeconfig: string,
    readonly capabilities: Capabilities,
  ) {}

  /** client-node is loaded lazily: it is slow to import and only this mode needs its auth plugins. */
  static async open(kubeconfigPath: string, options: { simulatedKubelet: boolean }): Promise<ExistingClusterHandle> {
    const k8s = await import('@kubernetes/client-node');
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(kubeconfigPath);
    return new ExistingClusterHandle(k8s, kc, kubeconfigPath, readFileSync(kubeconfigPath, 'utf8'), {
      simulatedKubelet: options.simulatedKubelet,
      mintUserTokens: false,
      imageRuntime: false,
    });
  }

  get name(): string {
    return this.kc.getCurrentContext();
  }
  get server(): string {
    return this.kc.getCurrentCluster()?.server ?? '';
  }
  get adminToken(): string | undefined {
    return this.kc.getCurrentUser()?.token || undefined;
  }
  get ca(): string | undefined {
    const cluster = this.kc.getCurrentCluster();
    if (cluster?.caData) return Buffer.from(cluster.caData, 'base64').toString('utf8');
    return cluster?.caFile ? readFileSync(cluster.caFile, 'utf8') : undefined;
  }

  mintToken(_identity: UserIdentity): string {
    throw new UnsupportedError(
      'minting user tokens needs a capstan local cluster; on an existing cluster use ServiceAccounts (serviceAccountKubeconfig)',
    );
  }

  userKubeconfig(identity: UserIdentity): string {
    return this.mintToken(identity);
  }

  async serviceAccountToken(namespace: string, name: string, options: ServiceAccountTokenOptions = {}): Promise<string> {
    const core = this.kc.makeApiClient(this.k8s.CoreV1Api);
    if (options.create ?? true) {
      try {
        await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name } } });
      } catch (err) {
        if ((err as { code?: number }).code !== 409) throw err;
      }
    }
    const review = await core.createNamespacedServiceAccountToken({
      name,
      namespace,
      body: { spec: { audiences: options.audiences ?? [], expirationSeconds: options.expirationSeconds ?? 24 * 3600 } },
    });
    const token = review.status?.token;
    if (!token) throw new UnsupportedError(`TokenRequest for ${namespace}/${name} returned no token`);
    return token;
  }

  async serviceAccountKubeconfig(namespace: string, name: string, options?: ServiceAccountTokenOptions): Promise<string> {
    const token = await this.serviceAccountToken(namespace, name, options);
    const cluster = this.kc.getCurrentCluster();
    if (!cluster) throw new UnsupportedError(`no current cluster in ${this.kubeconfigPath}`);
    const ca = this.ca ?? '';
    this.scratch ??= mkdtempSync(join(tmpdir(), 'capstan-kubeconfigs-'));
    mkdirSync(this.scratch, { recursive: true });
    const path = join(this.scratch, `sa-${namespace}-${name}.yaml`);
    writeFileSync(
      path,
      renderKubeconfig({
        server: cluster.server,
        ca,
        token,
        name: this.name,
        user: `system:serviceaccount:${namespace}:${name}`,
        namespace,
      }),
      { mode: 0o600 },
    );
    return path;
  }

  readonly auditLogPath = undefined;

  podLogPath(): string {
    throw new UnsupportedError('pod log files exist only on a capstan local cluster (simulated kubelet)');
  }

  podRootPath(): string {
    throw new UnsupportedError('pod roots exist only with the simulated kubelet of a capstan local cluster');
  }

  registerImage(): void {
    throw new UnsupportedError('images can be registered only with the simulated kubelet of a capstan local cluster');
  }

  async stop(): Promise<void> {}
}
