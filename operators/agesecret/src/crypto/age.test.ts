// Round trips, key rotation, error typing and interop with the reference `age` 1.1.1 binary.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { armor } from 'age-encryption';
import { decryptValue, encryptValue } from './age.js';
import { generateKeyPair, loadIdentities } from './identities.js';
import { AgeSecretError, BindingMismatchError, MalformedCiphertextError, NoMatchingKeyError, NotEncryptedError } from '../errors.js';

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
const hasAge = (() => {
  try {
    execFileSync('age', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe('encryptValue / decryptValue', () => {
  test('round trip for several recipients, each key opens it', async () => {
    const a = await generateKeyPair();
    const b = await generateKeyPair();
    const ciphertext = await encryptValue('Hello world!', { recipients: [a.recipient, b.recipient] });
    assert.match(ciphertext, /^ENC\[[A-Za-z0-9+/]+=*\]$/);
    for (const key of [a, b]) {
      const ids = await loadIdentities(key.identity);
      const out = await decryptValue(ciphertext, ids);
      assert.equal(text(out.plaintext), 'Hello world!');
      assert.equal(out.format, 'enc');
      assert.equal(out.scope, undefined);
    }
  });

  test('node:crypto and typage identities both decrypt', async () => {
    const k = await generateKeyPair();
    const ciphertext = await encryptValue('x', { recipients: [k.recipient] });
    const native = await loadIdentities(k.identity);
    const js = await loadIdentities(k.identity, { native: false });
    assert.equal(native.native, true);
    assert.equal(typeof native.identities[0], 'object', 'an X25519 key held by node:crypto');
    assert.equal(js.native, false);
    assert.equal(typeof js.identities[0], 'string');
    assert.deepEqual(native.recipients, [k.recipient]);
    assert.deepEqual(js.recipients, [k.recipient]);
    assert.equal(text((await decryptValue(ciphertext, js)).plaintext), 'x');
    assert.equal(text((await decryptValue(ciphertext, native)).plaintext), 'x');
  });

  test('key rotation: a key file with an old and a new key opens both generations', async () => {
    const oldKey = await generateKeyPair();
    const newKey = await generateKeyPair();
    const file = `# created: 2026-01-01\n# public key: ${oldKey.recipient}\n${oldKey.identity}\n\n# new\n${newKey.identity}\n`;
    const ids = await loadIdentities(file);
    assert.deepEqual(ids.recipients, [oldKey.recipient, newKey.recipient]);
    for (const r of [oldKey.recipient, newKey.recipient]) {
      const c = await encryptValue('v', { recipients: [r] });
      assert.equal(text((await decryptValue(c, ids)).plaintext), 'v');
    }
  });

  test('all three spellings decrypt', async () => {
    const k = await generateKeyPair();
    const ids = await loadIdentities(k.identity);
    for (const format of ['enc', 'base64', 'armor'] as const) {
      const c = await encryptValue('spelled', { recipients: [k.recipient], format });
      const out = await decryptValue(c, ids);
      assert.equal(out.format, format);
      assert.equal(text(out.plaintext), 'spelled');
    }
  });

  test('binary plaintext survives', async () => {
    const k = await generateKeyPair();
    const bytes = new Uint8Array(256).map((_, i) => i);
    const c = await encryptValue(bytes, { recipients: [k.recipient] });
    assert.deepEqual((await decryptValue(c, await loadIdentities(k.identity))).plaintext, bytes);
  });

  test('wrong key -> NoMatchingKeyError', async () => {
    const k = await generateKeyPair();
    const other = await generateKeyPair();
    const c = await encryptValue('secret-value', { recipients: [k.recipient] });
    await assert.rejects(decryptValue(c, await loadIdentities(other.identity)), NoMatchingKeyError);
  });

  test('plaintext, garbage and tampering get typed errors that never quote the value', async () => {
    const k = await generateKeyPair();
    const ids = await loadIdentities(k.identity);
    const c = await encryptValue('top-secret-plaintext', { recipients: [k.recipient] });
    const inner = Buffer.from(c.slice(4, -1), 'base64');
    inner[inner.length - 5] = (inner[inner.length - 5] ?? 0) ^ 1;
    const cases: [string, new (...a: never[]) => AgeSecretError][] = [
      ['Hello world!', NotEncryptedError],
      ['aGVsbG8=', NotEncryptedError],
      ['ENC[not base64 !!]', MalformedCiphertextError],
      ['ENC[aGVsbG8=]', MalformedCiphertextError],
      [`ENC[${inner.toString('base64')}]`, MalformedCiphertextError],
      [c.slice(0, 60) + ']', MalformedCiphertextError],
      ['-----BEGIN AGE ENCRYPTED FILE-----\ngarbage\n-----END AGE ENCRYPTED FILE-----', MalformedCiphertextError],
    ];
    for (const [value, type] of cases) {
      await assert.rejects(decryptValue(value, ids), (error: unknown) => {
        assert.ok(error instanceof type, `${value.slice(0, 20)}: got ${String(error)}`);
        assert.ok(!(error as Error).message.includes(value), 'message quotes the value');
        assert.ok(!(error as Error).message.includes('top-secret'), 'message leaks plaintext');
        return true;
      });
    }
  });

  test('binding: checked against the location, stripped from the value', async () => {
    const k = await generateKeyPair();
    const ids = await loadIdentities(k.identity);
    const strict = await encryptValue('bound', { recipients: [k.recipient], bind: { namespace: 'dev', name: 'app' } });
    const out = await decryptValue(strict, ids, { at: { namespace: 'dev', name: 'app' } });
    assert.equal(text(out.plaintext), 'bound');
    assert.deepEqual(out.scope, { namespace: 'dev', name: 'app' });
    await assert.rejects(decryptValue(strict, ids, { at: { namespace: 'prod', name: 'app' } }), BindingMismatchError);
    await assert.rejects(decryptValue(strict, ids, { at: { namespace: 'dev', name: 'other' } }), BindingMismatchError);
    const wide = await encryptValue('ns', { recipients: [k.recipient], bind: { namespace: 'dev' } });
    assert.equal(text((await decryptValue(wide, ids, { at: { namespace: 'dev', name: 'any' } })).plaintext), 'ns');
    await assert.rejects(decryptValue(wide, ids, { at: { namespace: 'prod', name: 'any' } }), BindingMismatchError);
  });
});

describe('interop with age 1.1.1', { skip: !hasAge && 'age binary not installed' }, () => {
  test('age -r (binary and armored) -> our decrypt; ours -> age -d -i', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'agesecret-interop-'));
    try {
      const keyFile = join(dir, 'key.txt');
      execFileSync('age-keygen', ['-o', keyFile], { stdio: 'pipe' });
      const keyText = readFileSync(keyFile, 'utf8');
      const ids = await loadIdentities(keyText);
      const recipient = ids.recipients[0]!;
      assert.equal(execFileSync('age-keygen', ['-y', keyFile], { encoding: 'utf8' }).trim(), recipient);

      const binary = execFileSync('age', ['-r', recipient], { input: 'from age binary' });
      const enc = `ENC[${binary.toString('base64')}]`;
      assert.equal(text((await decryptValue(enc, ids)).plaintext), 'from age binary');
      assert.equal(text((await decryptValue(binary.toString('base64'), ids)).plaintext), 'from age binary');
      const armored = execFileSync('age', ['-a', '-r', recipient], { input: 'armored', encoding: 'utf8' });
      assert.equal(text((await decryptValue(armored, ids)).plaintext), 'armored');

      for (const format of ['enc', 'armor'] as const) {
        const ours = await encryptValue('from typage', { recipients: [recipient], format });
        const file = join(dir, `ours.${format}`);
        writeFileSync(file, format === 'enc' ? Buffer.from(ours.slice(4, -1), 'base64') : ours);
        assert.equal(execFileSync('age', ['-d', '-i', keyFile, file], { encoding: 'utf8' }), 'from typage');
      }
      assert.ok(armor.decode(armored).length > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
