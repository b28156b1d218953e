// Unit tests of locating and reading the secret file: pod-root resolution, missing, empty, truncation.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSecretFile, resolveSecretPath } from './secret-file.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'numbers-secret-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('absolute paths resolve under the pod root when one is given, relative ones do not', () => {
  assert.equal(resolveSecretPath({ secretFile: '/app/secret.txt', podRoot: '/var/pods/p1' }), '/var/pods/p1/app/secret.txt');
  assert.equal(resolveSecretPath({ secretFile: '/app/secret.txt' }), '/app/secret.txt');
  assert.equal(resolveSecretPath({ secretFile: 'secret.txt', podRoot: '/var/pods/p1' }), join(process.cwd(), 'secret.txt'));
});

test('a path escaping the pod root or an empty path is a config error', () => {
  assert.throws(() => resolveSecretPath({ secretFile: '/../../etc/passwd', podRoot: '/var/pods/p1' }), { name: 'NumbersConfigError' });
  assert.throws(() => resolveSecretPath({ secretFile: '' }), { name: 'NumbersConfigError' });
});

test('numbers are the whitespace-separated tokens of the file', async () => {
  const path = join(dir, 'numbers.txt');
  await writeFile(path, '4 8 15\n16\t23  42\n');
  assert.deepEqual(await readSecretFile(path, 1024), { kind: 'numbers', numbers: ['4', '8', '15', '16', '23', '42'], truncated: false });
});

test('a missing file (or a missing directory on the way) is "missing"', async () => {
  assert.deepEqual(await readSecretFile(join(dir, 'nope.txt'), 1024), { kind: 'missing' });
  await writeFile(join(dir, 'plain'), 'x');
  assert.deepEqual(await readSecretFile(join(dir, 'plain', 'child'), 1024), { kind: 'missing' });
});

test('an empty or whitespace-only file is "empty"', async () => {
  await writeFile(join(dir, 'empty.txt'), '');
  await writeFile(join(dir, 'blank.txt'), ' \n\t\n');
  assert.deepEqual(await readSecretFile(join(dir, 'empty.txt'), 1024), { kind: 'empty' });
  assert.deepEqual(await readSecretFile(join(dir, 'blank.txt'), 1024), { kind: 'empty' });
});

test('a directory is "unreadable" with its errno code', async () => {
  await mkdir(join(dir, 'a-dir'));
  assert.deepEqual(await readSecretFile(join(dir, 'a-dir'), 1024), { kind: 'unreadable', code: 'EISDIR' });
});

test('a file over the cap is truncated and the cut token dropped', async () => {
  const path = join(dir, 'big.txt');
  await writeFile(path, '111 222 333 444');
  assert.deepEqual(await readSecretFile(path, 9), { kind: 'numbers', numbers: ['111', '222'], truncated: true });
  assert.deepEqual(await readSecretFile(path, 15), { kind: 'numbers', numbers: ['111', '222', '333', '444'], truncated: false });
});
