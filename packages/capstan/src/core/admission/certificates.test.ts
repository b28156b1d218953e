// Certificate sources without a cluster: renewal decisions, in-memory renewals from one CA, files re-read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newCertificateAuthority, newServingCertificate } from '../../kits/x509.js';
import { EphemeralCertificates, FileCertificates, needsRenewal } from './certificates.js';

const DAY = 86_400_000;

test('needsRenewal: within the renewal window, or a host not covered', () => {
  const now = new Date('2026-12-04T00:00:00Z');
  const at = (days: number) => new Date(now.getTime() + days * DAY);
  assert.equal(needsRenewal({ notAfter: at(60), now, renewBeforeMs: 30 * DAY, coversHosts: true }), false);
  assert.equal(needsRenewal({ notAfter: at(30), now, renewBeforeMs: 30 * DAY, coversHosts: true }), true);
  assert.equal(needsRenewal({ notAfter: at(60), now, renewBeforeMs: 30 * DAY, coversHosts: false }), true);
});

test('in memory: the same certificate until renewal is asked; a renewal keeps the CA', async () => {
  const source = new EphemeralCertificates(['127.0.0.1', 'localhost']);
  const a = await source.current();
  assert.equal((await source.current()).certPem, a.certPem);
  const b = await source.current({ renew: true });
  assert.notEqual(b.certPem, a.certPem);
  assert.equal(b.caPem, a.caPem);
  assert.ok(new X509Certificate(b.certPem).verify(new X509Certificate(a.caPem).publicKey));
});

test('provided files (cert-manager): read as they are now, a replaced certificate seen on the next read', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-certs-'));
  const now = new Date();
  const ca = newCertificateAuthority('provided-ca', now, new Date(now.getTime() + 10 * DAY));
  const write = () => {
    const leaf = newServingCertificate(ca, {
      commonName: 'svc',
      hosts: ['svc.ns.svc'],
      notBefore: now,
      notAfter: new Date(now.getTime() + DAY),
    });
    writeFileSync(join(dir, 'tls.crt'), leaf.certPem);
    writeFileSync(join(dir, 'tls.key'), leaf.keyPem);
    writeFileSync(join(dir, 'ca.crt'), ca.certPem);
    return leaf.certPem;
  };
  const first = write();
  const source = new FileCertificates({ certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key'), caFile: join(dir, 'ca.crt') });
  assert.equal((await source.current()).certPem, first);
  const second = write();
  const read = await source.current();
  assert.equal(read.certPem, second);
  assert.equal(read.caPem, ca.certPem);
});
