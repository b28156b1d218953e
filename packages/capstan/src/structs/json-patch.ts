// JSON Patch (RFC 6902): the operation type and an applier (the memory client's patches, tests).

/** One JSON Patch operation; `test` makes the patch conditional. */
export interface JsonPatchOp {
  op: 'add' | 'remove' | 'replace' | 'move' | 'copy' | 'test';
  path: string;
  value?: unknown;
  from?: string;
}

export type JsonPatchResult = { ok: true; value: unknown } | { ok: false; message: string };

const unescape = (s: string) => s.replace(/~1/g, '/').replace(/~0/g, '~');

function pointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new Error(`invalid JSON pointer ${path}`);
  return path.slice(1).split('/').map(unescape);
}

type Container = Record<string, unknown> | unknown[];

function parentOf(doc: unknown, segments: string[]): { parent: Container; last: string } {
  let cur = doc;
  for (const s of segments.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') throw new Error(`path segment ${s} does not exist`);
    cur = (cur as Record<string, unknown>)[s];
  }
  if (cur === null || typeof cur !== 'object') throw new Error('the parent of the target does not exist');
  return { parent: cur as Container, last: segments[segments.length - 1] ?? '' };
}

function read(doc: unknown, path: string): unknown {
  let cur = doc;
  for (const s of pointer(path)) {
    if (cur === null || typeof cur !== 'object' || !(s in (cur as object))) throw new Error(`${path} does not exist`);
    cur = (cur as Record<string, unknown>)[s];
  }
  return cur;
}

const stable = (v: unknown): string =>
  JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );

/** Apply the operations in order to a copy; a failing operation (including `test`) fails the whole patch. */
export function applyJsonPatch(document: unknown, ops: readonly JsonPatchOp[]): JsonPatchResult {
  let doc: unknown = structuredClone(document);
  try {
    for (const op of ops) {
      const segments = pointer(op.path);
      if (op.op === 'test') {
        if (stable(read(doc, op.path)) !== stable(op.value)) return { ok: false, message: `test failed at ${op.path}` };
        continue;
      }
      const value = op.op === 'move' || op.op === 'copy' ? structuredClone(read(doc, op.from ?? '')) : structuredClone(op.value);
      if (op.op === 'move') doc = remove(doc, pointer(op.from ?? ''));
      if (op.op === 'remove') {
        doc = remove(doc, segments);
        continue;
      }
      if (segments.length === 0) {
        doc = value;
        continue;
      }
      const { parent, last } = parentOf(doc, segments);
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last);
        if (!Number.isInteger(i) || i < 0 || i > parent.length) throw new Error(`index ${last} out of range`);
        if (op.op === 'replace') {
          if (i >= parent.length) throw new Error(`index ${last} out of range`);
          parent[i] = value;
        } else parent.splice(i, 0, value);
      } else {
        if (op.op === 'replace' && !(last in parent)) throw new Error(`${op.path} does not exist`);
        parent[last] = value;
      }
    }
  } catch (error) {
    return { ok: false, message: (error as Error).message };
  }
  return { ok: true, value: doc };
}

function remove(doc: unknown, segments: string[]): unknown {
  const { parent, last } = parentOf(doc, segments);
  if (Array.isArray(parent)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i >= parent.length) throw new Error(`index ${last} out of range`);
    parent.splice(i, 1);
  } else {
    if (!(last in parent)) throw new Error(`/${segments.join('/')} does not exist`);
    delete parent[last];
  }
  return doc;
}

const toPointer = (path: readonly string[]) => path.map((p) => `/${p.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The JSON Patch that turns `before` into `after`: objects compared key by key (add, remove, replace); arrays and
 * scalars replaced whole when they differ (a mutation's patch stays obviously correct rather than minimal).
 */
export function jsonPatchBetween(before: unknown, after: unknown, path: string[] = []): JsonPatchOp[] {
  if (isPlainObject(before) && isPlainObject(after)) {
    const ops: JsonPatchOp[] = [];
    for (const key of Object.keys(before)) if (!(key in after)) ops.push({ op: 'remove', path: toPointer([...path, key]) });
    for (const [key, value] of Object.entries(after)) {
      if (value === undefined) continue;
      if (!(key in before) || before[key] === undefined) ops.push({ op: 'add', path: toPointer([...path, key]), value });
      else ops.push(...jsonPatchBetween(before[key], value, [...path, key]));
    }
    return ops;
  }
  if (JSON.stringify(before) === JSON.stringify(after)) return [];
  return [{ op: 'replace', path: toPointer(path), value: after }];
}
