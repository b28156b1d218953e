// Namespace patterns: exact names and shell-style globs (`team-*`, `dev-?`), plus `!pattern` exclusions.

export function isGlob(pattern: string): boolean {
  return /[*?[]/.test(pattern) || pattern.startsWith('!');
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (const ch of glob) {
    if (ch === '*') re += '.*';
    else if (ch === '?') re += '.';
    else re += ch.replace(/[.+^${}()|\\\]]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/**
 * A namespace matches when it matches at least one positive pattern (or there are none) and no
 * negative (`!`-prefixed) pattern.
 */
export function namespaceMatcher(patterns: readonly string[]): (namespace: string) => boolean {
  const pos = patterns.filter((p) => !p.startsWith('!')).map(globToRegExp);
  const neg = patterns.filter((p) => p.startsWith('!')).map((p) => globToRegExp(p.slice(1)));
  return (ns) => (pos.length === 0 || pos.some((r) => r.test(ns))) && !neg.some((r) => r.test(ns));
}
