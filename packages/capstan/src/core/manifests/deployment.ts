// The operator's Deployment: probes on capstan's health port, resources, and the restricted pod security standard.
import type { KubeObject } from '../../structs/objects.js';

/** The operator container's resource requests and limits (Kubernetes quantities, e.g. `50m`, `64Mi`). */
export interface ContainerResources {
  requests?: { cpu?: string; memory?: string };
  limits?: { cpu?: string; memory?: string };
}

export interface DeploymentInput {
  name: string;
  namespace: string;
  image: string;
  args: string[];
  port: number;
  labels: Record<string, string>;
  replicas: number;
  resources?: ContainerResources;
  env: Record<string, string>;
  /** The admission webhook server's port, when the operator has admission handlers. */
  webhookPort?: number;
}

/** Modest defaults for an operator: it mostly waits on watches. */
const DEFAULT_RESOURCES: ContainerResources = { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '256Mi' } };

export function operatorDeployment(input: DeploymentInput): KubeObject {
  const selector = { 'app.kubernetes.io/name': input.name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: input.name, namespace: input.namespace, labels: input.labels },
    spec: {
      replicas: input.replicas,
      selector: { matchLabels: selector },
      template: {
        metadata: { labels: { ...input.labels, ...selector } },
        spec: {
          serviceAccountName: input.name,
          securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: 'operator',
              image: input.image,
              imagePullPolicy: 'IfNotPresent',
              args: input.args,
              env: [
                // The instance's identity (Events, Lease holder) and the Lease's namespace.
                { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
                { name: 'POD_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
                ...Object.entries(input.env).map(([name, value]) => ({ name, value })),
              ],
              ports: [
                { name: 'health', containerPort: input.port },
                ...(input.webhookPort ? [{ name: 'webhook', containerPort: input.webhookPort }] : []),
              ],
              livenessProbe: {
                httpGet: { path: '/healthz', port: 'health' },
                initialDelaySeconds: 5,
                periodSeconds: 10,
                failureThreshold: 3,
              },
              readinessProbe: { httpGet: { path: '/readyz', port: 'health' }, periodSeconds: 5 },
              resources: input.resources ?? DEFAULT_RESOURCES,
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                runAsNonRoot: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  } as KubeObject;
}
