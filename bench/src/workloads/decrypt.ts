// Workload 5: age X25519 decrypts per second: the operator's path (WebCrypto CryptoKey) vs. plain typage.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decryptValue, encryptValue, generateKeyPair, loadIdentities, type IdentitySet } from '@capstan/agesecret';
import type { MachineInfo } from '../machine.js';
import { goal, type WorkloadResult } from '../result.js';
import { summarize } from '../stats.js';

export interface DecryptOptions {
  machine: MachineInfo;
  /** Measuring time per variant. */
  seconds: number;
}

interface Rate {
  perSecond: number;
  /** Per-decrypt times, sampled. */
  latency: ReturnType<typeof summarize>;
}

async function rate(ciphertext: string, identities: IdentitySet, seconds: number): Promise<Rate> {
  for (let i = 0; i < 50; i++) await decryptValue(ciphertext, identities);
  const times: number[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  let n = 0;
  while (performance.now() < end) {
    const t = performance.now();
    await decryptValue(ciphertext, identities);
    times.push(performance.now() - t);
    n++;
  }
  const perSecond = Number((n / ((performance.now() - start) / 1000)).toFixed(0));
  return { perSecond, latency: summarize(times.map((x) => Number(x.toFixed(3)))) };
}

/** typage's switch to its pure-JS X25519 (not exported): the same module instance, reached by file URL. */
async function typageX25519(): Promise<{ forceWebCryptoOff(off: boolean): void } | undefined> {
  try {
    const agesecretEntry = fileURLToPath(import.meta.resolve('@capstan/agesecret'));
    const typageDir = dirname(createRequire(agesecretEntry).resolve('age-encryption'));
    return (await import(pathToFileURL(join(typageDir, 'x25519.js')).href)) as { forceWebCryptoOff(off: boolean): void };
  } catch {
    return undefined;
  }
}

export async function runDecrypt(options: DecryptOptions): Promise<WorkloadResult> {
  const key = await generateKeyPair();
  const ciphertext = await encryptValue('bench value '.repeat(8), { recipients: [key.recipient] });
  // The operator's path: identities imported once as non-extractable WebCrypto CryptoKeys.
  const operatorPath = await rate(ciphertext, await loadIdentities(key.identity), options.seconds);
  // Plain typage: the identity string handed to its Decrypter (it imports the key for every file).
  const plain = await rate(ciphertext, await loadIdentities(key.identity, { native: false }), options.seconds);
  const x25519 = await typageX25519();
  let pureJs: Rate | undefined;
  if (x25519) {
    x25519.forceWebCryptoOff(true);
    try {
      pureJs = await rate(ciphertext, await loadIdentities(key.identity, { native: false }), options.seconds);
    } finally {
      x25519.forceWebCryptoOff(false);
    }
  }
  const speedup = Number((operatorPath.perSecond / plain.perSecond).toFixed(2));
  return {
    workload: 'decrypt', machine: options.machine,
    parameters: { secondsPerVariant: options.seconds, plaintextBytes: 96 },
    converged: true,
    throughputPerSec: operatorPath.perSecond,
    latency: operatorPath.latency,
    peakRssMb: 0,
    goals: [goal('operator path vs plain typage (x)', '>= 1', speedup, speedup >= 1)],
    details: {
      operatorPath, plainTypage: plain, ...(pureJs ? { pureJsTypage: pureJs } : {}), speedup,
    },
    notes: ['One process, one core, sequential decrypts of one small value; operatorPath = decryptValue with loadIdentities() (CryptoKey), plainTypage = the same with { native: false } (typage gets the key string), pureJsTypage = typage with WebCrypto X25519 switched off.'],
  };
}
