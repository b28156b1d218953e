// Tests of `capstan crd`: YAML output to stdout or a file, and clear errors with exit codes.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { CommandIo } from './command.js';
import { crdCommand } from './crd-command.js';

const fixtures = join(import.meta.dirname, 'fixtures');

async function run(argv: string[]) {
  let out = '';
  let err = '';
  const io: CommandIo = {
    out: (t) => {
      out += t;
    },
    err: (t) => {
      err += t;
    },
    env: {},
    signal: new AbortController().signal,
  };
  const code = await crdCommand.run(argv, io);
  return { code, out, err };
}

describe('capstan crd', () => {
  test('prints every exported custom resource as YAML, sorted by name', async () => {
    const { code, out, err } = await run([join(fixtures, 'widgets.ts')]);
    assert.equal(code, 0, err);
    const docs = parseAllDocuments(out).map((d) => d.toJS() as { kind: string; metadata: { name: string } });
    assert.deepEqual(
      docs.map((d) => `${d.kind}/${d.metadata.name}`),
      ['CustomResourceDefinition/gadgets.crdtest.capstan.dev', 'CustomResourceDefinition/widgets.crdtest.capstan.dev'],
    );
    assert.match(out, /description: How big the widget is, in centimetres\./);
    // CEL rules and selectable fields are written as the API server reads them.
    const widgets = parseAllDocuments(out)[1]?.toJS() as {
      spec: {
        versions: {
          selectableFields?: unknown;
          schema: { openAPIV3Schema: { properties: { spec: { properties: { owner: Record<string, unknown> } } } } };
        }[];
      };
    };
    const version = widgets.spec.versions[0]!;
    assert.deepEqual(version.selectableFields, [{ jsonPath: '.spec.owner' }]);
    assert.deepEqual(version.schema.openAPIV3Schema.properties.spec.properties.owner['x-kubernetes-validations'], [
      { rule: "self != 'nobody'", message: 'a widget needs a real owner' },
    ]);
  });

  test('--out writes the file (creating directories)', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'capstan-crd-')), 'deploy', 'crds.yaml');
    const { code, out, err } = await run([join(fixtures, 'widgets.ts'), '--out', file]);
    assert.equal(code, 0);
    assert.equal(out, '');
    assert.match(err, /wrote gadgets\.crdtest\.capstan\.dev, widgets\.crdtest\.capstan\.dev to /);
    assert.equal(parseAllDocuments(readFileSync(file, 'utf8')).length, 2);
  });

  test('usage errors exit 2, a module without resources exits 1', async () => {
    assert.equal((await run([])).code, 2);
    assert.equal((await run(['a.ts', 'b.ts'])).code, 2);
    assert.equal((await run(['--bogus'])).code, 2);
    const missing = await run([join(fixtures, 'missing.ts')]);
    assert.equal(missing.code, 2);
    assert.match(missing.err, /module not found/);
    const empty = await run([join(fixtures, 'empty.ts')]);
    assert.equal(empty.code, 1);
    assert.match(empty.err, /exports no custom resources/);
    assert.equal((await run(['--help'])).code, 0);
  });
});
