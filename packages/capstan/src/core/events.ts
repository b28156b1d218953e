// Kubernetes Events about objects: a minimal poster and the per-object recorder handlers get as ctx.events.
import type { ApiClient } from '../client/surface.js';
import type { KubeObject } from '../structs/objects.js';
import type { EventPoster, EventRecorder, EventType } from './hooks.js';
import { describeError, type Logger } from './logging.js';

export class CoreEventPoster implements EventPoster {
  constructor(readonly client: ApiClient, readonly component: string, readonly logger: Logger) {}

  async post(object: KubeObject, event: { type: EventType; reason: string; message: string }): Promise<void> {
    const meta = object.metadata;
    const now = new Date().toISOString();
    try {
      await this.client.create({ version: 'v1', plural: 'events' }, {
        metadata: { generateName: `${meta.name ?? 'object'}.`, namespace: meta.namespace ?? 'default' },
        involvedObject: { apiVersion: object.apiVersion, kind: object.kind, name: meta.name, namespace: meta.namespace, uid: meta.uid, resourceVersion: meta.resourceVersion },
        type: event.type,
        reason: event.reason,
        message: event.message.slice(0, 1024),
        source: { component: this.component },
        reportingComponent: this.component,
        reportingInstance: this.component,
        firstTimestamp: now,
        lastTimestamp: now,
        count: 1,
      });
    } catch (error) {
      this.logger.debug('posting an Event failed', { reason: event.reason, error: describeError(error) });
    }
  }
}

export function recorderFor(poster: EventPoster | undefined, object: KubeObject): EventRecorder {
  return {
    info: (reason, message) => poster?.post(object, { type: 'Normal', reason, message }).catch(() => {}) ?? Promise.resolve(),
    warn: (reason, message) => poster?.post(object, { type: 'Warning', reason, message }).catch(() => {}) ?? Promise.resolve(),
  };
}
