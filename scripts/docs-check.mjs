// Every exported symbol of the public entry points has a doc comment: reads TypeDoc's JSON, lists those without.
import { readFileSync } from 'node:fs';

const KINDS = { 8: 'enum', 32: 'variable', 64: 'function', 128: 'class', 256: 'interface', 2097152: 'type' };
const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/docs-check.mjs <typedoc.json>');
  process.exit(2);
}
const project = JSON.parse(readFileSync(file, 'utf8'));
const hasDoc = (r) => Boolean(r.comment?.summary?.length) || (r.signatures ?? []).some((s) => s.comment?.summary?.length);
const missing = [];
let checked = 0;
// Projects (packages) -> modules (entry points) -> exported symbols; a symbol exported twice is checked once.
const seen = new Set();
const visit = (node, path) => {
  for (const child of node.children ?? []) {
    if (child.kind === 1 || child.kind === 2) visit(child, [...path, child.name]);
    else if (KINDS[child.kind]) {
      const key = `${child.sources?.[0]?.fileName ?? path.join('/')}#${child.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checked++;
      if (!hasDoc(child)) missing.push(`${path.join(' > ')}: ${KINDS[child.kind]} ${child.name}`);
    }
  }
};
visit(project, []);
if (missing.length) {
  console.error(`${missing.length} of ${checked} exported symbols have no doc comment:\n${missing.map((m) => `  ${m}`).join('\n')}`);
  process.exit(1);
}
console.log(`all ${checked} exported symbols have doc comments`);
