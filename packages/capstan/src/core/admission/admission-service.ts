// The admission side of an operator process: certificates, the HTTPS server and the webhook configurations,
// kept in step (a renewed certificate is served at once; a new CA reaches the caBundle). Leadership never gates it.
import type { KubeClient } from '../../client/surface.js';
import { describeError, type Logger } from '../logging.js';
import {
  EphemeralCertificates,
  FileCertificates,
  SecretCertificates,
  type CertificateSource,
  type ServingCertificates,
} from './certificates.js';
import type { KubeObject } from '../../structs/objects.js';
import { clientConfig, webhookConfigurations, MUTATING, VALIDATING, type WebhookEntry } from './configurations.js';
import type { Convertible } from './conversion.js';
import type { AdmissionHandlerEntry } from './review.js';
import { AdmissionServer, conversionPath } from './server.js';

const CRDS = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions' } as const;
import type { AdmissionSettings } from './types.js';

export interface AdmissionServiceInput {
  /** The operator's name: the configurations' name and field manager. */
  name: string;
  client: KubeClient;
  settings: AdmissionSettings;
  handlers: (AdmissionHandlerEntry & WebhookEntry)[];
  /** The operator's namespaces (none: all): the webhooks see requests from these only. */
  namespaces: readonly string[];
  /** Custom resources whose conversion webhook is served (their CRDs' spec.conversion is written). */
  conversions?: readonly Convertible[];
  logger: Logger;
}

/** The host names the serving certificate must cover for an endpoint. */
export function certificateHosts(settings: AdmissionSettings): string[] {
  if (settings.hosts?.length) return settings.hosts;
  const e = settings.endpoint;
  if ('local' in e) return ['127.0.0.1', 'localhost'];
  if ('url' in e) return [new URL(e.url).hostname.replace(/^\[|\]$/g, '')];
  const { name, namespace } = e.service;
  return [`${name}.${namespace}.svc`, `${name}.${namespace}.svc.cluster.local`, `${name}.${namespace}`, name];
}

function sourceFor(input: AdmissionServiceInput): CertificateSource {
  const c = input.settings.certificates;
  if ('ephemeral' in c) return new EphemeralCertificates(certificateHosts(input.settings));
  if ('certFile' in c) return new FileCertificates(c);
  return new SecretCertificates({
    client: input.client,
    secret: c.secret,
    hosts: certificateHosts(input.settings),
    ...(c.validityDays !== undefined ? { validityDays: c.validityDays } : {}),
    ...(c.renewBeforeDays !== undefined ? { renewBeforeDays: c.renewBeforeDays } : {}),
  });
}

export class AdmissionService {
  readonly #source: CertificateSource;
  #server: AdmissionServer | undefined;
  #served: ServingCertificates | undefined;
  #appliedCa: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly input: AdmissionServiceInput) {
    this.#source = sourceFor(input);
  }

  /** The URL the API server calls (the local endpoint's, once listening). */
  get url(): string | undefined {
    const e = this.input.settings.endpoint;
    if ('url' in e) return e.url;
    const address = this.#server?.address;
    return 'local' in e && address ? `https://127.0.0.1:${address.port}` : undefined;
  }

  get address(): { host: string; port: number } | undefined {
    return this.#server?.address;
  }

  /** The CA bundle the configurations carry. */
  get caBundle(): string | undefined {
    return this.#served?.caPem;
  }

  /** Gets certificates, listens, writes the configurations; then keeps all three current. */
  async start(): Promise<void> {
    const s = this.input.settings;
    const certs = await this.#source.current();
    const server = new AdmissionServer(
      {
        host: s.host ?? ('local' in s.endpoint ? '127.0.0.1' : '0.0.0.0'),
        port: s.port ?? 9443,
        cert: certs.certPem,
        key: certs.keyPem,
        maxBodyBytes: s.maxBodyBytes ?? 3 << 20,
        logger: this.input.logger,
        conversions: this.input.conversions ?? [],
      },
      this.input.handlers,
    );
    await server.start();
    this.#server = server;
    this.#served = certs;
    if (s.manageConfigurations !== false) await this.#applyConfigurations(certs.caPem);
    this.input.logger.info('admission server listening', {
      address: `${server.address?.host}:${server.address?.port}`,
      webhooks: this.input.handlers.map((h) => h.id),
    });
    this.#timer = setInterval(() => void this.refresh().catch(() => undefined), s.refreshMs ?? 60_000);
    this.#timer.unref();
  }

  /** Re-reads (or renews) the certificates: a new one is served from the next handshake, a new CA reaches the caBundle. */
  async refresh(options: { renew?: boolean } = {}): Promise<boolean> {
    try {
      const certs = await this.#source.current(options);
      const changed = certs.certPem !== this.#served?.certPem;
      // The caBundle first: the API server must trust a new CA before the server presents a certificate from it.
      if (this.input.settings.manageConfigurations !== false && certs.caPem !== this.#appliedCa)
        await this.#applyConfigurations(certs.caPem);
      if (changed) {
        this.#server?.setCertificate(certs.certPem, certs.keyPem);
        this.input.logger.info('admission certificate renewed', { notAfter: certs.notAfter.toISOString() });
      }
      this.#served = certs;
      return changed;
    } catch (error) {
      this.input.logger.warn('admission certificates: refresh failed, serving the current ones', { error: describeError(error) });
      throw error;
    }
  }

  async #applyConfigurations(caBundle: string): Promise<void> {
    const url = this.url;
    const endpoint = 'local' in this.input.settings.endpoint ? { url: url! } : this.input.settings.endpoint;
    const configs = webhookConfigurations({
      operator: this.input.name,
      ...(this.input.settings.configurationName ? { name: this.input.settings.configurationName } : {}),
      namespaces: this.input.namespaces,
      entries: this.input.handlers,
      endpoint,
      caBundle,
    });
    for (const config of configs) {
      const ref = config.kind === 'ValidatingWebhookConfiguration' ? VALIDATING : MUTATING;
      await this.input.client.apply(ref, config, { force: true, fieldManager: this.input.name });
    }
    // Conversion: only spec.conversion of each CRD is ours (server-side apply keeps the install's fields).
    for (const resource of this.input.conversions ?? []) {
      const crd = {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: resource.crd.metadata.name },
        spec: {
          conversion: {
            strategy: 'Webhook',
            webhook: { conversionReviewVersions: ['v1'], clientConfig: clientConfig(endpoint, conversionPath(resource), caBundle) },
          },
        },
      } as unknown as KubeObject;
      await this.input.client.apply(CRDS, crd, { force: true, fieldManager: this.input.name });
    }
    this.#appliedCa = caBundle;
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#server?.stop();
    this.#server = undefined;
  }
}
