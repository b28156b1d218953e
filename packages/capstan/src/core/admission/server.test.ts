// The admission server over real HTTPS, without a cluster: answers, limits, and no crash on any body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import fc from 'fast-check';
import { AdmissionError } from '../../structs/errors.js';
import { silentLogger } from '../logging.js';
import { EphemeralCertificates } from './certificates.js';
import { AdmissionServer, admissionPath } from './server.js';
import type { AdmissionHandlerEntry } from './review.js';

const entry = {
  kind: 'validate',
  id: 'colours',
  fn: (req: { object?: { data?: Record<string, string> } }) => {
    if (req.object?.data?.['color'] === 'plaid') throw new AdmissionError('no plaid');
  },
} as unknown as AdmissionHandlerEntry;

function post(port: number, ca: string, path: string, body: string | Buffer): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'POST', ca, headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

test('the server answers reviews, refuses what is too large or malformed, and survives any body', async () => {
  const certs = await new EphemeralCertificates(['127.0.0.1']).current();
  const server = new AdmissionServer(
    { host: '127.0.0.1', port: 0, cert: certs.certPem, key: certs.keyPem, maxBodyBytes: 64 * 1024, logger: silentLogger },
    [entry],
  );
  await server.start();
  const port = server.address!.port;
  const path = admissionPath(entry);
  try {
    const review = (color: string) =>
      JSON.stringify({
        apiVersion: 'admission.k8s.io/v1',
        kind: 'AdmissionReview',
        request: { uid: 'u', operation: 'CREATE', name: 'c', object: { metadata: { name: 'c' }, data: { color } } },
      });
    const refused = await post(port, certs.caPem, path, review('plaid'));
    assert.equal(refused.status, 200);
    assert.deepEqual((refused.json as { response: unknown }).response, {
      uid: 'u',
      allowed: false,
      status: { code: 400, message: 'no plaid' },
    });
    assert.equal(((await post(port, certs.caPem, path, review('teal'))).json as { response: { allowed: boolean } }).response.allowed, true);
    assert.equal((await post(port, certs.caPem, path, Buffer.alloc(65 * 1024, 'x'))).status, 413);
    const notJson = await post(port, certs.caPem, path, 'SECRET-VALUE{');
    assert.equal(notJson.status, 400);
    assert.doesNotMatch(JSON.stringify(notJson.json), /SECRET-VALUE/, 'the body is never echoed');
    assert.equal((await post(port, certs.caPem, '/elsewhere', '{}')).status, 404);
    // Fuzz: random JSON and random bytes; every request gets an HTTP answer and the server keeps serving.
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue().map((v) => JSON.stringify(v)),
          fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
        ),
        async (body) => {
          const { status } = await post(port, certs.caPem, path, body);
          assert.ok([200, 400].includes(status), `status ${status}`);
        },
      ),
      { numRuns: 300 },
    );
    assert.equal(((await post(port, certs.caPem, path, review('teal'))).json as { response: { allowed: boolean } }).response.allowed, true);
  } finally {
    await server.stop();
  }
});
