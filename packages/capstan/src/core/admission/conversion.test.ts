// Conversion through the hub version, without a cluster: both directions, identity, refusals, no quoted objects.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Shelves } from '../../behaviour/conversion-fixture.js';
import { answerConversion, convertObject } from './conversion.js';

const v1 = {
  apiVersion: 'conversion.capstan.dev/v1',
  kind: 'Shelf',
  metadata: { name: 's', namespace: 'n', uid: 'u' },
  spec: { size: 42, label: 'oak' },
};

test('v1 -> v2 -> v1 round trip keeps metadata and meaning', () => {
  const v2 = convertObject(Shelves, v1, 'conversion.capstan.dev/v2');
  assert.deepEqual(v2, { ...v1, apiVersion: 'conversion.capstan.dev/v2', spec: { label: 'oak', dimensions: { widthMm: 420 } } });
  assert.deepEqual(convertObject(Shelves, v2, 'conversion.capstan.dev/v1'), v1);
  assert.equal(convertObject(Shelves, v1, 'conversion.capstan.dev/v1'), v1, 'same version: the object itself');
});

test('a ConversionReview is answered; a foreign version or a broken body is a Failure that quotes nothing', () => {
  const review = (objects: unknown[], desiredAPIVersion = 'conversion.capstan.dev/v2') => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'ConversionReview',
    request: { uid: 'r1', desiredAPIVersion, objects },
  });
  const ok = answerConversion(Shelves, review([v1])) as {
    response: { uid: string; result: { status: string }; convertedObjects: unknown[] };
  };
  assert.equal(ok.response.uid, 'r1');
  assert.equal(ok.response.result.status, 'Success');
  assert.equal(ok.response.convertedObjects.length, 1);
  const foreign = answerConversion(Shelves, review([v1], 'other.dev/v1')) as { response: { result: { status: string; message: string } } };
  assert.equal(foreign.response.result.status, 'Failure');
  assert.match(foreign.response.result.message, /not a version of shelves\.conversion\.capstan\.dev/);
  const broken = answerConversion(Shelves, { kind: 'Nope' }) as { response: { result: { status: string } } };
  assert.equal(broken.response.result.status, 'Failure');
  const throwing = {
    ...Shelves,
    conversions: {
      hub: 'v1',
      versions: new Map([
        [
          'v2',
          {
            toHub: () => {
              throw new Error(`secret ${JSON.stringify(v1)}`);
            },
            fromHub: () => {
              throw new Error('oak');
            },
          },
        ],
      ]),
    },
  };
  const failed = answerConversion(throwing, review([v1])) as { response: { result: { message: string } } };
  assert.doesNotMatch(failed.response.result.message, /oak/);
});

test('the CRD serves both versions and stores the hub', () => {
  assert.deepEqual(
    Shelves.crd.spec.versions.map((v) => [v.name, v.served, v.storage]),
    [
      ['v1', true, true],
      ['v2', true, false],
    ],
  );
});
