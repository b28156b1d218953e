// The install manifests against a real API server: every deploy/<name> kustomization applies server-side
// (kubectl apply --dry-run=server -k), and each operator's RBAC stays least-privilege (allowlisted verbs only).
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
 * Least privilege, documented: for each operator, every (apiGroup, resource) it may touch and the verbs it
 * needs there, with why. A rule granting anything else, or any wildcard, fails. Sufficiency is shown by
 * the demo (demo/src/demo.cluster.test.ts), which runs both operators with exactly these roles.
 */
const ALLOWED: Record<string, Record<string, { verbs: string[]; why: string; resourceNames?: string[] }>> = {
  agesecret: {
    'pyvo.io/agesecrets': {
      verbs: ['get', 'list', 'watch', 'patch'],
      why: 'watch AgeSecrets; patch removes the finalizer of releases before 0.2',
    },
    'pyvo.io/agesecrets/status': { verbs: ['patch'], why: 'Ready condition, observedGeneration, secretName' },
    '/secrets': {
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
      why: 'reads key Secrets; owns (writes, deletes) the generated Secrets',
    },
    '/events': { verbs: ['create', 'patch'], why: 'core/v1 Events on AgeSecrets (patch: repeated events aggregate)' },
    'events.k8s.io/events': { verbs: ['create', 'patch'], why: 'the same Events through events.k8s.io' },
    'coordination.k8s.io/leases': {
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch'],
      why: 'leader election (a Role in its own namespace)',
    },
  },
  'legacy-handshake': {
    '/pods': { verbs: ['get', 'list', 'watch', 'patch'], why: 'watch labelled pods; annotate secret-handshake-done' },
    '/pods/status': { verbs: ['patch'], why: 'the readiness-gate condition secret-handshake.pyvo.io/done' },
    'apps/deployments': { verbs: ['get', 'list', 'watch', 'patch'], why: 'Deployment-level opt-in: label and gate the pod template' },
    '/events': { verbs: ['create', 'patch'], why: 'core/v1 Events on the pods and Deployments it acts on' },
    '/secrets': {
      verbs: ['get', 'list', 'watch'],
      why: 'its one suffix Secret, listed and watched by name',
      resourceNames: ['legacy-handshake-suffix'],
    },
    'coordination.k8s.io/leases': { verbs: ['create', 'get', 'update', 'patch'], why: 'leader election (a Role in its own namespace)' },
  },
};

describe('operator RBAC is least privilege', () => {
  for (const [operator, allowed] of Object.entries(ALLOWED)) {
    test(`deploy/${operator}: no wildcard, no verb outside its allowlist`, async () => {
      const roles = (await render(operator)).filter((d) => d.kind === 'ClusterRole' || d.kind === 'Role');
      assert.ok(
        roles.some((r) => r.kind === 'ClusterRole'),
        'it has a ClusterRole',
      );
      const granted: string[] = [];
      for (const role of roles) {
        for (const rule of role.rules ?? []) {
          const where = `${role.kind} ${role.metadata?.name}`;
          assert.equal(rule.nonResourceURLs, undefined, `${where}: no nonResourceURLs`);
          for (const field of [rule.apiGroups, rule.resources, rule.verbs])
            assert.ok(!field?.includes('*'), `${where}: no wildcard in ${JSON.stringify(rule)}`);
          for (const group of rule.apiGroups ?? []) {
            for (const resource of rule.resources ?? []) {
              const key = `${group}/${resource}`;
              const entry = allowed[key];
              assert.ok(entry, `${where}: ${key} is not in the allowlist of ${operator}`);
              for (const verb of rule.verbs ?? []) {
                assert.ok(
                  entry.verbs.includes(verb),
                  `${where}: verb ${verb} on ${key} is not allowed (allowed: ${entry.verbs.join(', ')}: ${entry.why})`,
                );
                granted.push(`${key}:${verb}`);
              }
              if (entry.resourceNames) assert.deepEqual(rule.resourceNames, entry.resourceNames, `${where}: ${key} only by name`);
            }
          }
        }
      }
      assert.ok(granted.length > 0);
    });
  }
});
