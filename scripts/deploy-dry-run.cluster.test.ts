// The install manifests against a real API server: every deploy/<name> kustomization applies server-side
// (kubectl apply --dry-run=server -k), and no operator role holds a wildcard.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { parseAllDocuments, stringify } from 'yaml';
import { useTestCluster, kubectlPath } from '@capstan/localcluster';

const run = promisify(execFile);
const deployDir = fileURLToPath(new URL('../deploy/', import.meta.url));
const kustomizations = readdirSync(deployDir)
  .filter((d) => existsSync(join(deployDir, d, 'kustomization.yaml')))
  .sort();

interface Doc {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string };
  spec?: { group?: string; names?: { kind?: string } };
  rules?: Rule[];
}
interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

async function render(name: string): Promise<Doc[]> {
  const { stdout } = await run(kubectlPath(), ['kustomize', join(deployDir, name)], { maxBuffer: 16 << 20 });
  return parseAllDocuments(stdout)
    .map((d) => d.toJS() as Doc)
    .filter(Boolean);
}

test('deploy/ has the four kustomizations the README and the demo use', () => {
  for (const name of ['agesecret', 'legacy-handshake', 'legacy-mock', 'numbers'])
    assert.ok(kustomizations.includes(name), `deploy/${name}`);
});

describe('kubectl apply --dry-run=server -k deploy/<name>', () => {
  let kubeconfig: string;
  const kubectl = (args: string[], input?: string) => {
    const child = run(kubectlPath(), ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 16 << 20 });
    child.child.stdin?.end(input ?? '');
    return child;
  };
  const createdNamespaces: string[] = [];

  before(async () => {
    const cluster = await useTestCluster();
    kubeconfig = cluster.kubeconfigPath;
    const rendered = new Map(await Promise.all(kustomizations.map(async (k) => [k, await render(k)] as const)));
    const all = [...rendered.values()].flat();
    // CRDs for real where some kustomization holds instances of them: a dry run cannot create the type.
    const crds = all.filter((d) => d.kind === 'CustomResourceDefinition');
    const instantiated = crds.filter((crd) =>
      all.some((d) => d.kind === crd.spec?.names?.kind && d.apiVersion?.startsWith(`${crd.spec?.group}/`)),
    );
    for (const crd of instantiated) {
      await kubectl(['apply', '-f', '-'], stringify(crd));
      await kubectl(['wait', '--for=condition=Established', `crd/${crd.metadata?.name}`, '--timeout=120s']);
    }
    // Namespaced objects need their namespace to exist even in a dry run: create the missing ones, delete them after.
    const namespaces = new Set(all.map((d) => d.metadata?.namespace).filter((n): n is string => Boolean(n)));
    for (const d of all) if (d.kind === 'Namespace' && d.metadata?.name) namespaces.add(d.metadata.name);
    for (const ns of namespaces) {
      const exists = await kubectl(['get', 'namespace', ns]).then(
        () => true,
        () => false,
      );
      if (exists) continue;
      await kubectl(['create', 'namespace', ns]);
      createdNamespaces.push(ns);
    }
  });

  after(async () => {
    if (createdNamespaces.length) await kubectl(['delete', 'namespace', '--wait=false', ...createdNamespaces]).catch(() => undefined);
  });

  for (const name of kustomizations) {
    test(`deploy/${name} is accepted by the API server`, { timeout: 180_000 }, async () => {
      const docs = await render(name);
      const { stdout } = await kubectl(['apply', '--dry-run=server', '-k', join(deployDir, name)]);
      // kubectl prints one line per object ("<kind>/<name> created (server dry run)"); every object is there.
      const lines = stdout.trim().split('\n');
      assert.equal(lines.length, docs.length, stdout);
      for (const line of lines) assert.match(line, /\(server dry run\)$/);
    });
  }
});

/**
 * The operators' RBAC is generated (`capstan generate`, checked by deploy-generated.test.ts) and proven
 * sufficient and minimal by each operator's rbac.cluster.test.ts from the audit log. Here, what no generated
 * role may ever hold: wildcards and non-resource URLs.
 */
describe('operator RBAC has no wildcard', () => {
  for (const operator of ['agesecret', 'legacy-handshake']) {
    test(`deploy/${operator}: no wildcard, no nonResourceURLs`, async () => {
      const roles = (await render(operator)).filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
      assert.ok(roles.length > 0, 'it has roles');
      for (const role of roles) {
        for (const rule of role.rules ?? []) {
          const where = `${role.kind} ${role.metadata?.name}`;
          assert.equal(rule.nonResourceURLs, undefined, `${where}: no nonResourceURLs`);
          for (const field of [rule.apiGroups, rule.resources, rule.verbs, rule.resourceNames])
            assert.ok(!field?.includes('*'), `${where}: no wildcard in ${JSON.stringify(rule)}`);
        }
      }
    });
  }
});
