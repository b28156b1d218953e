// The Validating/MutatingWebhookConfigurations for an operator's admission handlers (pure), with their caBundle.
import type { KubeObject, ResourceRef } from '../../structs/objects.js';
import { admissionPath } from './server.js';
import type { AdmissionOptions, WebhookEndpoint } from './types.js';

/** One admission handler as a webhook: which resource, which path, which options. */
export interface WebhookEntry {
  kind: 'validate' | 'mutate';
  id: string;
  resource: Required<Pick<ResourceRef, 'version' | 'plural'>> & { group?: string };
  /** Whether the resource is namespaced (`Namespaced` scope) or not. */
  namespaced: boolean;
  options: AdmissionOptions;
}

export const VALIDATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'validatingwebhookconfigurations' } as const;
export const MUTATING = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations' } as const;

/** A webhook's name: fully qualified, as Kubernetes requires (`<id>.<operator>.capstan.dev`). */
export function webhookName(operator: string, id: string): string {
  const label = (s: string) =>
    s
      .toLowerCase()
      .replace(/[^a-z0-9-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 63) || 'webhook';
  return `${label(id)}.${label(operator)}.capstan.dev`;
}

/** How the API server reaches one path of the webhook server, with the CA bundle it trusts. */
export function clientConfig(endpoint: WebhookEndpoint | { url: string }, path: string, caBundle: string): Record<string, unknown> {
  const ca = Buffer.from(caBundle, 'utf8').toString('base64');
  if ('local' in endpoint) throw new Error('a local endpoint needs its URL: give { url } once the server listens');
  if ('url' in endpoint) return { url: `${endpoint.url.replace(/\/+$/, '')}${path}`, caBundle: ca };
  const { namespace, name, port } = endpoint.service;
  return { service: { namespace, name, path, port: port ?? 443 }, caBundle: ca };
}

/** The configuration objects (at most one of each kind, named after the operator) for these handlers. */
export function webhookConfigurations(input: {
  operator: string;
  /** The configurations' name (default: the operator's). */
  name?: string;
  /** The namespaces the operator works in (none: all): requests from other namespaces are never sent to it. */
  namespaces?: readonly string[];
  entries: readonly WebhookEntry[];
  endpoint: WebhookEndpoint | { url: string };
  caBundle: string;
}): KubeObject[] {
  // A namespaced operator validates its namespaces only: it must not refuse (or, down, block) anyone else's objects.
  const scoped = input.namespaces?.length && !input.namespaces.some((n) => /[*?[!]/.test(n)) ? [...input.namespaces].sort() : undefined;
  const operatorScope = scoped
    ? { matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In' as const, values: scoped }] }
    : undefined;
  const configs: KubeObject[] = [];
  for (const kind of ['validate', 'mutate'] as const) {
    const entries = input.entries.filter((e) => e.kind === kind);
    if (!entries.length) continue;
    const webhooks = entries.map((e) => {
      const o = e.options;
      const resources = [e.resource.plural, ...(o.subresources ?? []).map((s) => `${e.resource.plural}/${s}`)];
      return {
        name: webhookName(input.operator, e.id),
        admissionReviewVersions: ['v1'],
        clientConfig: clientConfig(input.endpoint, admissionPath(e), input.caBundle),
        rules: [
          {
            apiGroups: [e.resource.group ?? ''],
            apiVersions: [e.resource.version],
            resources,
            operations: o.operations ?? ['CREATE', 'UPDATE'],
            scope: e.namespaced ? 'Namespaced' : 'Cluster',
          },
        ],
        failurePolicy: o.failurePolicy ?? (kind === 'validate' ? 'Fail' : 'Ignore'),
        matchPolicy: 'Equivalent',
        sideEffects: o.sideEffects ?? 'None',
        timeoutSeconds: Math.min(Math.max(o.timeoutSeconds ?? 5, 1), 30),
        ...(o.namespaceSelector || (operatorScope && e.namespaced)
          ? {
              namespaceSelector: {
                ...o.namespaceSelector,
                ...(operatorScope && e.namespaced
                  ? { matchExpressions: [...(o.namespaceSelector?.matchExpressions ?? []), ...operatorScope.matchExpressions] }
                  : {}),
              },
            }
          : {}),
        ...(o.objectSelector ? { objectSelector: o.objectSelector } : {}),
        ...(kind === 'mutate' ? { reinvocationPolicy: 'Never' } : {}),
      };
    });
    configs.push({
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: kind === 'validate' ? 'ValidatingWebhookConfiguration' : 'MutatingWebhookConfiguration',
      metadata: { name: input.name ?? input.operator, labels: { 'app.kubernetes.io/managed-by': 'capstan' } },
      webhooks,
    } as KubeObject);
  }
  return configs;
}
