// @capstan/agesecret: the AgeSecret resource, its crypto (typage) and the operator, for embedding and tests.
export { API_VERSION, GROUP, KIND, PLURAL, VERSION, ageSecretCrd, crdYaml } from './resource.js';
export type { AgeSecret, AgeSecretSpec, AgeSecretStatus, Condition } from './resource.js';
export { decryptValue, encryptValue } from './crypto/age.js';
export type { DecryptedValue, DecryptValueOptions, EncryptValueOptions } from './crypto/age.js';
export { bindPlaintext, checkBinding, formatScope, unbindPlaintext } from './crypto/binding.js';
export type { BindingScope, ObjectLocation } from './crypto/binding.js';
export { classifyValue, formatCiphertext, parseCiphertext } from './crypto/ciphertext.js';
export type { CiphertextFormat, ValueKind } from './crypto/ciphertext.js';
export { generateKeyPair, loadIdentities, parseIdentityFile, parseRecipients } from './crypto/identities.js';
export type { IdentitySet, LoadIdentitiesOptions } from './crypto/identities.js';
export {
  AgeSecretError,
  BindingMismatchError,
  InvalidIdentityError,
  InvalidRecipientError,
  MalformedCiphertextError,
  NoMatchingKeyError,
  NotEncryptedError,
} from './errors.js';
export { createAgeSecretOperator, OPERATOR_NAME, RETIRED_FINALIZER } from './operator.js';
export type { AgeSecretOperator, AgeSecretOperatorOptions } from './operator.js';
export { runCli } from './cli/run.js';
