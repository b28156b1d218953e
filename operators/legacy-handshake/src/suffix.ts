// The operations team's half of the secret, read from a configured Secret and re-read when it may have changed.
import { SettingsError, SuffixError } from './errors.js';
import type { Secret } from './kube-types.js';

export interface SuffixRef {
  namespace: string;
  name: string;
  key: string;
}

export const DEFAULT_SUFFIX_KEY = 'suffix';
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const SECRET_KEY = /^[-._a-zA-Z0-9]{1,253}$/;

/** Parses `namespace/name[:key]` (key defaults to `suffix`). */
export function parseSuffixRef(text: string): SuffixRef {
  const match = /^([^/:]+)\/([^/:]+)(?::([^/:]+))?$/.exec(text.trim());
  if (!match) throw new SettingsError(`suffix secret ${JSON.stringify(text)} is not namespace/name[:key]`);
  const [, namespace = '', name = '', key = DEFAULT_SUFFIX_KEY] = match;
  if (!DNS_LABEL.test(namespace))
    throw new SettingsError(`suffix secret namespace ${JSON.stringify(namespace)} is not a valid namespace name`);
  if (!DNS_SUBDOMAIN.test(name)) throw new SettingsError(`suffix secret name ${JSON.stringify(name)} is not a valid Secret name`);
  if (!SECRET_KEY.test(key)) throw new SettingsError(`suffix secret key ${JSON.stringify(key)} is not a valid Secret data key`);
  return { namespace, name, key };
}

export function formatSuffixRef(ref: SuffixRef): string {
  return `${ref.namespace}/${ref.name}:${ref.key}`;
}

/**
 * The suffix stored under the key. One trailing newline is dropped because `--from-file` of an
 * `echo`-written file carries one; the suffix itself never appears in an error.
 */
export function suffixFromSecret(secret: Secret, ref: SuffixRef): string {
  const encoded = secret.data?.[ref.key];
  if (encoded === undefined) {
    throw new SuffixError(`Secret ${ref.namespace}/${ref.name} has no key ${JSON.stringify(ref.key)}`);
  }
  const value = Buffer.from(encoded, 'base64')
    .toString('utf8')
    .replace(/\r?\n$/, '');
  if (value.length === 0) throw new SuffixError(`Secret ${ref.namespace}/${ref.name} key ${JSON.stringify(ref.key)} is empty`);
  return value;
}

export interface SuffixSourceOptions {
  ref: SuffixRef;
  /** Reads the Secret (a GET through the operator's API client). */
  read: (signal: AbortSignal | undefined) => Promise<Secret>;
  /** How long a read value is trusted before it is read again; rotation is picked up within this bound. */
  maxAgeMs: number;
  now?: () => number;
}

/** Caches the suffix for `maxAgeMs`; concurrent callers share one read; `invalidate()` forces the next read. */
export class SuffixSource {
  private cached: { value: string; at: number; resourceVersion: string | undefined } | undefined;
  private inflight: Promise<string> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: SuffixSourceOptions) {
    this.now = options.now ?? Date.now;
  }

  get ref(): SuffixRef {
    return this.options.ref;
  }

  async get(signal?: AbortSignal): Promise<string> {
    const cached = this.cached;
    if (cached && this.now() - cached.at < this.options.maxAgeMs) return cached.value;
    this.inflight ??= this.load(signal).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** Drops the cached value, e.g. when the Secret changed or the app refused the secret built from it. */
  invalidate(): void {
    this.cached = undefined;
  }

  /** True when a Secret with this resourceVersion would be news (used by a watch on the Secret). */
  isStale(resourceVersion: string | undefined): boolean {
    return this.cached === undefined || this.cached.resourceVersion !== resourceVersion;
  }

  private async load(signal: AbortSignal | undefined): Promise<string> {
    const { ref } = this.options;
    let secret: Secret;
    try {
      secret = await this.options.read(signal);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new SuffixError(`cannot read suffix Secret ${ref.namespace}/${ref.name}: ${why}`, { cause: error });
    }
    const value = suffixFromSecret(secret, ref);
    this.cached = { value, at: this.now(), resourceVersion: secret.metadata?.resourceVersion };
    return value;
  }
}
