// Key material: the service-account signing key (generated here) and the CA of the API server's self-signed serving cert.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface ServiceAccountKeys {
  privateKeyPem: string;
  publicKeyPem: string;
}

/** RSA in PKCS#1 form: the one key format every component of every supported version reads. */
export function generateServiceAccountKeys(): ServiceAccountKeys {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

export function randomToken(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * kube-apiserver self-signs into --cert-dir: apiserver.crt holds the serving cert followed by its CA.
 * Trusting the CA (the last block) is what clients need.
 */
export function caFromServingChain(chainPem: string): string {
  const blocks = chainPem.match(PEM_BLOCK) ?? [];
  const last = blocks[blocks.length - 1];
  if (!last) throw new Error('no certificate found in the API server serving chain');
  return `${last}\n`;
}

export function readServingCa(certFile: string): string {
  return caFromServingChain(readFileSync(certFile, 'utf8'));
}
