// Unit tests of the suffix Secret reference, extraction and caching.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSuffixRef, SuffixSource, suffixFromSecret } from './suffix.js';
import { SettingsError, SuffixError } from './errors.js';
import type { Secret } from './kube-types.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const ref = { namespace: 'ops', name: 'handshake', key: 'suffix' };

test('parses namespace/name[:key]', () => {
  assert.deepEqual(parseSuffixRef('ops/handshake'), ref);
  assert.deepEqual(parseSuffixRef('ops/handshake:other'), { ...ref, key: 'other' });
  for (const bad of ['handshake', 'ops/', '/x', 'a/b/c', 'OPS/x', 'ops/x:', 'ops/x:a:b', 'ops/Bad_Name']) {
    assert.throws(() => parseSuffixRef(bad), SettingsError, bad);
  }
});

test('reads the key, drops one trailing newline, never shows the value', () => {
  assert.equal(suffixFromSecret({ data: { suffix: b64('-acknowledge') } }, ref), '-acknowledge');
  assert.equal(suffixFromSecret({ data: { suffix: b64('-acknowledge\n') } }, ref), '-acknowledge');
  assert.throws(
    () => suffixFromSecret({ data: { other: b64('-x') } }, ref),
    (e: unknown) => e instanceof SuffixError && /no key "suffix"/.test(e.message),
  );
  assert.throws(
    () => suffixFromSecret({ data: { suffix: '' } }, ref),
    (e: unknown) => e instanceof SuffixError && /empty/.test(e.message),
  );
});

test('caches for maxAge, shares concurrent reads, re-reads after invalidate or expiry', async () => {
  let reads = 0;
  let value = '-one';
  let now = 0;
  const source = new SuffixSource({
    ref,
    maxAgeMs: 1000,
    now: () => now,
    read: async (): Promise<Secret> => {
      reads += 1;
      return { metadata: { resourceVersion: String(reads) }, data: { suffix: b64(value) } };
    },
  });
  const [a, b] = await Promise.all([source.get(), source.get()]);
  assert.deepEqual([a, b, reads], ['-one', '-one', 1]);
  value = '-two';
  assert.equal(await source.get(), '-one');
  now = 1500;
  assert.equal(await source.get(), '-two');
  value = '-three';
  source.invalidate();
  assert.equal(await source.get(), '-three');
  assert.equal(reads, 3);
  assert.equal(source.isStale('3'), false);
  assert.equal(source.isStale('4'), true);
});

test('a failed read is a SuffixError naming the Secret, and is retried next time', async () => {
  let fail = true;
  const source = new SuffixSource({
    ref,
    maxAgeMs: 60_000,
    read: async (): Promise<Secret> => {
      if (fail) throw new Error('secrets "handshake" not found');
      return { data: { suffix: b64('-x') } };
    },
  });
  await assert.rejects(
    source.get(),
    (e: unknown) => e instanceof SuffixError && /ops\/handshake.*not found/.test(e.message) && e.cause instanceof Error,
  );
  fail = false;
  assert.equal(await source.get(), '-x');
});
