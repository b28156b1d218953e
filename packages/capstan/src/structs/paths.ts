// Dotted field paths (`spec.secretName`, `metadata.labels.app`) over plain JSON objects.

/** Split `a.b.c` into segments; a segment may be quoted with brackets for dots in keys: `metadata.labels[app.kubernetes.io/name]`. */
export function parsePath(path: string | readonly string[]): string[] {
  if (typeof path !== 'string') return [...path];
  const out: string[] = [];
  const re = /\[([^\]]*)\]|([^.[\]]+)/g;
  for (let m = re.exec(path); m; m = re.exec(path)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

export function getPath(obj: unknown, path: string | readonly string[]): unknown {
  let cur: unknown = obj;
  for (const seg of parsePath(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[seg];
  }
  return cur;
}
