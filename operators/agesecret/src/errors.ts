// Typed errors of the AgeSecret operator and CLI; messages never carry plaintext or key material.

/** Base of every AgeSecret error; `reason` is the CamelCase word used in conditions and Events. */
export class AgeSecretError extends Error {
  readonly reason: string;
  constructor(message: string, options: { reason: string; cause?: unknown }) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.reason = options.reason;
  }
}

/** The value is not an age ciphertext: plaintext must never become a Secret value. */
export class NotEncryptedError extends AgeSecretError {
  constructor(
    message = 'value is not age-encrypted (expected ENC[...], base64 of an age file, or ASCII-armored age)',
    options: { cause?: unknown } = {},
  ) {
    super(message, { reason: 'NotEncrypted', ...options });
  }
}

/** The value claims to be a ciphertext (ENC[...], armor, age header) but cannot be parsed or fails authentication. */
export class MalformedCiphertextError extends AgeSecretError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { reason: 'MalformedCiphertext', ...options });
  }
}

/** None of the available identities can open the ciphertext. */
export class NoMatchingKeyError extends AgeSecretError {
  constructor(
    message = 'none of the identities can decrypt this value (encrypted for other recipients)',
    options: { cause?: unknown } = {},
  ) {
    super(message, { reason: 'NoMatchingKey', ...options });
  }
}

/** A bound ciphertext was found in a namespace/name other than the one it is bound to. */
export class BindingMismatchError extends AgeSecretError {
  readonly boundTo: string;
  readonly foundAt: string;
  constructor(options: { boundTo: string; foundAt: string }) {
    super(`ciphertext is bound to ${options.boundTo} but used by ${options.foundAt}`, { reason: 'BindingMismatch' });
    this.boundTo = options.boundTo;
    this.foundAt = options.foundAt;
  }
}

/** An identity (AGE-SECRET-KEY-1...) or identity file could not be parsed; line numbers only, never the key. */
export class InvalidIdentityError extends AgeSecretError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { reason: 'InvalidIdentity', ...options });
  }
}

/** A recipient (age1...) could not be parsed. Recipients are public, so the message may name them. */
export class InvalidRecipientError extends AgeSecretError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { reason: 'InvalidRecipient', ...options });
  }
}
