// The webhook flags, table-driven: endpoint, certificates and refusals.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admissionSettingsFrom, type AdmissionFlagValues } from './admission-flags.js';

const ctx = { operatorName: 'op', namespace: 'sys' };
const cases: [string, AdmissionFlagValues, unknown][] = [
  ['no endpoint: not served', {}, { settings: undefined }],
  [
    'a Service: certificates in a Secret of the operator namespace',
    { 'webhook-service': 'op-webhook' },
    {
      settings: {
        port: 9443,
        endpoint: { service: { namespace: 'sys', name: 'op-webhook' } },
        certificates: { secret: { namespace: 'sys', name: 'op-webhook-cert' } },
      },
    },
  ],
  [
    '--dev: local, in-memory certificates',
    { dev: true },
    { settings: { port: 0, endpoint: { local: true }, certificates: { ephemeral: true } } },
  ],
  [
    'provided certificates',
    { 'webhook-local': true, 'webhook-cert-dir': '/certs', 'webhook-port': '8443' },
    {
      settings: {
        port: 8443,
        endpoint: { local: true },
        certificates: { certFile: '/certs/tls.crt', keyFile: '/certs/tls.key', caFile: '/certs/ca.crt' },
      },
    },
  ],
  ['both endpoints', { 'webhook-local': true, 'webhook-service': 's' }, { error: '--webhook-local and --webhook-service are exclusive' }],
  ['a bad port', { 'webhook-local': true, 'webhook-port': 'x' }, { error: '--webhook-port must be a port number, got x' }],
];
for (const [name, values, expected] of cases)
  test(`webhook flags: ${name}`, () => assert.deepEqual(admissionSettingsFrom(values, ctx), expected));

test('webhook flags: a Service needs the operator namespace', () => {
  assert.deepEqual(admissionSettingsFrom({ 'webhook-service': 's' }, { operatorName: 'op', namespace: undefined }), {
    error: '--webhook-service needs the operator namespace ($POD_NAMESPACE)',
  });
});

test('webhook flags: behind a Service the server binds $POD_IP unless --webhook-host says otherwise', () => {
  const ctx = { operatorName: 'op', namespace: 'ns', podIP: '10.1.2.3' };
  const host = (values: AdmissionFlagValues) => {
    const r = admissionSettingsFrom(values, ctx);
    return 'settings' in r ? r.settings?.host : r.error;
  };
  assert.equal(host({ 'webhook-service': 's' }), '10.1.2.3');
  assert.equal(host({ 'webhook-service': 's', 'webhook-host': '0.0.0.0' }), '0.0.0.0');
  assert.equal(host({ 'webhook-local': true }), undefined, 'a local endpoint keeps its loopback default');
});
