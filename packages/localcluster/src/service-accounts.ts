// ServiceAccount tokens through the TokenRequest API (serviceaccounts/<name>/token), creating the account if needed.
import { KubeApi } from './api.js';
import { KubeApiError } from './errors.js';

/** Options of a ServiceAccount token: audiences, lifetime, the pod it is bound to, and whether to create the account. */
export interface ServiceAccountTokenOptions {
  /** The audiences the token is valid for. Default: the API server's. */
  audiences?: string[];
  /** The token's lifetime. Default 24 hours. */
  expirationSeconds?: number;
  /** Bind the token to a pod: it stops working when the pod is deleted. */
  boundPod?: {
    /** The pod's name. */
    name: string;
    /** The pod's uid. */
    uid: string;
  };
  /** Create the ServiceAccount when it does not exist (default true). */
  create?: boolean;
}

export async function requestServiceAccountToken(
  api: KubeApi,
  namespace: string,
  name: string,
  options: ServiceAccountTokenOptions = {},
): Promise<string> {
  const base = `/api/v1/namespaces/${encodeURIComponent(namespace)}/serviceaccounts`;
  if (options.create ?? true) {
    try {
      await api.post(base, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name } });
    } catch (err) {
      if (!(err instanceof KubeApiError && err.status === 409)) throw err;
    }
  }
  const review = await api.post<{ status?: { token?: string } }>(`${base}/${encodeURIComponent(name)}/token`, {
    apiVersion: 'authentication.k8s.io/v1',
    kind: 'TokenRequest',
    spec: {
      ...(options.audiences ? { audiences: options.audiences } : {}),
      expirationSeconds: options.expirationSeconds ?? 24 * 3600,
      ...(options.boundPod
        ? { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: options.boundPod.name, uid: options.boundPod.uid } }
        : {}),
    },
  });
  const token = review.status?.token;
  if (!token) throw new KubeApiError(`TokenRequest for ${namespace}/${name} returned no token`, 500, undefined);
  return token;
}
