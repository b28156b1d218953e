// Unit tests of image-name normalisation and Kubernetes' command/args rules in the registry.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { builtinImages, imageName, resolveCommand } from './images.js';
import { IpPool } from './ip-pool.js';

test('imageName strips registry, path, tag and digest', () => {
  assert.equal(imageName('docker.io/library/app:v1.0.1'), 'app');
  assert.equal(imageName('localhost:5000/team/agesecret-operator@sha256:abc'), 'agesecret-operator');
  assert.equal(imageName('busybox'), 'busybox');
});

test('busybox-like images run the container command on the host', () => {
  const cmd = resolveCommand(builtinImages(), { image: 'busybox:1.36', command: ['sleep'], args: ['30'] });
  assert.deepEqual(cmd?.argv, ['sleep', '30']);
  assert.deepEqual(resolveCommand(builtinImages(), { image: 'busybox', args: ['sh', '-c', 'echo hi'] })?.argv, ['sh', '-c', 'echo hi']);
  assert.deepEqual(resolveCommand(builtinImages(), { image: 'alpine' })?.argv, ['sh']);
});

test('project images keep their program and take args; unknown images resolve to undefined', () => {
  const registry = { tool: { command: ['/usr/bin/tool', '--serve'], args: ['--default'] } };
  assert.deepEqual(resolveCommand(registry, { image: 'tool:1' })?.argv, ['/usr/bin/tool', '--serve', '--default']);
  assert.deepEqual(resolveCommand(registry, { image: 'tool:1', args: ['--x'] })?.argv, ['/usr/bin/tool', '--serve', '--x']);
  assert.deepEqual(resolveCommand(registry, { image: 'tool:1', command: ['node', 'dist/main.js'] })?.argv, [
    '/usr/bin/tool',
    '--serve',
    '--default',
  ]);
  assert.equal(resolveCommand(registry, { image: 'other' }), undefined);
});

test('the IP pool hands out distinct addresses in its /24 and reuses released ones', () => {
  const pool = new IpPool('127.200.7');
  const a = pool.allocate();
  const b = pool.allocate();
  assert.notEqual(a, b);
  assert.match(a, /^127\.200\.7\.\d+$/);
  pool.release(a);
  const seen = new Set<string>();
  for (let i = 0; i < 252; i++) seen.add(pool.allocate());
  assert.ok(seen.has(a));
  assert.throws(() => pool.allocate(), /no free pod IP/);
  assert.match(new IpPool().prefix, /^127\.(?!0\.)\d+\.\d+$/);
});
