// Label and field selectors evaluated in memory (the memory client's lists and watches).
import { apiErrorFrom } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';

/** Field selectors on `metadata.name` and `metadata.namespace` (`=`, `==`, `!=`, comma-separated): what every resource supports. */
export function fieldMatcher(selector: string | undefined): (obj: KubeObject) => boolean {
  if (!selector) return () => true;
  const reqs = selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((req) => {
      const m = req.match(/^(metadata\.name|metadata\.namespace)(!=|==|=)(.*)$/);
      if (!m) throw apiErrorFrom({ status: 400, reason: 'BadRequest', verb: 'list', message: `field label not supported: ${req}` });
      const [, field, op, value] = m;
      const get = (o: KubeObject) => (field === 'metadata.name' ? o.metadata.name : o.metadata.namespace) ?? '';
      return (o: KubeObject) => (op === '!=' ? get(o) !== value : get(o) === value);
    });
  return (obj) => reqs.every((r) => r(obj));
}

/** Equality-based label selectors: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma-separated. */
export function selectorMatcher(selector: string | undefined): (labels: Record<string, string> | undefined) => boolean {
  if (!selector) return () => true;
  const reqs = selector
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((req) => {
      let m: RegExpMatchArray | null;
      if ((m = req.match(/^([^!=]+)!=(.*)$/))) return (l: Record<string, string>) => l[m![1]!] !== m![2];
      if ((m = req.match(/^([^!=]+)==?(.*)$/))) return (l: Record<string, string>) => l[m![1]!] === m![2];
      if (req.startsWith('!')) return (l: Record<string, string>) => !(req.slice(1) in l);
      return (l: Record<string, string>) => req in l;
    });
  return (labels) => reqs.every((r) => r(labels ?? {}));
}
