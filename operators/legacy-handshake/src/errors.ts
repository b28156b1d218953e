// Typed errors of the handshake operator; messages never carry key halves, the suffix or the secret.

/** Which step of the handshake failed. */
export type HandshakeStep = 'fetch-key' | 'decode-key' | 'send-secret';

/** Why a step failed, so retry policy and Events can tell a refused connection from a 500. */
export type HandshakeFailure = 'timeout' | 'connection' | 'aborted' | 'redirect' | 'http-status' | 'too-large' | 'bad-key';

export interface HandshakeErrorOptions {
  step: HandshakeStep;
  failure: HandshakeFailure;
  status?: number;
  /** The errno-style code of a connection failure (ECONNREFUSED...). */
  code?: string;
  cause?: unknown;
}

/** A failed handshake: says which step and (when there was one) the HTTP status, nothing secret. */
export class HandshakeError extends Error {
  override readonly name = 'HandshakeError';
  readonly step: HandshakeStep;
  readonly failure: HandshakeFailure;
  readonly status: number | undefined;
  readonly code: string | undefined;
  /** Set by the reconciler: the app just started and is not listening yet (retry soon, quietly). */
  notListeningYet = false;

  constructor(message: string, options: HandshakeErrorOptions) {
    super(message, { cause: options.cause });
    this.step = options.step;
    this.failure = options.failure;
    this.status = options.status;
    this.code = options.code;
  }
}

/** The pod's port annotation is not a usable TCP port. */
export class PortError extends Error {
  override readonly name = 'PortError';
  readonly value: string;

  constructor(message: string, options: { value: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.value = options.value;
  }
}

/** The configured suffix Secret is missing, unreadable or lacks the key (the value is never included). */
export class SuffixError extends Error {
  override readonly name = 'SuffixError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

/** Command-line or environment settings that cannot be used. */
export class SettingsError extends Error {
  override readonly name = 'SettingsError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}

/** The pod must not be handshaken as it is (e.g. hostNetwork); retried only when the pod changes. */
export class RefusedError extends Error {
  override readonly name = 'RefusedError';

  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { cause: options.cause });
  }
}
