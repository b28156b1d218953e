// Kubernetes Events from the kubelet simulator (Scheduled, Pulled, Started, Failed, FailedMount, Killing...).
import { randomBytes } from 'node:crypto';
import type { KubeApi } from '../api.js';
import { KubeApiError } from '../errors.js';
import type { Pod } from './types.js';

export class EventRecorder {
  private readonly seen = new Set<string>();

  constructor(
    private readonly api: KubeApi,
    private readonly nodeName: string,
    private readonly log: (line: string) => void,
  ) {}

  /** Posts an Event about the pod; the same (pod, reason, message) is posted once. Never throws. */
  async record(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string, fieldPath?: string): Promise<void> {
    const key = `${pod.metadata.uid}|${reason}|${message}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const ns = pod.metadata.namespace ?? 'default';
    const now = new Date().toISOString();
    try {
      await this.api.post(`/api/v1/namespaces/${ns}/events`, {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: `${pod.metadata.name}.${randomBytes(8).toString('hex')}`, namespace: ns },
        involvedObject: {
          apiVersion: 'v1',
          kind: 'Pod',
          namespace: ns,
          name: pod.metadata.name,
          uid: pod.metadata.uid,
          ...(fieldPath ? { fieldPath } : {}),
        },
        reason,
        message,
        type,
        source: { component: 'kubelet', host: this.nodeName },
        reportingComponent: 'kubelet',
        reportingInstance: this.nodeName,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (err) {
      // The namespace may be going away; an Event is not worth failing the pod for, nor a log line then.
      if (err instanceof KubeApiError && (err.status === 403 || err.status === 404)) return;
      this.log(`kubelet: could not post event ${reason} for ${ns}/${pod.metadata.name}: ${(err as Error).message}`);
    }
  }

  forget(uid: string | undefined): void {
    for (const key of this.seen) if (key.startsWith(`${uid}|`)) this.seen.delete(key);
  }
}
