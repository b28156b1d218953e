// X.509 certificates made with node:crypto alone: a CA and the serving certificates it signs (ECDSA P-256, DER by hand).
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { isIP } from 'node:net';

/** A certificate and its private key, PEM-encoded (what TLS servers and Kubernetes Secrets hold). */
export interface CertificatePair {
  certPem: string;
  keyPem: string;
}

/** What a new certificate says: its name, hosts and lifetime. */
export interface CertificateRequest {
  commonName: string;
  /** DNS names and IP addresses it is valid for (subjectAltName); none for a CA. */
  hosts?: string[];
  notBefore: Date;
  notAfter: Date;
  /** A CA may sign certificates; a leaf serves TLS. */
  isCa: boolean;
}

// DER encoding: tag, length, content.
function der(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length =
    n < 0x80
      ? Buffer.from([n])
      : n < 0x100
        ? Buffer.from([0x81, n])
        : n < 0x10000
          ? Buffer.from([0x82, n >> 8, n & 0xff])
          : Buffer.from([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...items: Buffer[]) => der(0x30, Buffer.concat(items));
const set = (...items: Buffer[]) => der(0x31, Buffer.concat(items));
const octets = (b: Buffer) => der(0x04, b);
const bits = (b: Buffer, unused = 0) => der(0x03, Buffer.concat([Buffer.from([unused]), b]));
const bool = (v: boolean) => der(0x01, Buffer.from([v ? 0xff : 0]));
const explicit = (n: number, content: Buffer) => der(0xa0 + n, content);

function integer(value: Buffer): Buffer {
  let v = value;
  while (v.length > 1 && v[0] === 0 && (v[1]! & 0x80) === 0) v = v.subarray(1);
  // A leading 1 bit would make it negative: prefix a zero byte.
  return der(0x02, (v[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk = [part & 0x7f];
    for (let rest = part >>> 7; rest > 0; rest >>>= 7) chunk.unshift((rest & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return der(0x06, Buffer.from(bytes));
}

function time(d: Date): Buffer {
  const pad = (n: number) => String(n).padStart(2, '0');
  const rest = `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z`;
  const year = d.getUTCFullYear();
  // RFC 5280: UTCTime up to 2049, GeneralizedTime from 2050.
  return year < 2050 ? der(0x17, Buffer.from(`${pad(year % 100)}${rest}`)) : der(0x18, Buffer.from(`${year}${rest}`));
}

const name = (commonName: string) => seq(set(seq(oid('2.5.4.3'), der(0x0c, Buffer.from(commonName, 'utf8')))));
const extension = (id: string, critical: boolean, value: Buffer) => seq(oid(id), ...(critical ? [bool(true)] : []), octets(value));
const ECDSA_SHA256 = seq(oid('1.2.840.10045.4.3.2'));

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand "::" and write 8 groups of 16 bits.
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.concat(groups.map((g) => Buffer.from([parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])));
}

function subjectAltName(hosts: string[]): Buffer {
  return seq(...hosts.map((h) => (isIP(h) ? der(0x87, ipBytes(h)) : der(0x82, Buffer.from(h, 'ascii')))));
}

/** The subject key identifier: SHA-1 of the public key bits (RFC 5280, method 1). */
function keyIdentifier(spkiDer: Buffer): Buffer {
  // SPKI = SEQUENCE { AlgorithmIdentifier, BIT STRING }: hash the BIT STRING's content after its unused-bits byte.
  const bitString = children(spkiDer)[1]!;
  const { header } = measure(bitString, 0);
  return createHash('sha1')
    .update(bitString.subarray(header + 1))
    .digest();
}

/** A new ECDSA P-256 key pair. */
export function newKey(): { privateKey: KeyObject; keyPem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * A certificate for `subjectKeyPem`'s public key, signed by `issuer` (or self-signed when absent: a new CA).
 * Leaves get digitalSignature and serverAuth; CAs get keyCertSign and basicConstraints CA:TRUE.
 */
export function issueCertificate(request: CertificateRequest, subjectKeyPem: string, issuer?: { certPem: string; keyPem: string }): string {
  const subjectKey = createPrivateKey(subjectKeyPem);
  const subjectSpki = createPublicKey(subjectKey).export({ type: 'spki', format: 'der' });
  const signerKey = issuer ? createPrivateKey(issuer.keyPem) : subjectKey;
  const issuerCert = issuer ? new X509Certificate(issuer.certPem) : undefined;
  const issuerSpki = issuerCert ? issuerCert.publicKey.export({ type: 'spki', format: 'der' }) : subjectSpki;
  const extensions = [
    extension('2.5.29.19', true, request.isCa ? seq(bool(true)) : seq()),
    // keyUsage: CA = digitalSignature, keyCertSign, cRLSign (0x86, 1 unused bit); leaf = digitalSignature (0x80, 7 unused).
    extension('2.5.29.15', true, request.isCa ? bits(Buffer.from([0x86]), 1) : bits(Buffer.from([0x80]), 7)),
    ...(request.isCa ? [] : [extension('2.5.29.37', false, seq(oid('1.3.6.1.5.5.7.3.1')))]),
    ...(request.hosts?.length ? [extension('2.5.29.17', false, subjectAltName(request.hosts))] : []),
    extension('2.5.29.14', false, octets(keyIdentifier(subjectSpki))),
    extension('2.5.29.35', false, seq(der(0x80, keyIdentifier(issuerSpki)))),
  ];
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(Buffer.concat([Buffer.from([0x01]), randomBytes(15)])),
    ECDSA_SHA256,
    issuerCert ? subjectOf(issuerCert.raw) : name(request.commonName),
    seq(time(request.notBefore), time(request.notAfter)),
    name(request.commonName),
    subjectSpki,
    der(0xa3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, { key: signerKey, dsaEncoding: 'der' });
  const cert = seq(tbs, ECDSA_SHA256, bits(signature));
  return `-----BEGIN CERTIFICATE-----\n${cert
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
}

/** The subject Name of a certificate (DER), read from its TBSCertificate: the issuer field of what it signs. */
function subjectOf(certDer: Buffer): Buffer {
  const fields = children(children(certDer)[0]!);
  // tbs: [0] version, serial, signature, issuer, validity, subject, ...
  return fields[5]!;
}

/** The DER elements inside a constructed element. */
function children(element: Buffer): Buffer[] {
  const out: Buffer[] = [];
  const { header } = measure(element, 0);
  let i = header;
  while (i < element.length) {
    const m = measure(element, i);
    out.push(element.subarray(i, i + m.header + m.length));
    i += m.header + m.length;
  }
  return out;
}

function measure(buf: Buffer, at: number): { header: number; length: number } {
  const first = buf[at + 1]!;
  if (first < 0x80) return { header: 2, length: first };
  const n = first & 0x7f;
  let length = 0;
  for (let k = 0; k < n; k++) length = (length << 8) | buf[at + 2 + k]!;
  return { header: 2 + n, length };
}

/** A new self-signed CA. */
export function newCertificateAuthority(commonName: string, notBefore: Date, notAfter: Date): CertificatePair {
  const { keyPem } = newKey();
  return { certPem: issueCertificate({ commonName, notBefore, notAfter, isCa: true }, keyPem), keyPem };
}

/** A new serving certificate for `hosts`, signed by `ca`. */
export function newServingCertificate(
  ca: CertificatePair,
  options: { commonName: string; hosts: string[]; notBefore: Date; notAfter: Date },
): CertificatePair {
  const { keyPem } = newKey();
  return { certPem: issueCertificate({ ...options, isCa: false }, keyPem, ca), keyPem };
}
