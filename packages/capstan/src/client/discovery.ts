// API discovery: kind <-> plural, namespaced or cluster scope and /status, cached per group/version.
import { ConfigurationError, NotFoundError } from '../structs/errors.js';
import { apiVersionOf, type ResolvedResource, type ResourceRef } from '../structs/objects.js';
import type { Transport } from './transport.js';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
  singularName?: string;
  shortNames?: string[];
}

interface ApiResourceList {
  resources: ApiResource[];
}

export class Discovery {
  readonly #transport: Transport;
  readonly #cache = new Map<string, Promise<ApiResource[]>>();

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  #fetch(group: string, version: string, signal?: AbortSignal): Promise<ApiResource[]> {
    const key = apiVersionOf({ group, version });
    let cached = this.#cache.get(key);
    if (!cached) {
      const path = group ? `/apis/${group}/${version}` : `/api/${version}`;
      cached = this.#transport
        .request<ApiResourceList>({ method: 'GET', path, signal, verb: 'discover', target: key })
        .then((list) => list.resources ?? []);
      // A failed or stale lookup must not stick: a CRD may be installed a moment later.
      cached.catch(() => this.#cache.delete(key));
      this.#cache.set(key, cached);
    }
    return cached;
  }

  /** Resolve a reference (by plural or kind); re-reads discovery once when not found (new CRDs). */
  async resolve(ref: ResourceRef, signal?: AbortSignal): Promise<ResolvedResource> {
    const group = ref.group ?? '';
    if (!ref.plural && !ref.kind)
      throw new ConfigurationError(`resource ${apiVersionOf({ group, version: ref.version })} needs a plural or a kind`);
    for (let attempt = 0; attempt < 2; attempt++) {
      let resources: ApiResource[];
      try {
        resources = await this.#fetch(group, ref.version, signal);
      } catch (error) {
        if (error instanceof NotFoundError && attempt === 0) continue;
        throw error;
      }
      const main = resources.filter((r) => !r.name.includes('/'));
      const found = ref.plural ? main.find((r) => r.name === ref.plural) : main.find((r) => r.kind === ref.kind);
      if (found) {
        return {
          group,
          version: ref.version,
          plural: found.name,
          kind: found.kind,
          namespaced: found.namespaced,
          hasStatus: resources.some((r) => r.name === `${found.name}/status`),
        };
      }
      this.#cache.delete(apiVersionOf({ group, version: ref.version }));
    }
    throw new NotFoundError(
      `resource ${apiVersionOf({ group, version: ref.version })} ${ref.plural ?? ref.kind} is not served by the API server`,
      {
        status: 404,
        reason: 'NotFound',
        verb: 'discover',
      },
    );
  }

  invalidate(): void {
    this.#cache.clear();
  }
}
