// The error for unreadable or invalid CLI input (files, YAML, manifests): exit code 1.
import { AgeSecretError } from '../errors.js';

export class InputError extends AgeSecretError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, { reason: 'InvalidInput', ...options });
  }
}
