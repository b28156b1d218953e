// ruleCoverage and the audit log reader: which grants a run used, what was refused, what is documented as rare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestsFromAuditLog, ruleCoverage, type ApiRequestRecord } from './coverage.js';
import type { DerivedRbac } from './rbac.js';

const user = 'system:serviceaccount:sys:op';
const line = (o: Record<string, unknown>) => JSON.stringify({ stage: 'ResponseComplete', user: { username: user }, ...o });

test('requestsFromAuditLog: one record per request (a watch at its start), this user only, subresources joined', () => {
  const log = [
    line({ verb: 'get', objectRef: { resource: 'secrets', namespace: 'a', name: 's' }, responseStatus: { code: 200 } }),
    line({ stage: 'ResponseStarted', verb: 'watch', objectRef: { resource: 'pods', namespace: 'a' }, responseStatus: { code: 200 } }),
    line({ verb: 'watch', objectRef: { resource: 'pods', namespace: 'a' }, responseStatus: { code: 200 } }),
    line({
      verb: 'patch',
      objectRef: { resource: 'pods', subresource: 'status', namespace: 'a', name: 'p' },
      responseStatus: { code: 403 },
    }),
    JSON.stringify({ stage: 'ResponseComplete', verb: 'get', user: { username: 'admin' }, objectRef: { resource: 'secrets' } }),
    line({ verb: 'get' }), // a non-resource request: no objectRef
    '{"cut by rotation',
  ].join('\n');
  assert.deepEqual(requestsFromAuditLog(log, user), [
    { user, verb: 'get', apiGroup: '', resource: 'secrets', namespace: 'a', name: 's', code: 200 },
    { user, verb: 'watch', apiGroup: '', resource: 'pods', namespace: 'a', code: 200 },
    { user, verb: 'patch', apiGroup: '', resource: 'pods/status', namespace: 'a', name: 'p', code: 403 },
  ]);
});

const rbac: DerivedRbac = {
  cluster: [
    { rule: { apiGroups: [''], resources: ['pods'], verbs: ['list', 'watch', 'patch'] }, why: ['w'], conditional: { list: 'paged lists' } },
    { rule: { apiGroups: [''], resources: ['configmaps'], verbs: ['create', 'patch'] }, why: ['apply'] },
  ],
  namespaced: [
    {
      namespace: 'sys',
      rules: [
        {
          rule: { apiGroups: ['coordination.k8s.io'], resources: ['leases'], resourceNames: ['op'], verbs: ['get', 'update'] },
          why: ['lease'],
        },
      ],
    },
  ],
};
const req = (r: Partial<ApiRequestRecord>): ApiRequestRecord => ({ user, verb: 'get', apiGroup: '', resource: 'pods', code: 200, ...r });

test('ruleCoverage: used verb by verb; conditional verbs apart; 403s are forbidden and use nothing', () => {
  const coverage = ruleCoverage(rbac, [
    req({ verb: 'watch', namespace: 'a' }),
    req({ verb: 'patch', namespace: 'a', name: 'p', code: 403 }),
    // A server-side apply that created its object (201) used create as well as patch.
    req({ verb: 'patch', resource: 'configmaps', namespace: 'a', name: 'c', code: 201 }),
    // A Role only covers its namespace, and resourceNames only their names.
    req({ verb: 'get', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'other', name: 'op' }),
    req({ verb: 'update', apiGroup: 'coordination.k8s.io', resource: 'leases', namespace: 'sys', name: 'not-op' }),
  ]);
  assert.deepEqual(
    coverage.forbidden.map((r) => `${r.verb} ${r.resource}`),
    ['patch pods'],
  );
  assert.deepEqual(
    coverage.unused.map((u) => `${u.rule.rule.resources[0]} ${u.verb}`),
    ['pods patch', 'leases get', 'leases update'],
  );
  assert.deepEqual(
    coverage.conditional.map((u) => `${u.rule.rule.resources[0]} ${u.verb}: ${u.path}`),
    ['pods list: paged lists'],
  );
});
