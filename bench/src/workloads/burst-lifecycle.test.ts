// The operator's request counts read from its /metrics text: by verb, watches left out, every code summed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseOperatorRequests } from './burst-lifecycle.js';

test('parseOperatorRequests sums each verb over its status codes and leaves watches out', () => {
  const text = [
    '# HELP capstan_api_request_duration_seconds Kubernetes API request latency by verb and status code (0: no response).',
    'capstan_api_request_duration_seconds_bucket{le="0.001",verb="create",code="201",operator="agesecret-operator"} 3',
    'capstan_api_request_duration_seconds_count{verb="create",code="201",operator="agesecret-operator"} 10',
    'capstan_api_request_duration_seconds_count{verb="create",code="409",operator="agesecret-operator"} 2',
    'capstan_api_request_duration_seconds_count{verb="patch/status",code="200",operator="agesecret-operator"} 12',
    'capstan_api_request_duration_seconds_count{verb="watch",code="200",operator="agesecret-operator"} 4',
    'capstan_api_request_duration_seconds_sum{verb="create",code="201",operator="agesecret-operator"} 0.5',
    'agesecret_decryptions_total{namespace="a"} 9',
  ].join('\n');
  assert.deepEqual(parseOperatorRequests(text), { create: 12, 'patch/status': 12 });
  assert.deepEqual(parseOperatorRequests(''), {});
});
