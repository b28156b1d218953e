// The `ctx.patch` accumulator: handlers assign into it, capstan sends it once as a JSON merge patch.

/* eslint-disable @typescript-eslint/no-explicit-any -- the accumulator is deliberately free-form JSON */
/** What a handler writes through `ctx.patch` (metadata, spec, status): sent as one merge patch after the round; `null` deletes. */
export interface PatchAccumulator {
  /** Metadata to merge: labels, annotations and any other metadata field. */
  metadata: {
    /** Labels to set, or to remove with `null`. */
    labels: Record<string, string | null>;
    /** Annotations to set, or to remove with `null`. */
    annotations: Record<string, string | null>;
    [key: string]: any;
  };
  /** Spec fields to merge into the object. */
  spec: Record<string, any>;
  /** Status fields to merge, sent through the `/status` subresource where the resource has one. */
  status: Record<string, any>;
  [key: string]: any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const targets = new WeakMap<object, Record<string, unknown>>();

// Reading a missing key creates a nested accumulator, so `ctx.patch.status.x = 1` needs no set-up.
// Methods like `then` and `toJSON` are not auto-created, so the accumulator is neither a thenable nor odd to JSON.stringify.
const passThrough = new Set(['then', 'toJSON', 'constructor', 'valueOf', 'toString', 'inspect', 'asymmetricMatch']);

function makeNode(): Record<string, unknown> {
  const target: Record<string, unknown> = {};
  const proxy = new Proxy(target, {
    get(t, prop) {
      if (typeof prop !== 'string' || passThrough.has(prop)) return Reflect.get(t, prop);
      if (!(prop in t)) t[prop] = makeNode();
      return t[prop];
    },
  });
  targets.set(proxy, target);
  return proxy;
}

export function createPatch(): PatchAccumulator {
  return makeNode() as PatchAccumulator;
}

/** The accumulated merge patch as plain JSON; empty auto-created objects are dropped. Undefined when empty. */
export function patchToJson(patch: PatchAccumulator | Record<string, unknown>): Record<string, unknown> | undefined {
  const out = toPlain(patch);
  return out && typeof out === 'object' && Object.keys(out).length ? (out as Record<string, unknown>) : undefined;
}

function toPlain(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  const target = targets.get(v);
  if (!target) return Array.isArray(v) ? v.map((x) => toPlain(x)) : plainObject(v as Record<string, unknown>, false);
  return plainObject(target, true);
}

function plainObject(o: Record<string, unknown>, dropEmpty: boolean): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, val] of Object.entries(o)) {
    if (val === undefined) continue;
    const plain = toPlain(val);
    if (plain === undefined) continue;
    out[k] = plain;
  }
  return dropEmpty && Object.keys(out).length === 0 ? undefined : out;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** Combine two merge patches; the later one wins field by field (RFC 7386 semantics for objects). */
export function mergePatches(
  a: Record<string, unknown> | undefined,
  b: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (!a) return b;
  if (!b) return a;
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? mergePatches(prev, v) : v;
  }
  return out;
}

/** Split a merge patch into the part for the main resource and the part for `/status`. */
export function splitStatus(patch: Record<string, unknown> | undefined): {
  main?: Record<string, unknown>;
  status?: Record<string, unknown>;
} {
  if (!patch) return {};
  const { status, ...rest } = patch;
  return {
    ...(Object.keys(rest).length ? { main: rest } : {}),
    ...(status !== undefined ? { status: { status } } : {}),
  };
}

/** Whether applying a merge patch to `obj` would change nothing (so the write can be skipped). */
export function mergePatchIsNoop(obj: unknown, patch: Record<string, unknown>): boolean {
  if (!isPlainObject(obj)) return false;
  return Object.entries(patch).every(([k, v]) => {
    const cur = obj[k];
    if (v === null) return cur === undefined;
    if (isPlainObject(v)) return isPlainObject(cur) && mergePatchIsNoop(cur, v);
    return JSON.stringify(cur) === JSON.stringify(v) && cur !== undefined;
  });
}

/** Apply a JSON merge patch (RFC 7386) to a value, returning a new value (the input is not modified). */
export function applyMergePatch<T>(target: T, patch: unknown): T {
  if (!isPlainObject(patch)) return patch as T;
  const out: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out as T;
}
