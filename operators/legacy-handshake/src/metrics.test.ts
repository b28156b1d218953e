// Unit tests of the handshake metrics exposition.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HandshakeMetrics } from './metrics.js';

test('counts successes, failures by step, restarts, in-flight and a cumulative histogram', () => {
  const m = new HandshakeMetrics();
  m.started();
  m.succeededAfter(0.2);
  m.started();
  m.failedAt('fetch-key', 'http-status');
  m.started();
  m.failedAt('fetch-key', 'http-status');
  m.started();
  m.restartSeen();
  const text = m.render();
  assert.match(text, /^legacy_handshake_succeeded_total 1$/m);
  assert.match(text, /^legacy_handshake_failed_total\{step="fetch-key",failure="http-status"\} 2$/m);
  assert.match(text, /^legacy_handshake_restarts_total 1$/m);
  assert.match(text, /^legacy_handshake_in_flight 1$/m);
  assert.match(text, /^legacy_handshake_duration_seconds_bucket\{le="0.1"\} 0$/m);
  assert.match(text, /^legacy_handshake_duration_seconds_bucket\{le="0.25"\} 1$/m);
  assert.match(text, /^legacy_handshake_duration_seconds_bucket\{le="\+Inf"\} 1$/m);
});
