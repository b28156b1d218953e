// Unit tests of the handshake port resolution, including hostile annotation values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parsePort, resolvePort } from './port.js';
import { PortError } from './errors.js';
import type { Pod } from './kube-types.js';

const pod = (annotations: Record<string, string> = {}, ports: { name?: string; containerPort: number }[] = []): Pod => ({
  metadata: { name: 'p', annotations },
  spec: {
    containers: [
      { name: 'sidecar', ports: [{ name: 'metrics', containerPort: 9090 }] },
      { name: 'app', ports },
    ],
  },
});

test('the annotation wins, then a container port named http, then 3000', () => {
  assert.deepEqual(resolvePort(pod({ 'secret-handshake/port': '8081' }, [{ name: 'http', containerPort: 8080 }])), {
    port: 8081,
    source: 'annotation',
  });
  assert.deepEqual(resolvePort(pod({}, [{ name: 'http', containerPort: 8080 }])), { port: 8080, source: 'container-port' });
  assert.deepEqual(resolvePort(pod()), { port: 3000, source: 'default' });
  assert.deepEqual(resolvePort({}), { port: 3000, source: 'default' });
});

test('hostile annotation values are refused with a reason', () => {
  for (const value of ['99999', '0', '65536', 'abc', '3000/../x', ' 3000', '3000 ', '-1', '+3000', '0x50', '3e3', '', '1.5', '3000#']) {
    assert.throws(
      () => resolvePort(pod({ 'secret-handshake/port': value })),
      (error: unknown) => {
        assert.ok(error instanceof PortError);
        assert.match(error.message, /secret-handshake\/port/);
        assert.match(error.message, /not a port number|out of range/);
        return true;
      },
      value,
    );
  }
});

test('the reason quotes a long value truncated', () => {
  assert.throws(
    () => parsePort('9'.repeat(500)),
    (error: unknown) => error instanceof PortError && error.message.length < 200,
  );
});

test('every accepted value is an integer port and prints back to itself', () => {
  fc.assert(
    fc.property(fc.string(), (value) => {
      let port: number;
      try {
        port = parsePort(value);
      } catch (error) {
        return error instanceof PortError;
      }
      return Number.isInteger(port) && port >= 1 && port <= 65535 && /^[0-9]+$/.test(value) && Number(value) === port;
    }),
  );
  fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), (port) => parsePort(String(port)) === port));
});
