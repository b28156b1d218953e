// The work queue's keys: which resource controller, which object. Encoded and decoded here only.

export interface QueueKey {
  /** The resource controller's index in the operator. */
  resource: number;
  uid: string;
}

/** The queue deduplicates by string: one string per object. */
export function encodeQueueKey(key: QueueKey): string {
  return `${key.resource}:${key.uid}`;
}

export function decodeQueueKey(encoded: string): QueueKey | undefined {
  const sep = encoded.indexOf(':');
  const resource = Number(encoded.slice(0, sep));
  if (sep < 1 || !Number.isInteger(resource)) return undefined;
  return { resource, uid: encoded.slice(sep + 1) };
}
