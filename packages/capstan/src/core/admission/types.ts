// The public shapes of admission: validate and mutate handlers, their request, options and the serving settings.
import type { DeepReadonly } from '../../structs/frozen.js';
import type { KubeObject } from '../../structs/objects.js';
import type { Logger } from '../logging.js';

/** The operations an admission webhook can be called for. */
export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

/** Who makes the request, as the API server authenticated them. */
export interface AdmissionUser {
  username?: string;
  uid?: string;
  groups?: string[];
}

/** What an admission handler gets: one request of the API server, about to store (or delete) an object. */
export interface AdmissionRequest<T extends KubeObject = KubeObject> {
  operation: AdmissionOperation;
  /** The object as it would be stored (undefined on DELETE). Frozen: a mutate handler returns a changed copy. */
  object: DeepReadonly<T> | undefined;
  /** The stored object before this request (UPDATE and DELETE). */
  oldObject: DeepReadonly<T> | undefined;
  namespace: string | undefined;
  /** The object's name (may be empty on CREATE with generateName). */
  name: string;
  /** A subresource (`status`, `scale`) when the request is for one. */
  subResource: string | undefined;
  user: AdmissionUser;
  /** A dry run (`kubectl apply --dry-run=server`): decide the same, but cause no side effects. */
  dryRun: boolean;
  /** Aborted when the webhook's time is up: the API server has stopped waiting. */
  signal: AbortSignal;
  logger: Logger;
}

/** What a validate handler may return: warnings shown to the client (kubectl prints them) with an allowed request. */
export interface ValidationResult {
  warnings?: string[];
}

/** A validate handler: return (or return warnings) to allow; throw `AdmissionError` to refuse with its message. */
export type ValidateHandler<T extends KubeObject = KubeObject> = (
  request: AdmissionRequest<T>,
) => ValidationResult | void | Promise<ValidationResult | void>;

/** What a mutate handler may return: the object as it should be stored (a changed copy), and warnings. */
export interface MutationResult<T extends KubeObject = KubeObject> {
  object?: T | DeepReadonly<T>;
  warnings?: string[];
}

/** A mutate handler: return the changed object (capstan turns it into a JSON Patch), or nothing to leave it. */
export type MutateHandler<T extends KubeObject = KubeObject> = (
  request: AdmissionRequest<T>,
) => T | DeepReadonly<T> | MutationResult<T> | void | Promise<T | DeepReadonly<T> | MutationResult<T> | void>;

/** A label selector of a webhook (namespaceSelector, objectSelector), as in Kubernetes. */
export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Options of `resource.validate(fn, options)` and `resource.mutate(fn, options)`. */
export interface AdmissionOptions {
  /** Stable id: the webhook's path and name. Default: the function's name, else `validate`/`mutate` with a number. */
  id?: string;
  /** Default CREATE and UPDATE. */
  operations?: AdmissionOperation[];
  /** Only objects in namespaces matching this selector (keep a pod webhook off system namespaces). */
  namespaceSelector?: LabelSelector;
  /** Only objects whose labels match. */
  objectSelector?: LabelSelector;
  /**
   * What the API server does when the webhook cannot be reached or times out: `Fail` refuses the request,
   * `Ignore` lets it through. Default `Fail` for validation (conditions still catch what slips through when
   * `Ignore`), `Ignore` for mutation (a mutation is usually a convenience with a fallback).
   */
  failurePolicy?: 'Fail' | 'Ignore';
  /** Seconds the API server waits (1-30). Default 5. */
  timeoutSeconds?: number;
  /** `None` (default): the handler has no side effects; `NoneOnDryRun`: it has some, skipped on dry runs. */
  sideEffects?: 'None' | 'NoneOnDryRun';
  /** Also for these subresources (`status`); default: the main resource only. */
  subresources?: string[];
}

/**
 * Where the API server reaches the webhook server: through a Service in front of the operator's pods (in a
 * cluster), at an https URL without a path, or `local`: the API server runs on this machine (a local cluster,
 * dev mode) and calls `https://127.0.0.1:<port>` directly, no tunnel needed.
 */
export type WebhookEndpoint = { service: { namespace: string; name: string; port?: number } } | { url: string } | { local: true };

/**
 * Certificates of the webhook server: kept by capstan in a Secret (a CA and a serving certificate, made when
 * absent, renewed before expiry, shared by replicas); made in memory at start (`ephemeral`: dev runs and tests);
 * or provided by someone else (cert-manager) as files, re-read periodically.
 */
export type WebhookCertificates =
  | { secret: { namespace: string; name: string }; validityDays?: number; renewBeforeDays?: number }
  | { ephemeral: true }
  | { certFile: string; keyFile: string; caFile: string };

/** Settings of the operator's admission server (`OperatorSettings.admission`). */
export interface AdmissionSettings {
  /** Listen address. Default 0.0.0.0. */
  host?: string;
  /** Listen port. Default 9443; 0: any free port (tests). */
  port?: number;
  endpoint: WebhookEndpoint;
  certificates: WebhookCertificates;
  /** Host names and IPs the serving certificate is for; default derived from the endpoint. */
  hosts?: string[];
  /** Largest request body accepted, in bytes. Default 3 MiB (the API server's own limit). */
  maxBodyBytes?: number;
  /** Write and keep the webhook configurations (and CRD conversion caBundles). Default true. */
  manageConfigurations?: boolean;
  /** Name of the webhook configurations. Default: the operator's name. */
  configurationName?: string;
  /** How often certificates are checked for renewal (and re-read from the Secret or files). Default 60 s. */
  refreshMs?: number;
}
