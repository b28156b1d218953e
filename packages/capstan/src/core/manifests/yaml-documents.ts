// Multi-document YAML with comments: a header on the first document and notes above chosen nodes.
import { Document, isScalar, isSeq, visit } from 'yaml';

export interface YamlDocument {
  body: unknown;
  /** Comments above nodes, by dotted path (`rules.0`). */
  comments?: Record<string, string>;
  /** Write lists of plain values in flow style (`verbs: [get, list]`), as people write RBAC. */
  flowLists?: boolean;
}

/** YAML text of the documents; `header` (lines starting with a space) goes above the first one. */
export function renderYaml(docs: readonly YamlDocument[], header?: string): string {
  return docs
    .map((d, i) => {
      const doc = new Document(d.body, { aliasDuplicateObjects: false });
      if (i === 0 && header) doc.commentBefore = header;
      if (d.flowLists) {
        visit(doc, {
          Seq(_, node) {
            if (isSeq(node) && node.items.every((item) => isScalar(item))) node.flow = true;
          },
        });
      }
      for (const [path, comment] of Object.entries(d.comments ?? {})) {
        const node = doc.getIn(
          path.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)),
          true,
        ) as { commentBefore?: string } | undefined;
        if (node) node.commentBefore = comment;
      }
      // lineWidth 0: no folding, so long strings diff cleanly.
      return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
    })
    .join('---\n');
}
