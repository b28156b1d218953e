// Turns kubeconfig and Kubernetes API failures into the CLI's precise messages and exit codes (pure, table-tested).
import { ApiError, ConfigurationError, ConnectionError, ForbiddenError, NotFoundError, TimeoutError, UnauthorizedError } from 'capstan';
import { AgeSecretError } from '../errors.js';
import { EXIT_CREDENTIALS, EXIT_FAILURE, EXIT_FORBIDDEN, EXIT_UNREACHABLE } from './usage.js';

/** A failure to read from the cluster: the message says what to do about it, `exitCode` which kind it was. */
export class ClusterAccessError extends AgeSecretError {
  readonly exitCode: number;
  constructor(message: string, options: { reason: string; exitCode: number; cause?: unknown }) {
    super(message, { reason: options.reason, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.exitCode = options.exitCode;
  }
}

/** What the command asked the API server for: the forbidden message names exactly this permission. */
export interface Access {
  verb: 'get' | 'list';
  /** The resource as RBAC and kubectl name it: `configmaps`, `agesecrets.pyvo.io`. */
  resource: string;
  /** The one object a `get` reads (RBAC resourceNames can be limited to it). */
  name?: string;
  namespace: string;
  /** The API server's URL, for messages (never carries credentials). */
  server?: string;
}

/** The permission, written as the kubectl command an administrator would run to grant it. */
export function grantHint(access: Access): string {
  const only = access.name ? ` --resource-name=${access.name}` : '';
  return `kubectl create role <name> -n ${access.namespace} --verb=${access.verb} --resource=${access.resource}${only} (and a rolebinding)`;
}

/**
 * The CLI's error for a failure of `access`, or undefined when it is none of the cluster failures it knows (a bug
 * or a server error: the caller rethrows). API messages are kept: capstan's errors carry only a Status's
 * message (names and verbs), never object content.
 */
export function explainClusterError(error: unknown, access: Access): ClusterAccessError | undefined {
  const what = `${access.verb} ${access.resource}${access.name ? ` ${access.name}` : ''} in namespace ${access.namespace}`;
  const at = access.server ? ` at ${access.server}` : '';
  if (error instanceof ConfigurationError) {
    return new ClusterAccessError(`cannot use the kubeconfig: ${error.message}`, {
      reason: 'KubeconfigError',
      exitCode: EXIT_CREDENTIALS,
      cause: error,
    });
  }
  if (error instanceof ForbiddenError) {
    return new ClusterAccessError(
      `forbidden: you may not ${what} (${error.message}). This needs only that permission; ask an administrator: ${grantHint(access)}`,
      { reason: 'Forbidden', exitCode: EXIT_FORBIDDEN, cause: error },
    );
  }
  if (error instanceof UnauthorizedError) {
    return new ClusterAccessError(
      `the API server${at} rejected the kubeconfig's credentials (401 Unauthorized): log in again or pick another --context`,
      { reason: 'Unauthorized', exitCode: EXIT_CREDENTIALS, cause: error },
    );
  }
  if (error instanceof ConnectionError || error instanceof TimeoutError) {
    return new ClusterAccessError(`cannot reach the API server${at}: ${error.message}`, {
      reason: 'Unreachable',
      exitCode: EXIT_UNREACHABLE,
      cause: error,
    });
  }
  if (error instanceof NotFoundError && error.verb === 'discover') {
    return new ClusterAccessError(
      `the API server${at} does not serve ${access.resource}: is the AgeSecret operator (its CRD) installed in this cluster?`,
      { reason: 'NotServed', exitCode: EXIT_FAILURE, cause: error },
    );
  }
  if (error instanceof ApiError) {
    return new ClusterAccessError(`cannot ${what}: the API server answered ${error.status || 'nothing'}: ${error.message}`, {
      reason: 'ApiError',
      exitCode: EXIT_FAILURE,
      cause: error,
    });
  }
  return undefined;
}
