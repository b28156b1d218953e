// The per-object recorder handlers get as ctx.events, over whichever EventPoster the operator has.
import type { KubeObject } from '../../structs/objects.js';
import type { EventPoster, EventRecorder } from '../hooks.js';

export function recorderFor(poster: EventPoster | undefined, object: KubeObject): EventRecorder {
  return {
    info: (reason, message) => poster?.post(object, { type: 'Normal', reason, message }).catch(() => {}) ?? Promise.resolve(),
    warn: (reason, message) => poster?.post(object, { type: 'Warning', reason, message }).catch(() => {}) ?? Promise.resolve(),
  };
}
