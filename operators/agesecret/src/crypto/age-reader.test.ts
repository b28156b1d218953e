// The node:crypto age reader against typage and the age CLI: same plaintexts, same refusals, stricter only where age is.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { Encrypter } from 'age-encryption';
import { MalformedCiphertextError, NoMatchingKeyError, NotEncryptedError } from '../errors.js';
import { decryptValue } from './age.js';
import { AgeFormatError, decodeRawBase64, decryptX25519File, parseHeader } from './age-reader.js';
import { formatCiphertext } from './ciphertext.js';
import { generateKeyPair, loadIdentities, type IdentitySet } from './identities.js';

async function encryptFor(recipients: string[], plaintext: Uint8Array): Promise<Uint8Array> {
  const e = new Encrypter();
  for (const r of recipients) e.addRecipient(r);
  return e.encrypt(plaintext);
}

const natives = (set: IdentitySet) => set.identities.filter((i) => typeof i !== 'string') as Parameters<typeof decryptX25519File>[1];

function hasAgeCli(): boolean {
  try {
    execFileSync('age', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** ok:<hex> for a plaintext, else the error's kind. */
async function outcome(file: Uint8Array, set: IdentitySet): Promise<string> {
  try {
    return `ok:${Buffer.from((await decryptValue(formatCiphertext(file, 'base64'), set)).plaintext).toString('hex')}`;
  } catch (error) {
    if (error instanceof NoMatchingKeyError) return 'no-match';
    if (error instanceof MalformedCiphertextError) return 'malformed';
    if (error instanceof NotEncryptedError) return 'not-age'; // the version line broken: refused before either reader
    throw error;
  }
}

describe('age reader (node:crypto)', () => {
  test('decrypts what typage encrypts, across the 64 KiB chunk boundaries, as the second of two recipients', async () => {
    const mine = await generateKeyPair();
    const other = await generateKeyPair();
    const set = await loadIdentities(mine.identity);
    for (const size of [0, 1, 96, 65_535, 65_536, 65_537, 131_072, 200_000]) {
      const plaintext = randomBytes(size);
      const file = await encryptFor([other.recipient, mine.recipient], plaintext);
      const out = decryptX25519File(file, natives(set));
      assert.ok(out, `size ${size} decrypted`);
      assert.ok(Buffer.from(out).equals(plaintext), `size ${size} round-trips`);
      assert.equal(Object.getPrototypeOf(out), Uint8Array.prototype, 'a plain Uint8Array, not a pooled Buffer');
    }
  });

  test("a file for other recipients is nobody's here: undefined, not an error", async () => {
    const set = await loadIdentities((await generateKeyPair()).identity);
    const file = await encryptFor([(await generateKeyPair()).recipient], Buffer.from('x'));
    assert.equal(decryptX25519File(file, natives(set)), undefined);
  });

  test('decrypts what the age CLI encrypts', { skip: !hasAgeCli() && 'age is not installed' }, async () => {
    const k = await generateKeyPair();
    const set = await loadIdentities(k.identity);
    for (const size of [0, 5, 70_000]) {
      const plaintext = randomBytes(size);
      const file = execFileSync('age', ['-r', k.recipient], { input: plaintext });
      const out = decryptX25519File(file, natives(set));
      assert.ok(out && Buffer.from(out).equals(plaintext), `size ${size}`);
    }
  });

  test('strict unpadded base64, as age writes it', () => {
    const cases: [string, boolean][] = [
      ['', true],
      ['QQ', true],
      ['QR', false], // non-zero padding bits
      ['QQ==', false], // padding
      ['Q', false], // impossible length
      ['Q-Q_', false], // base64url alphabet
      ['QUJD', true],
    ];
    for (const [text, valid] of cases) {
      if (valid) assert.doesNotThrow(() => decodeRawBase64(text), text);
      else assert.throws(() => decodeRawBase64(text), AgeFormatError, text);
    }
  });

  test('header syntax: each defect is an AgeFormatError naming the defect, never the bytes', async () => {
    const k = await generateKeyPair();
    const set = await loadIdentities(k.identity);
    const file = Buffer.from(await encryptFor([k.recipient], Buffer.from('secret value')));
    const text = file.toString('latin1');
    const headerEnd = text.indexOf('\n---') + 1;
    const lines = text.slice(0, headerEnd).split('\n').slice(0, -1);
    const rebuild = (ls: string[]) => Buffer.from(ls.join('\n') + '\n' + text.slice(headerEnd), 'latin1');
    const cases: [string, Buffer][] = [
      ['wrong version', rebuild(['age-encryption.org/v2', ...lines.slice(1)])],
      ['empty argument', rebuild([lines[0]!, lines[1]!.replace('-> X25519 ', '-> X25519  '), ...lines.slice(2)])],
      ['non-ASCII argument', rebuild([lines[0]!, lines[1]!.replace('X25519', 'X2551\u00e9'), ...lines.slice(2)])],
      ['stray line', rebuild([lines[0]!, 'hello', ...lines.slice(1)])],
      ['truncated header', file.subarray(0, headerEnd - 5)],
      ['short share', rebuild([lines[0]!, '-> X25519 QUJD', ...lines.slice(2)])],
    ];
    for (const [what, broken] of cases) {
      assert.throws(
        () => decryptX25519File(broken, natives(set)),
        (error: Error) => error instanceof AgeFormatError && !error.message.includes('secret'),
        what,
      );
    }
    assert.equal(parseHeader(file).stanzas.length, 1);
  });

  test('differential: every mutation of a file gets the same plaintext from both readers; refusals differ only where age is stricter', async (t) => {
    const mine = await generateKeyPair();
    const other = await generateKeyPair();
    const native = await loadIdentities(mine.identity);
    const typage = await loadIdentities(mine.identity, { native: false });
    const files = [
      await encryptFor([mine.recipient], Buffer.from('value one')),
      await encryptFor([other.recipient, mine.recipient], randomBytes(300)),
      await encryptFor([other.recipient], Buffer.from('not for us')),
    ];
    let seed = 20261204;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const tally = new Map<string, number>();
    for (let round = 0; round < 600; round++) {
      const base = files[round % files.length]!;
      const mutated = Buffer.from(base);
      const at = rand(base.length);
      let input: Uint8Array = mutated;
      switch (round % 4) {
        case 0:
          mutated[at] = mutated[at]! ^ (1 << rand(8));
          break;
        case 1:
          input = mutated.subarray(0, at);
          break;
        case 2:
          input = Buffer.concat([mutated.subarray(0, at), Buffer.from([rand(256)]), mutated.subarray(at)]);
          break;
        default:
          input = Buffer.concat([mutated.subarray(0, at), mutated.subarray(at + 1)]);
      }
      const [a, b] = [await outcome(input, native), await outcome(input, typage)];
      tally.set(`${a}|${b}`, (tally.get(`${a}|${b}`) ?? 0) + 1);
      if (a.startsWith('ok:') || b.startsWith('ok:')) assert.equal(a, b, `round ${round}: a plaintext from one reader only`);
      // The one allowed difference, on files that are not ours anyway: age's parse-time rules (printable ASCII
      // arguments, a 32-byte MAC), which typage checks only after a key matched, or not at all.
      else if (a !== b) assert.deepEqual([a, b], ['malformed', 'no-match'], `round ${round}`);
    }
    t.diagnostic(`outcomes (node:crypto|typage): ${JSON.stringify(Object.fromEntries(tally))}`);
    assert.ok((tally.get('malformed|malformed') ?? 0) > 100, `mutations were refused: ${JSON.stringify([...tally])}`);
  });
});
