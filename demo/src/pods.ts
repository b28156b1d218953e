// Reading pods and their state through the API (cheap polls; kubectl is for what the reader types).
import type { KubeApi } from '@capstan/localcluster';

export interface PodCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface Pod {
  metadata: {
    name: string;
    namespace: string;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    creationTimestamp?: string;
  };
  spec: { serviceAccountName?: string; containers: { name: string }[] };
  status?: {
    phase?: string;
    podIP?: string;
    conditions?: PodCondition[];
    containerStatuses?: { name: string; ready: boolean; state?: { waiting?: { reason?: string; message?: string } } }[];
  };
}

const selectorQuery = (labels: Record<string, string>) =>
  encodeURIComponent(
    Object.entries(labels)
      .map(([k, v]) => `${k}=${v}`)
      .join(','),
  );

/** The pods matching `labels`, without those being deleted, newest first. */
export async function livePods(api: KubeApi, namespace: string, labels: Record<string, string>, signal?: AbortSignal): Promise<Pod[]> {
  const list = await api.get<{ items: Pod[] }>(`/api/v1/namespaces/${namespace}/pods?labelSelector=${selectorQuery(labels)}`, signal);
  return list.items
    .filter((p) => !p.metadata.deletionTimestamp)
    .sort((a, b) => (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? ''));
}

export const podCondition = (pod: Pod, type: string): PodCondition | undefined => pod.status?.conditions?.find((c) => c.type === type);

export const isReady = (pod: Pod): boolean => podCondition(pod, 'Ready')?.status === 'True';

/** Why a pod is not there yet, in kubectl's words (phase, waiting reason, message). */
export function podState(pod: Pod): string {
  const waiting = pod.status?.containerStatuses?.map((c) => c.state?.waiting).find((w) => w?.reason);
  const parts = [pod.status?.phase ?? 'Pending', waiting?.reason, waiting?.message].filter(Boolean);
  return `${pod.metadata.name}: ${parts.join(', ')}`;
}
