// The engine's own writes to the objects it handles: merge patches (status to /status) and finalizer patches.
import type { JsonPatchOp, KubeClient } from '../../client/surface.js';
import type { KubeObject, ResolvedResource } from '../../structs/objects.js';
import { mergePatchIsNoop, splitStatus } from '../../structs/patch-accumulator.js';
import { safely, type OperatorHooks } from '../hooks.js';

export interface ObjectWriterOptions {
  client: KubeClient;
  resource: ResolvedResource;
  /** The resource's id in hooks. */
  id: string;
  hooks: OperatorHooks | undefined;
}

/** Writes only what changes something, and counts every write (tests and the bench assert the count). */
export class ObjectWriter {
  #writes = 0;
  constructor(private readonly o: ObjectWriterOptions) {}

  /** API writes made so far. */
  get writes(): number {
    return this.#writes;
  }

  /**
   * Apply a merge patch (its status part to /status when the resource has it), skipping parts that would
   * change nothing. Returns the newest object written, or undefined if nothing was written.
   */
  async mergePatch(obj: KubeObject, patch: Record<string, unknown>, signal: AbortSignal): Promise<KubeObject | undefined> {
    let { main, status } = splitStatus(patch);
    if (status && !this.o.resource.hasStatus) {
      main = { ...main, ...status };
      status = undefined;
    }
    const key = { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
    let latest: KubeObject | undefined;
    if (main && !mergePatchIsNoop(obj, main)) {
      safely(() => this.o.hooks?.patch?.({ resource: this.o.id, ...key, type: 'merge' }));
      this.#writes++;
      latest = await this.o.client.patch(this.o.resource, key, main, { type: 'merge', signal });
    }
    if (status && !mergePatchIsNoop(obj, status)) {
      safely(() => this.o.hooks?.patch?.({ resource: this.o.id, ...key, subresource: 'status', type: 'merge' }));
      this.#writes++;
      latest = await this.o.client.patchStatus(this.o.resource, key, status, { type: 'merge', signal });
    }
    return latest;
  }

  /** A conditional JSON Patch of the finalizer list. */
  async jsonPatch(obj: KubeObject, ops: JsonPatchOp[], signal: AbortSignal): Promise<KubeObject> {
    const key = { namespace: obj.metadata.namespace, name: obj.metadata.name ?? '' };
    safely(() => this.o.hooks?.patch?.({ resource: this.o.id, ...key, type: 'json' }));
    this.#writes++;
    return this.o.client.patch(this.o.resource, key, ops, { type: 'json', signal });
  }
}
