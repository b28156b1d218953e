// Unit tests of kubeconfig parsing and selection: contexts, missing pieces, plugin users, no secrets in errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError } from '../structs/errors.js';
import { needsClientNode, parseKubeconfig, selectKubeconfig } from './kubeconfig-file.js';

const doc = parseKubeconfig(`
apiVersion: v1
kind: Config
current-context: dev
clusters:
- name: c1
  cluster: { server: "https://one.example:6443", insecure-skip-tls-verify: true }
- name: c2
  cluster: { server: "https://two.example", tls-server-name: api.two }
users:
- name: u1
  user: { token: t-one }
- name: u2
  user: { exec: { command: get-token, apiVersion: client.authentication.k8s.io/v1 } }
contexts:
- name: dev
  context: { cluster: c1, user: u1 }
- name: prod
  context: { cluster: c2, user: u2 }
- name: anon
  context: { cluster: c2 }
`);

test('the current context selects its cluster and user', () => {
  const s = selectKubeconfig(doc);
  assert.equal(s.context, 'dev');
  assert.equal(s.cluster.server, 'https://one.example:6443');
  assert.equal(s.cluster['insecure-skip-tls-verify'], true);
  assert.equal(s.user.token, 't-one');
  assert.equal(needsClientNode(s.user), false);
});

test('`context` overrides the current one; exec users need client-node; no user is anonymous', () => {
  const prod = selectKubeconfig(doc, { context: 'prod' });
  assert.equal(prod.cluster['tls-server-name'], 'api.two');
  assert.equal(needsClientNode(prod.user), true);
  assert.equal(needsClientNode({ 'auth-provider': { name: 'oidc' } }), true);
  assert.deepEqual(selectKubeconfig(doc, { context: 'anon' }).user, {});
});

test('missing pieces are ConfigurationErrors that say which', () => {
  const { 'current-context': _, ...noCurrent } = doc;
  assert.throws(
    () => selectKubeconfig(noCurrent),
    (e) => e instanceof ConfigurationError && /no current-context/.test(e.message),
  );
  assert.throws(() => selectKubeconfig(doc, { context: 'nope' }), /no context named "nope"/);
  const broken = parseKubeconfig('current-context: x\ncontexts: [{ name: x, context: { cluster: gone, user: u } }]\n');
  assert.throws(() => selectKubeconfig(broken), /no cluster named "gone"/);
  const noServer = parseKubeconfig(
    'current-context: x\ncontexts: [{ name: x, context: { cluster: c } }]\nclusters: [{ name: c, cluster: {} }]\n',
  );
  assert.throws(() => selectKubeconfig(noServer), /has no server URL/);
  const noUser = parseKubeconfig(
    'current-context: x\ncontexts: [{ name: x, context: { cluster: c, user: who } }]\nclusters: [{ name: c, cluster: { server: "https://x" } }]\n',
  );
  assert.throws(() => selectKubeconfig(noUser), /no user named "who"/);
  assert.throws(() => parseKubeconfig('- a list\n'), /not a YAML mapping/);
});

test('a YAML error never quotes the text (it may hold a token)', () => {
  const secret = 'sekret-token-value';
  assert.throws(
    () => parseKubeconfig(`users:\n- name: u\n  user: { token: ${secret}\n  bad: [\n`),
    (e) => {
      assert.ok(e instanceof ConfigurationError);
      assert.ok(!e.message.includes(secret), e.message);
      return true;
    },
  );
});
