// Unit tests of Kubernetes version selection.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_KUBERNETES_VERSION, OLDEST_SUPPORTED_MINOR, resolveKubernetesVersion } from './versions.js';

test('a minor resolves to its pinned patch; a full version is kept', () => {
  const cases: Array<[string | undefined, string]> = [
    [undefined, DEFAULT_KUBERNETES_VERSION],
    ['', DEFAULT_KUBERNETES_VERSION],
    ['1.35', '1.35.4'],
    ['v1.36', '1.36.3'],
    ['1.37', '1.37.2'],
    ['v1.37.2', '1.37.2'],
    ['1.35.5', '1.35.5'],
  ];
  for (const [input, want] of cases) assert.equal(resolveKubernetesVersion(input), want, String(input));
});

test('versions outside the supported window are refused with the list of supported minors', () => {
  for (const bad of ['1.20', '1.20.2', '1.34', '2', 'latest', '1.37.x']) {
    assert.throws(() => resolveKubernetesVersion(bad), /unsupported Kubernetes version .*supported minors are 1\.35, 1\.36, 1\.37/, bad);
  }
});

test('the oldest supported minor is 1.35', () => {
  assert.equal(OLDEST_SUPPORTED_MINOR, '1.35');
});
