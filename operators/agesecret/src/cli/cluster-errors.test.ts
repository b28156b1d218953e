// The cluster failures the CLI explains: which exit code and which words, per kind of error.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigurationError, ConnectionError, ForbiddenError, NotFoundError, ServerError, TimeoutError, UnauthorizedError } from 'capstan';
import { explainClusterError, grantHint, type Access } from './cluster-errors.js';

const access: Access = { verb: 'get', resource: 'configmaps', name: 'agesecret-recipients', namespace: 'dev', server: 'https://k:6443' };
const forbidden = 'configmaps "agesecret-recipients" is forbidden: User "dev" cannot get resource "configmaps" in the namespace "dev"';

test('each kind of failure: exit code and message', () => {
  const cases: [string, unknown, number, RegExp][] = [
    ['kubeconfig', new ConfigurationError('no context "nope" in the kubeconfig'), 8, /cannot use the kubeconfig: no context "nope"/],
    [
      '403',
      new ForbiddenError(forbidden, { status: 403, verb: 'get' }),
      6,
      /forbidden: you may not get configmaps agesecret-recipients in namespace dev .*--verb=get --resource=configmaps --resource-name=agesecret-recipients/,
    ],
    ['401', new UnauthorizedError('Unauthorized', { status: 401 }), 8, /https:\/\/k:6443 rejected the kubeconfig's credentials/],
    [
      'refused',
      new ConnectionError('connect ECONNREFUSED 127.0.0.1:1', { status: 0 }),
      7,
      /cannot reach the API server at https:\/\/k:6443: connect ECONNREFUSED/,
    ],
    ['timeout', new TimeoutError('no response within 60000 ms', { status: 504 }), 7, /cannot reach the API server/],
    [
      'no CRD',
      new NotFoundError('not served', { status: 404, verb: 'discover' }),
      1,
      /does not serve configmaps: is the AgeSecret operator/,
    ],
    [
      '500',
      new ServerError('etcd down', { status: 500, verb: 'get' }),
      1,
      /cannot get configmaps agesecret-recipients in namespace dev: the API server answered 500: etcd down/,
    ],
  ];
  for (const [what, error, code, message] of cases) {
    const explained = explainClusterError(error, access);
    assert.equal(explained?.exitCode, code, what);
    assert.match(explained.message, message, what);
    assert.equal(explained.cause, error, `${what}: the cause is kept`);
  }
  assert.equal(explainClusterError(new TypeError('bug'), access), undefined, 'bugs are not cluster failures');
});

test('the grant hint names exactly the permission', () => {
  assert.equal(
    grantHint(access),
    'kubectl create role <name> -n dev --verb=get --resource=configmaps --resource-name=agesecret-recipients (and a rolebinding)',
  );
  assert.equal(
    grantHint({ verb: 'list', resource: 'agesecrets.pyvo.io', namespace: 'dev' }),
    'kubectl create role <name> -n dev --verb=list --resource=agesecrets.pyvo.io (and a rolebinding)',
  );
});
