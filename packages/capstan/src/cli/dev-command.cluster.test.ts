// `capstan dev` end to end: CRDs applied, the operator run, restarted when its module changes, stopped by the signal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { useTestCluster } from '@capstan/localcluster';
import { ApiClient } from '../client/surface.js';
import { deleteNamespace, uniqueNamespace, waitUntil } from '../testing/index.js';
import { devCommand } from './dev-command.js';

// Inside the repository (test-artifacts/ is ignored), so that the module resolves 'capstan' as a user's would.
const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

test('capstan dev applies the CRD, runs the operator and restarts it when its module changes', async (t) => {
  const cluster = await useTestCluster();
  const client = await ApiClient.create({ path: cluster.kubeconfigPath });
  t.after(() => client.close());
  const ns = await uniqueNamespace(client, 'dev');
  t.after(() => deleteNamespace(client, ns));
  const dir = join(repoRoot, 'test-artifacts', `dev-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const group = `dev${process.pid}.capstan.dev`;
  const module = join(dir, 'operator.ts');
  writeFileSync(
    module,
    `import { createOperator, defineCustomResource, s, type CliSettings } from 'capstan';
export const Gadgets = defineCustomResource({ group: '${group}', version: 'v1', kind: 'Gadget', plural: 'gadgets', spec: s.object({ size: s.integer() }) });
export default (settings: CliSettings) => {
  const op = createOperator({ name: 'dev-test', ...(settings.logger ? { logger: settings.logger } : {}) });
  op.resource(Gadgets.ref).reconcile({ apply: () => {} });
  return op;
};
`,
  );
  let output = '';
  const stop = new AbortController();
  const io = { out: (s: string) => void (output += s), err: (s: string) => void (output += s), env: {}, signal: stop.signal };
  const running = devCommand.run([module, '-n', ns, '--kubeconfig', cluster.kubeconfigPath], io);
  t.after(() => stop.abort());
  const started = (n: number) => output.split('operator started').length - 1 >= n;
  await waitUntil(() => started(1), { timeoutMs: 120_000, message: 'the operator started', progress: () => output.slice(-2000) });
  const crd = await client.get(
    { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' },
    { name: `gadgets.${group}` },
  );
  assert.equal(crd.metadata.name, `gadgets.${group}`);
  t.after(() =>
    client.delete({ group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' }, { name: `gadgets.${group}` }),
  );
  appendFileSync(module, '// a change\n');
  await waitUntil(() => output.includes('changed: restarting') && started(2), {
    timeoutMs: 120_000,
    message: 'the operator restarted',
    progress: () => output.slice(-2000),
  });
  assert.match(output, /starting the operator \(round 2\)/);
  stop.abort();
  assert.equal(await running, 0);
});
