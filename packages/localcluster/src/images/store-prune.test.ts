// Which unpacked roots a prune removes: old digests and interrupted unpacks, never a digest a tag names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staleUnpacked } from './store-prune.js';

test('staleUnpacked: old digests and leftovers of interrupted unpacks go, current digests and other files stay', () => {
  const current = new Set(['sha256:aaa', 'sha256:bbb']);
  const entries = ['sha256-aaa', 'sha256-bbb', 'sha256-old', 'sha256-aaa.tmp-123-456', 'README', 'lost+found'];
  assert.deepEqual(staleUnpacked(entries, current), ['sha256-old', 'sha256-aaa.tmp-123-456']);
  assert.deepEqual(staleUnpacked([], current), []);
  assert.deepEqual(staleUnpacked(['sha256-aaa'], new Set()), ['sha256-aaa'], 'a digest no tag names any more');
});
