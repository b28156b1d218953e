// `age-secret verify`: every value encrypted and well formed, required fields present; with -i, decryptable.
import type { Document } from 'yaml';
import { decryptValue } from '../../crypto/age.js';
import { classifyValue } from '../../crypto/ciphertext.js';
import type { IdentitySet } from '../../crypto/identities.js';
import { AgeSecretError } from '../../errors.js';
import { ageSecretValues, isAgeSecret, locationOf, parseDocuments } from '../../manifest/documents.js';
import { isSecretDocument } from '../../manifest/from-secret.js';
import { readInput, type CliIo } from '../io.js';
import { fileOptions, gatherIdentities, identityOptions, inputFiles } from '../keys.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs } from '../usage.js';

/** Problems of one document that do not need keys; never quotes values. */
function structuralProblems(doc: Document, index: number): string[] {
  const where = `document ${index + 1}`;
  if (isSecretDocument(doc)) {
    const hasData = Boolean(doc.get('data')) || Boolean(doc.get('stringData'));
    return hasData ? [`${where}: plain kind: Secret with data is not safe to commit (use from-secret)`] : [];
  }
  if (!isAgeSecret(doc)) return [];
  const problems: string[] = [];
  const name = doc.getIn(['metadata', 'name']);
  if (typeof name !== 'string' || !name) problems.push(`${where}: AgeSecret has no metadata.name`);
  const label = `${typeof name === 'string' ? name : '?'} (${where})`;
  if (!doc.getIn(['spec', 'secretName'])) problems.push(`${label}: spec.secretName is missing`);
  const hasSecret = doc.getIn(['spec', 'secret']) !== undefined && doc.getIn(['spec', 'secret']) !== null;
  if (hasSecret && !doc.getIn(['spec', 'secretKey'])) problems.push(`${label}: spec.secret needs spec.secretKey`);
  if (!hasSecret && !doc.getIn(['spec', 'data'])) problems.push(`${label}: no values (spec.secret or spec.data)`);
  return problems;
}

export async function verify(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    args,
    {
      ...fileOptions,
      ...identityOptions,
      namespace: { type: 'string', short: 'n' },
    },
    true,
  );
  const files = inputFiles(values, positionals);
  const identities: IdentitySet | undefined =
    values.identity?.length || io.env['AGE_SECRET_KEY_FILE'] ? await gatherIdentities(io, values) : undefined;
  let failures = 0;
  const fail = (line: string) => {
    failures++;
    io.stdout(`FAIL ${line}\n`);
  };
  for (const file of files) {
    const docs = parseDocuments(await readInput(io, file), file);
    docs.forEach((doc, index) => structuralProblems(doc, index).forEach((p) => fail(`${file}: ${p}`)));
    for (const ref of ageSecretValues(docs)) {
      const kind = classifyValue(ref.text);
      if (kind !== 'encrypted') {
        fail(`${file}: ${ref.label}: ${kind === 'plaintext' ? 'NOT ENCRYPTED' : 'malformed ciphertext'}`);
        continue;
      }
      if (!identities) {
        io.stdout(`ok   ${file}: ${ref.label}: encrypted\n`);
        continue;
      }
      const location = locationOf(ref.doc, docs.indexOf(ref.doc));
      const namespace = location.namespace ?? values.namespace;
      try {
        const out = await decryptValue(ref.text, identities, namespace ? { at: { namespace, name: location.name } } : {});
        const bound = out.scope ? `, bound to ${out.scope.namespace}/${out.scope.name ?? '*'}` : '';
        io.stdout(`ok   ${file}: ${ref.label}: decrypts${bound}\n`);
      } catch (error) {
        if (!(error instanceof AgeSecretError)) throw error;
        fail(`${file}: ${ref.label}: ${error.reason}: ${error.message}`);
      }
    }
  }
  if (failures) io.stderr(`${failures} problem(s) found\n`);
  return failures ? EXIT_FAILURE : EXIT_OK;
}
