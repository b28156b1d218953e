// Checks deploy/numbers as kubectl would build it (kubectl kustomize, client-side): names, the secret
// mount, probes, resources and a restricted security context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { kubectlPath } from '@capstan/localcluster';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = join(ROOT, 'deploy', 'numbers');

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

// kubectl kustomize when kubectl is installed; otherwise the listed resources with the namespace set
// (enough for these checks, which do not depend on other transformers).
function render(): Obj[] {
  try {
    return parseAllDocuments(execFileSync(kubectlPath(), ['kustomize', DIR], { encoding: 'utf8' })).map((d) => d.toJS() as Obj);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as { namespace: string; resources: string[] };
    return kustomization.resources.flatMap((file) =>
      parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => {
        const obj = d.toJS() as Obj;
        if (obj.kind !== 'Namespace') obj.metadata.namespace = kustomization.namespace;
        return obj;
      }),
    );
  }
}

const objects = render();
const find = (kind: string, name: string): Obj => {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(obj, `${kind} ${name} is in the kustomization`);
  return obj;
};

test('Namespace development, Deployment application and its Service', () => {
  find('Namespace', 'development');
  assert.equal(find('Deployment', 'application').metadata.namespace, 'development');
  assert.equal(find('Service', 'application').metadata.namespace, 'development');
});

test('the container runs image app, never pulled when present, on port 5000 named web', () => {
  const [container, ...others] = find('Deployment', 'application').spec.template.spec.containers;
  assert.equal(others.length, 0);
  assert.match(container.image, /^app(:|$)/);
  assert.equal(container.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(container.ports, [{ name: 'web', containerPort: 5000, protocol: 'TCP' }]);
});

test('the Secret macrodata-numbers is mounted read-only at /app/secret.txt (subPath numbers)', () => {
  const pod = find('Deployment', 'application').spec.template.spec;
  const mount = pod.containers[0].volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/app/secret.txt');
  assert.deepEqual(mount, { name: 'secret', mountPath: '/app/secret.txt', subPath: 'numbers', readOnly: true });
  const volume = pod.volumes.find((v: { name: string }) => v.name === 'secret');
  assert.equal(volume.secret.secretName, 'macrodata-numbers');
});

test('liveness and readiness probe /healthz on the web port; requests and a memory limit are set', () => {
  const container = find('Deployment', 'application').spec.template.spec.containers[0];
  for (const probe of [container.livenessProbe, container.readinessProbe])
    assert.deepEqual(probe.httpGet, { path: '/healthz', port: 'web' });
  assert.ok(container.resources.requests.cpu && container.resources.requests.memory);
  assert.ok(container.resources.limits.memory);
});

test('the pod is restricted: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp, no API token', () => {
  const pod = find('Deployment', 'application').spec.template.spec;
  const sc = pod.containers[0].securityContext;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.ok(pod.securityContext.runAsUser > 0);
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities.drop, ['ALL']);
  assert.equal(pod.automountServiceAccountToken, false);
});

test('the Service selects the pods and targets the web port', () => {
  const deployment = find('Deployment', 'application');
  const service = find('Service', 'application');
  for (const [key, value] of Object.entries(service.spec.selector as Record<string, string>)) {
    assert.equal(deployment.spec.template.metadata.labels[key], value, `selector ${key}=${value} matches the pod template`);
  }
  assert.deepEqual(
    service.spec.ports.map((p: { port: number; targetPort: string }) => [p.port, p.targetPort]),
    [[5000, 'web']],
  );
});
