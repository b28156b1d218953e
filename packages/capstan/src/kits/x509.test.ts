// The certificates are what TLS clients accept: parsed and verified by node, and a real TLS handshake with them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer } from 'node:tls';
import { newCertificateAuthority, newServingCertificate } from './x509.js';

const now = new Date('2026-12-04T00:00:00Z');
const later = new Date('2027-12-04T00:00:00Z');

test('a CA and a serving certificate: fields, extensions and signatures as X.509 says', () => {
  const ca = newCertificateAuthority('capstan-test-ca', now, later);
  const leaf = newServingCertificate(ca, {
    commonName: 'webhook',
    hosts: ['webhook.ns.svc', '127.0.0.1', '::1'],
    notBefore: now,
    notAfter: later,
  });
  const caCert = new X509Certificate(ca.certPem);
  const leafCert = new X509Certificate(leaf.certPem);
  assert.equal(caCert.ca, true);
  assert.equal(leafCert.ca, false);
  assert.equal(caCert.subject, 'CN=capstan-test-ca');
  assert.equal(leafCert.issuer, 'CN=capstan-test-ca');
  assert.equal(leafCert.subjectAltName, 'DNS:webhook.ns.svc, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
  assert.ok(caCert.verify(caCert.publicKey), 'the CA is self-signed');
  assert.ok(leafCert.verify(caCert.publicKey), 'the leaf is signed by the CA');
  assert.ok(leafCert.checkIssued(caCert));
  assert.equal(new Date(leafCert.validTo).toISOString(), later.toISOString());
  assert.deepEqual(leafCert.keyUsage, ['1.3.6.1.5.5.7.3.1']);
});

test('a TLS client trusting only the CA connects to a server with the leaf, by IP and by name', async () => {
  const start = new Date(Date.now() - 60_000);
  const end = new Date(Date.now() + 3_600_000);
  const ca = newCertificateAuthority('capstan-test-ca', start, end);
  const leaf = newServingCertificate(ca, { commonName: 'webhook', hosts: ['localhost', '127.0.0.1'], notBefore: start, notAfter: end });
  const server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (socket) => socket.end('hello'));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  try {
    for (const servername of ['localhost', undefined]) {
      const socket = connect({ host: '127.0.0.1', port, ca: ca.certPem, ...(servername ? { servername } : {}) });
      const [data] = (await once(socket, 'data')) as [Buffer];
      assert.equal(data.toString(), 'hello');
      assert.equal(socket.authorized, true);
      socket.destroy();
    }
    const other = newCertificateAuthority('someone-else', start, end);
    const refused = connect({ host: '127.0.0.1', port, ca: other.certPem });
    const [error] = (await once(refused, 'error')) as [Error & { code?: string }];
    assert.match(String(error.code), /SELF_SIGNED|UNABLE_TO_VERIFY|CERT/);
  } finally {
    server.close();
  }
});
