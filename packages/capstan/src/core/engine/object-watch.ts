// Watching a few named objects (a configuration Secret, a leader's ConfigMap) without handlers, queues or memory.
import type { KubeClient } from '../../client/surface.js';
import { objectKeyOf, type KubeObject, type ObjectKey, type ResolvedResource, type ResourceRef } from '../../structs/objects.js';
import type { OperatorHooks } from '../hooks.js';
import { boundLogger, describeError, type Logger } from '../logging.js';
import type { WatchedObjects, WatchedObjectsOptions, WatchSettings } from '../types.js';
import { Reflector, type StoreEvent } from './reflector.js';

/**
 * One list-and-watch per object, by namespace and `metadata.name` field selector: the API server sends only
 * these objects, and RBAC may restrict the operator to them (`resourceNames` with get, list and watch).
 * Restarts, stalls and 410 Gone are the Reflector's business, as for every resource the operator watches.
 */
export class ObjectWatch<T extends KubeObject = KubeObject> implements WatchedObjects<T> {
  readonly #store = new Map<string, KubeObject>();

  constructor(
    readonly ref: ResourceRef,
    readonly keys: readonly ObjectKey[],
    private readonly options: WatchedObjectsOptions<T>,
  ) {}

  get(key: ObjectKey): T | undefined {
    return this.#store.get(objectKeyOf(key)) as T | undefined;
  }

  /** The reflectors of the running operator; `onSynced` once every object's first list is in. */
  reflectors(input: {
    client: KubeClient;
    resource: ResolvedResource;
    watch: WatchSettings | undefined;
    logger: Logger;
    hooks: OperatorHooks | undefined;
    onSynced: () => void;
  }): Reflector[] {
    const logger = boundLogger(input.logger, { watching: this.keys.map((k) => objectKeyOf(k)).join(',') });
    let pending = this.keys.length;
    if (pending === 0) input.onSynced();
    return this.keys.map((key) => {
      let synced = false;
      return new Reflector({
        client: input.client,
        resource: input.resource,
        store: this.#store,
        watch: input.watch,
        logger,
        hooks: input.hooks,
        namespace: input.resource.namespaced ? key.namespace : undefined,
        fieldSelector: `metadata.name=${key.name}`,
        onEvent: (event) => this.#changed(key, event, logger),
        onSynced: () => {
          if (!synced && (synced = true) && --pending === 0) input.onSynced();
        },
      });
    });
  }

  #changed(key: ObjectKey, event: StoreEvent, logger: Logger): void {
    try {
      this.options.onChange?.({ key, object: event.type === 'DELETED' ? undefined : (event.object as T) });
    } catch (error) {
      logger.warn('an onChange callback of watched objects threw', { error: describeError(error) });
    }
  }
}
