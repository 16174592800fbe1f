/**
 * `ocisign/errors`: every error class ocisign throws on purpose. All extend {@link OcisignError} and
 * carry a stable `code`.
 *
 * @packageDocumentation
 */
export { AbortedError, InvalidArgumentError, OcisignError, OperationTimeoutError } from './base.js';
export { KeyFormatError, PasswordRequiredError, UnsupportedKeyError, WrongPasswordError } from './keys.js';
export {
  InvalidKeyReferenceError,
  KmsAccessDeniedError,
  KmsKeyNotFoundError,
  KmsKeyUnusableError,
  KmsUnavailableError,
} from './kms.js';
export { BundleFormatError, ClaimMismatchError, LimitExceededError, PayloadFormatError } from './payload.js';
export { AdmissionReviewError, PolicyUnsupportedError, PolicyValidationError } from './policy.js';
export {
  DigestMismatchError,
  InvalidReferenceError,
  NotFoundError,
  RegistryAuthError,
  RegistryError,
  RegistryResponseError,
  RegistryTimeoutError,
  SizeLimitError,
} from './registry.js';
export type { CandidateFailure, FailureReason } from './verify.js';
export { SigningError, VerificationError } from './verify.js';
