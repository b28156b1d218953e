// Unit tests of the image tooling's pure parts: layout references, apt's mirror, bake groups.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aptMirror } from './base-images.js';
import { expandTargets } from './build-images.js';
import { layoutRef } from './oci-layout.js';

describe('layoutRef', () => {
  for (const [image, want] of [
    ['app', 'app:latest'],
    ['app:v1.0.1', 'app:v1.0.1'],
    ['docker.io/library/app:v1', 'app:v1'],
    ['ghcr.io/acme/x@sha256:abcd', 'x:latest'],
    ['localhost:5000/team/op:1.2', 'op:1.2'],
  ]) {
    test(`${image} -> ${want}`, () => assert.equal(layoutRef(image!), want));
  }
});

describe('aptMirror', () => {
  test('deb822 and one-line sources; security archives skipped', () => {
    assert.equal(aptMirror(['Types: deb\nURIs: http://mirror.example/debian\nSuites: bookworm\n']), 'http://mirror.example/debian');
    assert.equal(aptMirror(['deb [arch=amd64] http://m.example/debian bookworm main\n']), 'http://m.example/debian');
    assert.equal(
      aptMirror(['URIs: http://deb.debian.org/debian-security\n', 'deb http://x.example/debian bookworm main']),
      'http://x.example/debian',
    );
    assert.equal(aptMirror(['# nothing\n']), undefined);
  });
});

describe('expandTargets', () => {
  test('groups expand in order, each target once; a cycle is an error', () => {
    assert.deepEqual(expandTargets({ default: ['a', 'ops'], ops: ['b', 'a'] }, ['default']), ['a', 'b']);
    assert.deepEqual(expandTargets({}, ['x']), ['x']);
    assert.throws(() => expandTargets({ a: ['b'], b: ['a'] }, ['a']), /group cycle/);
  });
});
