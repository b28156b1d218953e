// The CRD YAML from `capstan crd` on the real API server: accepted as structural, validating, defaulting, explainable.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { kubectl as runKubectl, useTestCluster } from '@capstan/localcluster';
import { parseAllDocuments } from 'yaml';
import { ApiClient } from '../client/surface.js';
import { InvalidError } from '../structs/errors.js';
import type { KubeObject } from '../structs/objects.js';
import type { CommandIo } from './command.js';
import { crdCommand } from './crd-command.js';
import { group, Widgets } from './fixtures/widgets.js';

const crdsRef = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' };
const namespaces = { version: 'v1', plural: 'namespaces' };

async function until<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

type Crd = KubeObject & { status?: { conditions?: { type: string; status: string }[] } };

describe('capstan crd output on a real API server', () => {
  let client: ApiClient;
  let kubeconfig: string;
  let ns: string;
  let names: string[] = [];

  before(async () => {
    const cluster = await useTestCluster();
    kubeconfig = cluster.kubeconfigPath;
    client = await ApiClient.create({ path: kubeconfig });
    ns = `crd-${randomBytes(4).toString('hex')}`;
    await client.create(namespaces, { metadata: { name: ns } });
  });
  after(async () => {
    for (const name of names) await client?.delete(crdsRef, { name }).catch(() => {});
    await client?.delete(namespaces, { name: ns }).catch(() => {});
    client?.close();
  });

  const kubectl = (...args: string[]) => runKubectl(kubeconfig, args);

  test('the CRDs are accepted and become Established', async () => {
    let yaml = '';
    const io: CommandIo = {
      out: (t) => {
        yaml += t;
      },
      err: () => {},
      env: {},
      signal: new AbortController().signal,
    };
    assert.equal(await crdCommand.run([new URL('./fixtures/widgets.ts', import.meta.url).pathname], io), 0);
    const crds = parseAllDocuments(yaml).map((d) => d.toJS() as KubeObject);
    names = crds.map((c) => c.metadata.name ?? '');
    for (const crd of crds) await client.apply(crdsRef, crd, { fieldManager: 'capstan-test', force: true });
    for (const name of names) {
      await until(`${name} Established`, async () => {
        const crd = await client.get<Crd>(crdsRef, { name });
        const nonStructural = crd.status?.conditions?.find((c) => c.type === 'NonStructuralSchema' && c.status === 'True');
        assert.equal(nonStructural, undefined, `${name} has a non-structural schema`);
        return crd.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True');
      });
    }
  });

  test('objects are validated and defaulted by the generated schema', async () => {
    const widgets = Widgets.ref;
    const made = await until('the widgets API to be served', () =>
      client.create<typeof Widgets.$object>(
        widgets,
        Widgets.build({ metadata: { name: 'w1', namespace: ns }, spec: { size: 5, owner: 'team-a', extra: { any: { thing: 1 } } } }),
      ),
    );
    assert.equal(made.spec?.color, 'red', 'default applied');
    assert.deepEqual(made.spec?.extra, { any: { thing: 1 } }, 'preserve-unknown kept');
    await assert.rejects(
      client.create(
        widgets,
        Widgets.build({ metadata: { name: 'w2', namespace: ns }, spec: { size: 500, owner: 'Team A', color: 'green' as 'red' } }),
      ),
      (e: unknown) =>
        e instanceof InvalidError && /spec\.size/.test(e.message) && /spec\.owner/.test(e.message) && /spec\.color/.test(e.message),
    );
    await assert.rejects(client.create(widgets, { metadata: { name: 'w3', namespace: ns }, spec: { size: 1 } } as never), InvalidError);
  });

  test('kubectl shows the printer columns and short name, and explains fields', async () => {
    const table = await kubectl('get', 'wdg', '-n', ns);
    assert.match(table, /^NAME\s+SIZE\s+COLOR\s+AGE/m);
    assert.match(table, /^w1\s+5\s+red\s+/m);
    const explained = await until('the schema to be published', async () => {
      const text = await kubectl('explain', `widgets.${group}.spec.size`);
      return /How big the widget is, in centimetres\./.test(text) && text;
    });
    assert.match(explained, /integer/);
  });
});
