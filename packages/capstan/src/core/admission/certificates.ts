// The webhook server's certificates: a CA and a serving certificate kept in a Secret (shared by replicas) and
// renewed before expiry, an in-memory pair for dev runs, or files provided by someone else (cert-manager).
import { X509Certificate } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { KubeClient } from '../../client/surface.js';
import { ConflictError, NotFoundError } from '../../structs/errors.js';
import type { KubeObject } from '../../structs/objects.js';
import { newCertificateAuthority, newServingCertificate, type CertificatePair } from '../../kits/x509.js';

/** What the server serves and what the API server must trust. */
export interface ServingCertificates {
  certPem: string;
  keyPem: string;
  /** PEM bundle of the CAs the API server trusts for this webhook (the caBundle). */
  caPem: string;
  /** When the serving certificate expires. */
  notAfter: Date;
}

/** A source of serving certificates: `current()` returns the latest, renewing or re-reading when due. */
export interface CertificateSource {
  /** The certificates to serve; `renew`: a new serving certificate now (same CA), where this source makes them. */
  current(options?: { renew?: boolean }): Promise<ServingCertificates>;
}

const DAY = 86_400_000;
const SECRETS = { version: 'v1', plural: 'secrets' } as const;

interface SecretObject extends KubeObject {
  type?: string;
  data?: Record<string, string>;
}

/** Annotating the Secret with this asks for a new serving certificate at the next check (then it is removed). */
export const RENEW_ANNOTATION = 'capstan.dev/renew';

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const unb64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString('utf8') : '');

function notAfterOf(certPem: string): Date {
  return new Date(new X509Certificate(certPem).validTo);
}

/** Whether the certificate is for every one of `hosts` (a new host, e.g. a renamed Service, needs a new one). */
function coversHosts(certPem: string, hosts: readonly string[]): boolean {
  const x = new X509Certificate(certPem);
  return hosts.every((h) => x.checkHost(h) !== undefined || x.checkIP(h) !== undefined);
}

/** Pure: whether a serving certificate must be replaced now. */
export function needsRenewal(input: { notAfter: Date; now: Date; renewBeforeMs: number; coversHosts: boolean }): boolean {
  return !input.coversHosts || input.notAfter.getTime() - input.now.getTime() <= input.renewBeforeMs;
}

export interface SecretCertificatesOptions {
  client: KubeClient;
  secret: { namespace: string; name: string };
  hosts: string[];
  /** Serving certificate lifetime. Default 90 days; the CA lives ten times as long. */
  validityDays?: number;
  /** Renew this long before expiry. Default a third of the validity. */
  renewBeforeDays?: number;
  now?: () => Date;
}

/**
 * Certificates in a Secret (`ca.crt`, `ca.key`, `tls.crt`, `tls.key`): made when absent, renewed when due. Every
 * replica reads the same Secret; writes are conditional (create, or update at the read resourceVersion), so when
 * two replicas renew at once one wins and the other adopts its result.
 */
export class SecretCertificates implements CertificateSource {
  constructor(private readonly o: SecretCertificatesOptions) {}

  async current(options: { renew?: boolean } = {}): Promise<ServingCertificates> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#ensure(options.renew === true && attempt === 0);
      } catch (error) {
        // Another replica wrote first: read its result.
        if (!(error instanceof ConflictError) || attempt >= 3) throw error;
      }
    }
  }

  async #ensure(renew: boolean): Promise<ServingCertificates> {
    const now = this.o.now?.() ?? new Date();
    const validityMs = (this.o.validityDays ?? 90) * DAY;
    const renewBeforeMs = (this.o.renewBeforeDays ?? (this.o.validityDays ?? 90) / 3) * DAY;
    const { namespace, name } = this.o.secret;
    let secret: SecretObject | undefined;
    try {
      secret = await this.o.client.get<SecretObject>(SECRETS, { namespace, name });
    } catch (error) {
      if (!(error instanceof NotFoundError)) throw error;
    }
    const data = secret?.data ?? {};
    let ca: CertificatePair | undefined =
      data['ca.crt'] && data['ca.key'] ? { certPem: unb64(data['ca.crt']), keyPem: unb64(data['ca.key']) } : undefined;
    let caBundle = ca?.certPem ?? '';
    const signingCaNotAfter = ca ? notAfterOf(ca.certPem) : undefined;
    // A CA close to its end: a new one signs from now on; the old stays in the bundle until it expires.
    if (!ca || !signingCaNotAfter || signingCaNotAfter.getTime() - now.getTime() <= validityMs + renewBeforeMs) {
      const fresh = newCertificateAuthority(`${name}-ca`, new Date(now.getTime() - 5 * 60_000), new Date(now.getTime() + 10 * validityMs));
      caBundle = [fresh.certPem, ...(ca && signingCaNotAfter && signingCaNotAfter > now ? [ca.certPem] : [])].join('');
      ca = { certPem: fresh.certPem, keyPem: fresh.keyPem };
    }
    const certPem = unb64(data['tls.crt']);
    const keyPem = unb64(data['tls.key']);
    const caChanged = caBundle !== unb64(data['ca.crt']);
    const renewAsked = secret?.metadata.annotations?.[RENEW_ANNOTATION] !== undefined;
    const leafOk =
      !renew &&
      !renewAsked &&
      certPem &&
      keyPem &&
      !caChanged &&
      !needsRenewal({ notAfter: notAfterOf(certPem), now, renewBeforeMs, coversHosts: coversHosts(certPem, this.o.hosts) });
    if (leafOk) return { certPem, keyPem, caPem: caBundle, notAfter: notAfterOf(certPem) };
    const leaf = newServingCertificate(ca, {
      commonName: this.o.hosts[0] ?? name,
      hosts: this.o.hosts,
      notBefore: new Date(now.getTime() - 5 * 60_000),
      notAfter: new Date(now.getTime() + validityMs),
    });
    const { [RENEW_ANNOTATION]: _asked, ...annotations } = secret?.metadata.annotations ?? {};
    const body: SecretObject = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: {
        name,
        namespace,
        ...(secret ? { resourceVersion: secret.metadata.resourceVersion, labels: secret.metadata.labels ?? {}, annotations } : {}),
      },
      type: 'kubernetes.io/tls',
      data: { 'ca.crt': b64(caBundle), 'ca.key': b64(ca.keyPem), 'tls.crt': b64(leaf.certPem), 'tls.key': b64(leaf.keyPem) },
    };
    if (secret) await this.o.client.replace(SECRETS, body);
    else await this.o.client.create(SECRETS, body, { namespace });
    return { certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: caBundle, notAfter: notAfterOf(leaf.certPem) };
  }
}

/** A CA and serving certificate made in memory at start-up: dev runs and tests (one process, no Secret). */
export class EphemeralCertificates implements CertificateSource {
  #ca: CertificatePair | undefined;
  #certs: ServingCertificates | undefined;
  constructor(
    private readonly hosts: string[],
    private readonly now: () => Date = () => new Date(),
  ) {}

  async current(options: { renew?: boolean } = {}): Promise<ServingCertificates> {
    const now = this.now();
    if (!options.renew && this.#certs && this.#certs.notAfter.getTime() - now.getTime() > DAY) return this.#certs;
    this.#ca ??= newCertificateAuthority('capstan-dev-ca', new Date(now.getTime() - 60_000), new Date(now.getTime() + 365 * DAY));
    const leaf = newServingCertificate(this.#ca, {
      commonName: this.hosts[0] ?? 'localhost',
      hosts: this.hosts,
      notBefore: new Date(now.getTime() - 60_000),
      notAfter: new Date(now.getTime() + 7 * DAY),
    });
    this.#certs = { certPem: leaf.certPem, keyPem: leaf.keyPem, caPem: this.#ca.certPem, notAfter: notAfterOf(leaf.certPem) };
    return this.#certs;
  }
}

/** Certificates provided as files (cert-manager's Secret mounted into the pod): re-read on every call. */
export class FileCertificates implements CertificateSource {
  constructor(private readonly files: { certFile: string; keyFile: string; caFile: string }) {}

  async current(): Promise<ServingCertificates> {
    const [certPem, keyPem, caPem] = await Promise.all(
      [this.files.certFile, this.files.keyFile, this.files.caFile].map((f) => readFile(f, 'utf8')),
    );
    return { certPem: certPem!, keyPem: keyPem!, caPem: caPem!, notAfter: notAfterOf(certPem!) };
  }
}
