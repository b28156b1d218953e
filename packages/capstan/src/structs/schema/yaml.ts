// CRDs as YAML for `kubectl apply -f`: one document per definition, keys in definition order.
import { stringify } from 'yaml';
import type { CustomResourceDefinition } from './custom-resource.js';

/** YAML text of one or more CRDs (multi-document with `---` separators). */
export function toYaml(crds: CustomResourceDefinition | readonly CustomResourceDefinition[]): string {
  const list = Array.isArray(crds) ? crds : [crds as CustomResourceDefinition];
  // lineWidth 0: no folding, so patterns and JSONPaths stay on one line and diff cleanly.
  return list.map((crd) => stringify(crd, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}
