// Checks deploy/legacy-mock as kubectl would build it (kubectl kustomize, client-side): the handshake
// label and readiness gate, liveness only, the Service and Ingress of the seed, a restricted pod.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments } from 'yaml';
import { kubectlPath } from '@capstan/localcluster';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIR = join(ROOT, 'deploy', 'legacy-mock');
const NAMESPACE = 'legacy-automation-demo';

type Obj = { kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

// kubectl kustomize when kubectl is installed; otherwise the listed resources with the namespace set.
function render(): Obj[] {
  try {
    return parseAllDocuments(execFileSync(kubectlPath(), ['kustomize', DIR], { encoding: 'utf8' })).map((d) => d.toJS() as Obj);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    const { namespace, resources } = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8')) as {
      namespace: string;
      resources: string[];
    };
    const docs = resources.flatMap((file) => parseAllDocuments(readFileSync(join(DIR, file), 'utf8')).map((d) => d.toJS() as Obj));
    return docs.map((o) => (o.kind === 'Namespace' ? o : { ...o, metadata: { ...o.metadata, namespace } }));
  }
}

const objects = render();
const find = (kind: string, name: string): Obj => {
  const obj = objects.find((o) => o.kind === kind && o.metadata.name === name);
  assert.ok(obj, `${kind} ${name} is in the kustomization`);
  return obj;
};

test('the seed objects: Namespace, Deployment legacy-mock, Service legacy-mock-service, Ingress legacy-mock-ingress', () => {
  find('Namespace', NAMESPACE);
  for (const [kind, name] of [
    ['Deployment', 'legacy-mock'],
    ['Service', 'legacy-mock-service'],
    ['Ingress', 'legacy-mock-ingress'],
  ] as const) {
    assert.equal(find(kind, name).metadata.namespace, NAMESPACE, `${kind} ${name}`);
  }
});

test('the Deployment and its pod template carry secret-handshake: "true" and the readiness gate', () => {
  const deployment = find('Deployment', 'legacy-mock');
  assert.equal(deployment.metadata.labels?.['secret-handshake'], 'true');
  assert.equal(deployment.spec.template.metadata.labels['secret-handshake'], 'true');
  assert.deepEqual(deployment.spec.template.spec.readinessGates, [{ conditionType: 'secret-handshake.pyvo.io/done' }]);
});

test('the container: image legacy-mock, port 3000 named http, liveness on /health and no readiness probe', () => {
  const [container, ...others] = find('Deployment', 'legacy-mock').spec.template.spec.containers;
  assert.equal(others.length, 0);
  assert.match(container.image, /^legacy-mock(:|$)/);
  assert.equal(container.imagePullPolicy, 'IfNotPresent');
  assert.deepEqual(container.ports, [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]);
  assert.deepEqual(container.livenessProbe.httpGet, { path: '/health', port: 'http' });
  assert.equal(container.readinessProbe, undefined, 'readiness comes from the gate, not from GET /');
  assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
});

test('the pod is restricted: non-root, read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp', () => {
  const pod = find('Deployment', 'legacy-mock').spec.template.spec;
  const sc = pod.containers[0].securityContext;
  assert.equal(pod.securityContext.runAsNonRoot, true);
  assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
  assert.equal(sc.readOnlyRootFilesystem, true);
  assert.equal(sc.allowPrivilegeEscalation, false);
  assert.deepEqual(sc.capabilities.drop, ['ALL']);
  assert.equal(pod.automountServiceAccountToken, false);
});

test('the Service selects the pods on port 3000 and the Ingress routes / to it', () => {
  const template = find('Deployment', 'legacy-mock').spec.template;
  const service = find('Service', 'legacy-mock-service');
  for (const [key, value] of Object.entries(service.spec.selector as Record<string, string>)) {
    assert.equal(template.metadata.labels[key], value, `selector ${key}=${value} matches the pod template`);
  }
  assert.deepEqual(
    service.spec.ports.map((p: { port: number; targetPort: string }) => [p.port, p.targetPort]),
    [[3000, 'http']],
  );
  const path = find('Ingress', 'legacy-mock-ingress').spec.rules[0].http.paths[0];
  assert.equal(path.path, '/');
  assert.deepEqual(path.backend.service, { name: 'legacy-mock-service', port: { number: 3000 } });
});
