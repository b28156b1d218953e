// Starts kube-apiserver: self-signed serving cert, RBAC, static admin token, token webhook, service-account issuer.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KubeApi } from './api.js';
import { readServingCa } from './certificates.js';
import { freePort } from './ports.js';
import { spawnManaged, type ManagedProcess } from './processes.js';
import { waitReady } from './readiness.js';

export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const SERVICE_CLUSTER_IP_RANGE = '10.0.0.0/24';

export interface ApiserverFiles {
  tokenFile: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
  webhookKubeconfig: string;
}

export interface Apiserver {
  process: ManagedProcess;
  server: string;
  port: number;
  ca: string;
  caFile: string;
}

export interface StartApiserverOptions {
  binary: string;
  dir: string;
  logDir: string;
  pgidFile: string;
  etcdUrl: string;
  files: ApiserverFiles;
  adminToken: string;
  timeoutMs: number;
  /** Called with the process as soon as it is spawned (so a failing start-up can still be torn down). */
  onSpawn?: (process: ManagedProcess) => void;
}

/**
 * The audit policy, at Metadata level (the request URI with its selectors, the user, the verb, the response
 * code; never a body): every list and watch (a watch as soon as it starts), so tests can show what an operator
 * asks the server for; and every request of a ServiceAccount, so RBAC tests can show which requests an
 * operator made and which were forbidden. Other writes are not logged: auditing every write would cost the
 * benchmarks' API server measurably (they run as the cluster admin).
 */
const AUDIT_POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
    verbs: [list, watch]
  - level: Metadata
    userGroups: [system:serviceaccounts]
  - level: None
`;

/** Where the API server writes its audit log (list and watch requests), in the cluster's log directory. */
export function auditLogPath(logDir: string): string {
  return join(logDir, 'audit.log');
}

export async function startApiserver(options: StartApiserverOptions): Promise<Apiserver> {
  const port = await freePort();
  const certDir = join(options.dir, 'serving-certs');
  const logFile = join(options.logDir, 'kube-apiserver.log');
  const auditPolicy = join(options.dir, 'audit-policy.yaml');
  writeFileSync(auditPolicy, AUDIT_POLICY);
  const proc = spawnManaged({
    name: 'kube-apiserver',
    command: options.binary,
    args: [
      `--etcd-servers=${options.etcdUrl}`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      // A current apiserver refuses a loopback advertise address for the `kubernetes` Service's endpoints;
      // pods here reach it on 127.0.0.1 through KUBERNETES_SERVICE_HOST, so nothing needs those endpoints.
      '--endpoint-reconciler-type=none',
      `--secure-port=${port}`,
      `--cert-dir=${certDir}`,
      '--authorization-mode=RBAC',
      `--token-auth-file=${options.files.tokenFile}`,
      `--authentication-token-webhook-config-file=${options.files.webhookKubeconfig}`,
      '--authentication-token-webhook-version=v1',
      `--service-account-issuer=${SERVICE_ACCOUNT_ISSUER}`,
      `--api-audiences=${SERVICE_ACCOUNT_ISSUER}`,
      `--service-account-key-file=${options.files.serviceAccountPublicKey}`,
      `--service-account-signing-key-file=${options.files.serviceAccountKey}`,
      // Pods here have no projected token volume: the kubelet simulator writes the token files itself.
      '--disable-admission-plugins=ServiceAccount',
      `--service-cluster-ip-range=${SERVICE_CLUSTER_IP_RANGE}`,
      // Webhooks and aggregated APIs behind a Service are called on a ready endpoint's pod IP (no kube-proxy here).
      '--enable-aggregator-routing=true',
      '--allow-privileged=true',
      `--audit-policy-file=${auditPolicy}`,
      `--audit-log-path=${auditLogPath(options.logDir)}`,
      '--audit-log-maxsize=64',
      '--audit-log-maxbackup=1',
      '--v=1',
    ],
    env: { PATH: '/usr/bin:/bin' },
    logFile,
    pgidFile: options.pgidFile,
  });
  options.onSpawn?.(proc);
  const certFile = join(certDir, 'apiserver.crt');
  const server = `https://127.0.0.1:${port}`;
  let api: KubeApi | undefined;
  try {
    await waitReady({
      process: proc,
      logFile,
      timeoutMs: options.timeoutMs,
      probe: async () => {
        if (!api) {
          if (!existsSync(certFile)) return false;
          api = new KubeApi({ server, token: options.adminToken, ca: readServingCa(certFile) });
        }
        return apiserverReady(api);
      },
    });
  } finally {
    api?.close();
  }
  return { process: proc, server, port, ca: readServingCa(certFile), caFile: certFile };
}

/**
 * Ready for everyone: /readyz, namespace default readable, and RBAC answering for ordinary users.
 * /readyz alone is not proof that ordinary users are authorized yet: a restarted apiserver (fault injection)
 * can answer before its RBAC authorizer serves the bootstrap roles; a rule all authenticated users have
 * (system:basic-user may create selfsubjectaccessreviews) shows when it does.
 */
export async function apiserverReady(api: KubeApi): Promise<boolean> {
  const readyz = await api.raw('/readyz', { timeoutMs: 2000 });
  if (readyz.status !== 200) return false;
  await api.request('/api/v1/namespaces/default', { timeoutMs: 2000 });
  const review = await api.request<{ status?: { allowed?: boolean } }>('/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    method: 'POST',
    timeoutMs: 2000,
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: {
        user: 'capstan:readiness-probe',
        groups: ['system:authenticated'],
        resourceAttributes: { verb: 'create', group: 'authorization.k8s.io', resource: 'selfsubjectaccessreviews' },
      },
    },
  });
  return review.status?.allowed === true;
}
