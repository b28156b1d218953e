// Unit tests of `capstan init`: the files it writes, and refusals that write nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCommand } from './init-command.js';

async function init(...argv: string[]) {
  let out = '';
  let err = '';
  const code = await initCommand.run(argv, {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
    env: {},
    signal: new AbortController().signal,
  });
  return { code, out, err };
}

test('init writes a project named after its directory, depending on this capstan', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'capstan-init-')), 'shop-operator');
  const r = await init(dir, '--kind', 'Order');
  assert.equal(r.code, 0, r.err);
  const files = readdirSync(dir, { recursive: true }).map(String).sort();
  for (const f of [
    'package.json',
    'tsconfig.json',
    'Dockerfile',
    'README.md',
    '.gitignore',
    'src/resource.ts',
    'src/operator.ts',
    'src/operator.test.ts',
    'src/main.ts',
    'src/install.ts',
  ]) {
    assert.ok(files.includes(f), f);
  }
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name: string; dependencies: Record<string, string> };
  const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  assert.equal(manifest.name, 'shop-operator');
  assert.equal(manifest.dependencies['capstan'], `^${own.version}`);
  const resource = readFileSync(join(dir, 'src', 'resource.ts'), 'utf8');
  assert.match(resource, /kind: 'Order'/);
  assert.match(resource, /group: 'shop-operator\.example\.com'/);
});

test('a non-empty directory or a bad name is refused with exit 2 and nothing written', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'capstan-init-'));
  writeFileSync(join(dir, 'mine.txt'), 'keep');
  const taken = await init(dir);
  assert.equal(taken.code, 2);
  assert.match(taken.err, /exists and is not empty: nothing written/);
  assert.deepEqual(readdirSync(dir), ['mine.txt']);
  const fresh = join(mkdtempSync(join(tmpdir(), 'capstan-init-')), 'x');
  assert.equal((await init(fresh, '--name', 'Bad_Name')).code, 2);
  assert.equal((await init(fresh, '--kind', 'lower')).code, 2);
  assert.equal((await init(fresh, '--group', 'nodot')).code, 2);
});
