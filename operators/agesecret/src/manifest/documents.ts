// Reads and rewrites multi-document YAML with the yaml Document API, so comments and key order survive.
import { isMap, isScalar, parseAllDocuments, type Document, type Scalar } from 'yaml';
import { API_VERSION, KIND } from '../resource.js';
import { InputError } from './input-error.js';

/** Annotation on an AgeSecret recording the recipients its values are encrypted for (public keys). */
export const RECIPIENTS_ANNOTATION = 'age-secret.pyvo.io/recipients';

/** One value of an AgeSecret (spec.secret or spec.data.<key>) inside a parsed document. */
export interface ValueRef {
  doc: Document;
  path: string[];
  /** For messages: `my-secret spec.data.password (document 2)`; never the value. */
  label: string;
  /** The scalar's text; non-strings (numbers, booleans) are rendered as text. */
  text: string;
}

/** The namespace/name of an AgeSecret document (the namespace may be absent in git manifests). */
export interface DocumentLocation {
  name: string;
  namespace?: string;
}

/** Parses every document; YAML errors become an InputError with the first error's position. */
export function parseDocuments(text: string, source: string): Document[] {
  const docs = parseAllDocuments(text, { keepSourceTokens: false });
  if (!Array.isArray(docs)) return [];
  for (const doc of docs) {
    const [error] = doc.errors;
    if (error) {
      // yaml appends a code frame quoting the source (maybe a secret) after the first line: drop it.
      const summary = error.message.split('\n')[0]?.replace(/:$/, '') ?? error.code;
      throw new InputError(`${source}: invalid YAML: ${summary}`);
    }
  }
  return docs;
}

/** Joins documents back, keeping their own `---` markers. */
export function stringifyDocuments(docs: readonly Document[]): string {
  return docs
    .map((doc, i) => {
      const text = doc.toString({ lineWidth: 0 });
      return i > 0 && !text.startsWith('---') ? `---\n${text}` : text;
    })
    .join('');
}

export function isAgeSecret(doc: Document): boolean {
  return doc.get('kind') === KIND && String(doc.get('apiVersion') ?? API_VERSION).startsWith('pyvo.io/');
}

export function locationOf(doc: Document, index: number): DocumentLocation {
  const name = doc.getIn(['metadata', 'name']);
  const namespace = doc.getIn(['metadata', 'namespace']);
  if (typeof name !== 'string' || name === '') throw new InputError(`document ${index + 1}: AgeSecret has no metadata.name`);
  return typeof namespace === 'string' && namespace !== '' ? { name, namespace } : { name };
}

function scalarText(node: Scalar): string {
  return typeof node.value === 'string' ? node.value : String(node.value);
}

/** The values of every AgeSecret document, in document order; null and empty values are skipped. */
export function ageSecretValues(docs: readonly Document[]): ValueRef[] {
  const out: ValueRef[] = [];
  docs.forEach((doc, index) => {
    if (!isAgeSecret(doc)) return;
    const name = String(doc.getIn(['metadata', 'name']) ?? '?');
    const where = (field: string) => `${name} ${field} (document ${index + 1})`;
    const secret = doc.getIn(['spec', 'secret'], true);
    if (isScalar(secret) && secret.value !== null && secret.value !== '') {
      out.push({ doc, path: ['spec', 'secret'], label: where('spec.secret'), text: scalarText(secret) });
    }
    const data = doc.getIn(['spec', 'data'], true);
    if (isMap(data)) {
      for (const pair of data.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (isScalar(pair.value) && pair.value.value !== null && pair.value.value !== '') {
          out.push({ doc, path: ['spec', 'data', key], label: where(`spec.data.${key}`), text: scalarText(pair.value) });
        }
      }
    }
  });
  return out;
}

/** Replaces a value in place; multi-line text is written as a block literal, one-liners plain. */
export function setValue(ref: ValueRef, text: string): void {
  ref.doc.setIn(ref.path, text);
  const node = ref.doc.getIn(ref.path, true);
  if (isScalar(node)) node.type = text.includes('\n') ? 'BLOCK_LITERAL' : 'PLAIN';
}

export function recordedRecipients(doc: Document): string[] {
  const value = doc.getIn(['metadata', 'annotations', RECIPIENTS_ANNOTATION]);
  return typeof value === 'string'
    ? value
        .split(',')
        .map((r) => r.trim())
        .filter(Boolean)
    : [];
}

export function recordRecipients(doc: Document, recipients: readonly string[]): void {
  doc.setIn(['metadata', 'annotations', RECIPIENTS_ANNOTATION], recipients.join(','));
}
