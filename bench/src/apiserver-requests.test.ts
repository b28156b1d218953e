// Parsing the API server's request counters and turning two readings into requests per object.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRequestCounts, perObject } from './apiserver-requests.js';

const sample = [
  '# HELP apiserver_request_total Counter of apiserver requests',
  'apiserver_request_total{code="0",component="",contentType="text/plain",dry_run="",group="",resource="",scope="",subresource="/readyz",verb="GET",version=""} 25',
  'apiserver_request_total{code="201",component="apiserver",contentType="application/json",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="POST",version="v1"} 10',
  'apiserver_request_total{code="409",component="apiserver",contentType="application/json",dry_run="",group="",resource="secrets",scope="resource",subresource="",verb="POST",version="v1"} 2',
  'apiserver_request_total{code="200",component="apiserver",contentType="application/json",dry_run="",group="pyvo.io",resource="agesecrets",scope="resource",subresource="status",verb="PATCH",version="v1"} 4',
].join('\n');

test('sums codes per verb and resource, ignores non-resource paths', () => {
  assert.deepEqual(parseRequestCounts(sample), { 'POST secrets': 12, 'PATCH agesecrets/status': 4 });
});

test('per-object deltas keep only what moved', () => {
  assert.deepEqual(perObject({ 'POST secrets': 2, 'GET pods': 5 }, { 'POST secrets': 22, 'GET pods': 5, 'WATCH secrets': 3 }, 10), {
    'POST secrets': 2,
  });
  assert.equal(perObject(undefined, {}, 10), undefined);
});
