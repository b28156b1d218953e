// Which unpacked roots a prune removes: old digests and interrupted unpacks, never a digest a tag names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { staleLayerImages, staleUnpacked } from './store-prune.js';

test('staleUnpacked: old digests and leftovers of interrupted unpacks go, current digests and other files stay', () => {
  const current = new Set(['sha256:aaa', 'sha256:bbb']);
  const entries = ['sha256-aaa', 'sha256-bbb', 'sha256-old', 'sha256-aaa.tmp-123-456', 'README', 'lost+found'];
  assert.deepEqual(staleUnpacked(entries, current), ['sha256-old', 'sha256-aaa.tmp-123-456']);
  assert.deepEqual(staleUnpacked([], current), []);
  assert.deepEqual(staleUnpacked(['sha256-aaa'], new Set()), ['sha256-aaa'], 'a digest no tag names any more');
});

test('staleLayerImages: untagged images older than the build, newest first; tagged and newer ones stay', () => {
  const listing = [
    '4e00ae6a702a   localhost/app                         2026-12-04 12:01:25.551317098 +0000 UTC',
    '210e1ca770dc   <none>                                2026-12-04 12:01:25.395149721 +0000 UTC',
    '337af463e788   <none>                                2026-12-04 11:40:00.593040932 +0000 UTC',
    'eb05aae13fd9   <none>                                2026-12-04 11:59:59.676095065 +0000 UTC',
    'ab12cd34ef56   <none>                                2026-12-04 13:30:00.000000000 +0100 CET',
    'not a line',
  ].join('\n');
  assert.deepEqual(staleLayerImages(listing, new Date('2026-12-04T12:00:00Z')), ['eb05aae13fd9', '337af463e788']);
  assert.deepEqual(staleLayerImages('', new Date()), []);
});
