// Key-file and recipient parsing: formats accepted, errors that name lines but never keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPair, loadIdentities, parseIdentityFile, parseRecipients } from './identities.js';
import { InvalidIdentityError, InvalidRecipientError } from '../errors.js';

test('parseIdentityFile accepts age-keygen files, CRLF, comments and a bare key', async () => {
  const { identity } = await generateKeyPair();
  assert.deepEqual(parseIdentityFile(identity), [identity]);
  assert.deepEqual(parseIdentityFile(`# c\r\n\r\n  ${identity}  \r\n`), [identity]);
  assert.deepEqual(parseIdentityFile(identity.toLowerCase()), [identity]);
});

test('bad identity files fail with a line number and without echoing the line', async () => {
  const { identity } = await generateKeyPair();
  assert.throws(() => parseIdentityFile('# only comments\n'), InvalidIdentityError);
  assert.throws(
    () => parseIdentityFile(`${identity}\nssh-ed25519 AAAA secret-ish`),
    (e: Error) => {
      assert.ok(e instanceof InvalidIdentityError);
      assert.match(e.message, /line 2/);
      assert.ok(!e.message.includes('secret-ish') && !e.message.includes(identity));
      return true;
    },
  );
  const corrupted = identity.slice(0, -3) + (identity.endsWith('QQQ') ? 'PPP' : 'QQQ');
  await assert.rejects(loadIdentities(corrupted), (e: Error) => {
    assert.ok(e instanceof InvalidIdentityError);
    assert.ok(!e.message.includes(corrupted));
    return true;
  });
});

test('parseRecipients reads -R files and rejects non-recipients', async () => {
  const a = await generateKeyPair();
  const b = await generateKeyPair();
  assert.deepEqual(parseRecipients(`# team\n${a.recipient}\n\n${b.recipient}\n`), [a.recipient, b.recipient]);
  assert.throws(() => parseRecipients('AGE-SECRET-KEY-1XYZ'), InvalidRecipientError);
  assert.throws(() => parseRecipients(a.recipient.slice(0, -1) + (a.recipient.endsWith('q') ? 'p' : 'q')), InvalidRecipientError);
});
