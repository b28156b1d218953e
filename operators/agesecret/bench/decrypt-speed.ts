// Measures decrypts/s of one small value: node:crypto identities (the operator's path) vs typage with strings vs pure JS.
// Run: node --conditions=development --import tsx operators/agesecret/bench/decrypt-speed.ts [seconds]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decryptValue, encryptValue } from '../src/crypto/age.js';
import { generateKeyPair, loadIdentities, type IdentitySet } from '../src/crypto/identities.js';

const seconds = Number(process.argv[2] ?? 2);
// typage's switch to its pure-JS fallback is not exported; reach the same module instance by file URL.
const typageDir = dirname(createRequire(import.meta.url).resolve('age-encryption'));
const x25519 = (await import(pathToFileURL(join(typageDir, 'x25519.js')).href)) as { forceWebCryptoOff(off: boolean): void };

const key = await generateKeyPair();
const ciphertext = await encryptValue('Hello world! '.repeat(8), { recipients: [key.recipient] });

async function rate(label: string, ids: IdentitySet): Promise<number> {
  for (let i = 0; i < 50; i++) await decryptValue(ciphertext, ids);
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    await decryptValue(ciphertext, ids);
    n++;
  }
  const perSecond = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(44)} ${perSecond.toFixed(0).padStart(7)} decrypts/s`);
  return perSecond;
}

const native = await rate('node:crypto (age-reader), keys imported once', await loadIdentities(key.identity));
const strings = await rate('typage, WebCrypto X25519, key string per file', await loadIdentities(key.identity, { native: false }));
x25519.forceWebCryptoOff(true);
const pure = await rate('pure JS (@noble/curves)', await loadIdentities(key.identity, { native: false }));
x25519.forceWebCryptoOff(false);
console.log(`node:crypto vs pure JS: ${(native / pure).toFixed(2)}x; node:crypto vs typage: ${(native / strings).toFixed(2)}x`);
