// Waiting for conditions with a timeout (never a fixed sleep): on objects, on logs, on anything.
import type { KubeClient } from '../client/surface.js';
import { waitUntil, type WaitOptions } from '../kits/wait-until.js';
import type { KubeObject, ResourceRef } from '../structs/objects.js';

export { WaitAbortedError, waitUntil, WaitTimeoutError, type WaitOptions } from '../kits/wait-until.js';

/** The object `waitFor` reads: resource, namespace and name. */
export interface ObjectTarget {
  /** The object's resource type. */
  resource: ResourceRef;
  /** The object's namespace; absent for a cluster-scoped object. */
  namespace?: string | undefined;
  /** The object's name. */
  name: string;
}

/**
 * Wait until the object satisfies the predicate (it gets `undefined` while the object does not exist,
 * so `(o) => !o` waits for a deletion). Resolves with the object (or undefined when waiting for absence).
 */
export async function waitFor<T extends KubeObject = KubeObject>(
  client: KubeClient,
  target: ObjectTarget,
  predicate: (obj: T | undefined) => boolean,
  options: WaitOptions = {},
): Promise<T | undefined> {
  let last: T | undefined;
  await waitUntil(
    async () => {
      last = await client.tryGet<T>(target.resource, { namespace: target.namespace, name: target.name });
      return predicate(last);
    },
    {
      ...options,
      message:
        options.message ??
        `${target.resource.plural ?? target.resource.kind} ${target.namespace ? `${target.namespace}/` : ''}${target.name}`,
    },
  );
  return last;
}

/** Wait until a log line matches. Resolves with the line. */
export function waitForLog(logs: string[], pattern: RegExp | string, options: WaitOptions = {}): Promise<string> {
  const test = (line: string) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line));
  return waitUntil(() => logs.find(test), { ...options, message: options.message ?? `a log line matching ${pattern}` });
}
