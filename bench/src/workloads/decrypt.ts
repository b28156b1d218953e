// Workload 5: age X25519 decrypts per second: the operator's path (node:crypto, age-reader.ts) vs. plain typage.
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

interface Variant {
  identities: IdentitySet;
  /** Runs around the variant's rounds (the pure-JS switch). */
  around?: <T>(fn: () => Promise<T>) => Promise<T>;
  times: number[];
  elapsedMs: number;
}

/**
 * Interleaves short rounds of every variant until each has run `seconds`: on a shared machine the load
 * drifts, and back-to-back blocks would compare different machines.
 */
async function measure(ciphertext: string, variants: Variant[], seconds: number, roundMs = 250): Promise<Rate[]> {
  for (const v of variants) {
    const warm = async () => {
      for (let i = 0; i < 50; i++) await decryptValue(ciphertext, v.identities);
    };
    await (v.around ? v.around(warm) : warm());
  }
  while (variants.some((v) => v.elapsedMs < seconds * 1000)) {
    for (const v of variants) {
      const round = async () => {
        const start = performance.now();
        while (performance.now() - start < roundMs) {
          const t = performance.now();
          await decryptValue(ciphertext, v.identities);
          v.times.push(performance.now() - t);
        }
        v.elapsedMs += performance.now() - start;
      };
      await (v.around ? v.around(round) : round());
    }
  }
  return variants.map((v) => ({
    perSecond: Number((v.times.length / (v.elapsedMs / 1000)).toFixed(0)),
    latency: summarize(v.times.map((x) => Number(x.toFixed(3)))),
  }));
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
  const x25519 = await typageX25519();
  const variants: Variant[] = [
    // The operator's path: identities imported once into node:crypto, files read by age-reader.ts.
    { identities: await loadIdentities(key.identity), times: [], elapsedMs: 0 },
    // Plain typage: the identity string handed to its Decrypter (it imports the key for every file).
    { identities: await loadIdentities(key.identity, { native: false }), times: [], elapsedMs: 0 },
  ];
  if (x25519) {
    variants.push({
      identities: await loadIdentities(key.identity, { native: false }),
      times: [],
      elapsedMs: 0,
      around: async (fn) => {
        x25519.forceWebCryptoOff(true);
        try {
          return await fn();
        } finally {
          x25519.forceWebCryptoOff(false);
        }
      },
    });
  }
  const [operatorPath, plain, pureJs] = (await measure(ciphertext, variants, options.seconds)) as [Rate, Rate, Rate | undefined];
  const speedup = Number((operatorPath.perSecond / plain.perSecond).toFixed(2));
  return {
    workload: 'decrypt',
    machine: options.machine,
    parameters: { secondsPerVariant: options.seconds, plaintextBytes: 96 },
    converged: true,
    throughputPerSec: operatorPath.perSecond,
    latency: operatorPath.latency,
    peakRssMb: 0,
    goals: [goal('operator path vs plain typage (x)', '>= 1', speedup, speedup >= 1)],
    details: {
      operatorPath,
      plainTypage: plain,
      ...(pureJs ? { pureJsTypage: pureJs } : {}),
      speedup,
    },
    notes: [
      'One process, one core, sequential decrypts, variants interleaved in 250 ms rounds of one small value; operatorPath = decryptValue with loadIdentities() (node:crypto keys, age-reader.ts), plainTypage = the same with { native: false } (typage gets the key string), pureJsTypage = typage with WebCrypto X25519 switched off.',
    ],
  };
}
