// AdmissionReview handling without a cluster: parsing (any JSON may arrive), answers, patches, refusals, no leaks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { AdmissionError } from '../../structs/errors.js';
import { applyJsonPatch } from '../../structs/json-patch.js';
import type { KubeObject } from '../../structs/objects.js';
import { silentLogger } from '../logging.js';
import { answerReview, BadReviewError, parseAdmissionReview, type AdmissionHandlerEntry } from './review.js';

const review = (request: Record<string, unknown>) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request });
const object = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'c', namespace: 'n', labels: { a: '1' } },
  data: { k: 'secret-value' },
};
const base = { uid: 'u1', operation: 'CREATE', object, name: 'c', namespace: 'n', userInfo: { username: 'alice', groups: ['devs'] } };
const ctx = { signal: new AbortController().signal, logger: silentLogger };

test('parse: the fields handlers see, dry-run and user included', () => {
  const r = parseAdmissionReview(review({ ...base, dryRun: true, oldObject: null }));
  assert.equal(r.uid, 'u1');
  assert.equal(r.operation, 'CREATE');
  assert.deepEqual(r.user, { username: 'alice', groups: ['devs'] });
  assert.equal(r.dryRun, true);
  assert.equal(r.oldObject, undefined);
  assert.equal(r.object?.metadata.name, 'c');
});

for (const [name, body, message] of [
  ['not a review', { kind: 'Pod' }, /AdmissionReview/],
  ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /no request/],
  ['no uid', review({ ...base, uid: '' }), /uid/],
  ['an unknown operation', review({ ...base, operation: 'EXPLODE' }), /operation/],
  ['an object that is a string', review({ ...base, object: 'x' }), /objects/],
] as const) {
  test(`parse refuses ${name}`, () =>
    assert.throws(
      () => parseAdmissionReview(body),
      (e: Error) => e instanceof BadReviewError && message.test(e.message),
    ));
}

const validate = (fn: AdmissionHandlerEntry['fn']): AdmissionHandlerEntry => ({ kind: 'validate', id: 'v', fn }) as AdmissionHandlerEntry;
const mutate = (fn: AdmissionHandlerEntry['fn']): AdmissionHandlerEntry => ({ kind: 'mutate', id: 'm', fn }) as AdmissionHandlerEntry;

test('validate: allowed with warnings (cleaned), or refused with the AdmissionError message, code and reason', async () => {
  const req = parseAdmissionReview(review(base));
  assert.deepEqual(
    await answerReview(
      validate(() => ({ warnings: ['  two\nlines ', ''] })),
      req,
      ctx,
    ),
    {
      uid: 'u1',
      allowed: true,
      warnings: ['two lines'],
    },
  );
  const refused = await answerReview(
    validate(() => {
      throw new AdmissionError('spec.x is wrong', { code: 422, reason: 'Invalid' });
    }),
    req,
    ctx,
  );
  assert.deepEqual(refused, { uid: 'u1', allowed: false, status: { code: 422, message: 'spec.x is wrong', reason: 'Invalid' } });
});

test('a handler that crashes refuses with a generic message: its error text (which may quote data) is not returned', async () => {
  const req = parseAdmissionReview(review(base));
  const r = await answerReview(
    validate((request) => {
      throw new Error(`boom ${JSON.stringify(request.object)}`);
    }),
    req,
    ctx,
  );
  assert.equal(r.allowed, false);
  assert.equal(r.status?.code, 500);
  assert.doesNotMatch(JSON.stringify(r), /secret-value/);
});

test('handlers get frozen objects: mutating in place throws, returning a changed copy is the way', async () => {
  const req = parseAdmissionReview(review(base));
  const r = await answerReview(
    validate((request) => {
      (request.object as { metadata: { name: string } }).metadata.name = 'x';
    }),
    req,
    ctx,
  );
  assert.equal(r.allowed, false);
});

test('mutate: the returned object becomes a JSON Patch that turns the request object into it', async () => {
  const req = parseAdmissionReview(review(base));
  const changed = (o: KubeObject) => ({ ...o, metadata: { ...o.metadata, labels: { b: '2' }, annotations: { 'x/y': 'z' } } });
  for (const fn of [
    (r: { object: unknown }) => changed(r.object as KubeObject),
    (r: { object: unknown }) => ({ object: changed(r.object as KubeObject) }),
  ]) {
    const r = await answerReview(mutate(fn as AdmissionHandlerEntry['fn']), req, ctx);
    assert.equal(r.allowed, true);
    assert.equal(r.patchType, 'JSONPatch');
    const ops = JSON.parse(Buffer.from(r.patch!, 'base64').toString()) as never[];
    const applied = applyJsonPatch(object, ops);
    assert.ok(applied.ok);
    assert.deepEqual(applied.value, changed(object as KubeObject));
  }
  const unchanged = await answerReview(
    mutate(() => undefined),
    req,
    ctx,
  );
  assert.deepEqual(unchanged, { uid: 'u1', allowed: true });
});

test('fuzz: any JSON body is parsed or refused with BadReviewError, never anything else', () => {
  fc.assert(
    fc.property(
      fc.oneof(
        fc.jsonValue(),
        fc.record({ apiVersion: fc.constant('admission.k8s.io/v1'), kind: fc.constant('AdmissionReview'), request: fc.jsonValue() }),
      ),
      (body) => {
        try {
          parseAdmissionReview(body);
        } catch (error) {
          assert.ok(error instanceof BadReviewError, String(error));
        }
      },
    ),
    { numRuns: 2000 },
  );
});
