// Typed errors of the local control plane: every failure says what broke and keeps its cause.
/** Base of the errors the local cluster raises (provisioning, start-up, faults). */
export class LocalClusterError extends Error {
  /** `LocalClusterError`: names the error in messages and stack traces. */
  override name = 'LocalClusterError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** The binaries are missing and could not be provisioned. */
export class ProvisioningError extends LocalClusterError {
  /** `ProvisioningError`: names the error in messages and stack traces. */
  override name = 'ProvisioningError';
}

/** A control-plane process did not become ready (its log file path is in the message). */
export class StartupError extends LocalClusterError {
  /** `StartupError`: names the error in messages and stack traces. */
  override name = 'StartupError';
}

/** The API server answered a request with an error status. */
export class KubeApiError extends LocalClusterError {
  /** `KubeApiError`: names the error in messages and stack traces. */
  override name = 'KubeApiError';
  constructor(
    message: string,
    /** The HTTP status code. */
    readonly status: number,
    /** The Status reason (`NotFound`, `AlreadyExists`...), when the body carried one. */
    readonly reason: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The operation needs a capability this cluster handle does not have (e.g. minting user tokens on an existing cluster). */
export class UnsupportedError extends LocalClusterError {
  /** `UnsupportedError`: names the error in messages and stack traces. */
  override name = 'UnsupportedError';
}

/** A Kubernetes version outside the supported window was asked for. */
export class UnsupportedVersionError extends LocalClusterError {
  /** `UnsupportedVersionError`: names the error in messages and stack traces. */
  override name = 'UnsupportedVersionError';
}
