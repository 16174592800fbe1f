/**
 * `ocisign/errors`: every error class ocisign throws on purpose. All extend {@link OcisignError} and
 * carry a stable `code`, typed as a union: each layer's codes come from a `const` list exported
 * here (`KEYS_ERROR_CODES`, …), and {@link OcisignErrorCode} joins them. docs/errors.md says when
 * each code is thrown and what to do about it.
 *
 * @packageDocumentation
 */
export type { CommonErrorCode } from './base.js';
export {
  AbortedError,
  COMMON_ERROR_CODES,
  InvalidArgumentError,
  OcisignError,
  OperationTimeoutError,
} from './base.js';
export type { OcisignErrorCode } from './codes.js';
export type { KeysErrorCode } from './keys.js';
export {
  KEYS_ERROR_CODES,
  KeyFormatError,
  PasswordRequiredError,
  UnsupportedKeyError,
  WrongPasswordError,
} from './keys.js';
export type { KmsErrorCode } from './kms.js';
export {
  InvalidKeyReferenceError,
  KMS_ERROR_CODES,
  KmsAccessDeniedError,
  KmsKeyNotFoundError,
  KmsKeyUnusableError,
  KmsUnavailableError,
} from './kms.js';
export type { MismatchedClaim, PayloadErrorCode } from './payload.js';
export {
  BundleFormatError,
  ClaimMismatchError,
  LimitExceededError,
  PAYLOAD_ERROR_CODES,
  PayloadFormatError,
} from './payload.js';
export type { PolicyErrorCode } from './policy.js';
export {
  AdmissionReviewError,
  POLICY_ERROR_CODES,
  PolicyUnsupportedError,
  PolicyValidationError,
} from './policy.js';
export type { RegistryErrorCode } from './registry.js';
export {
  DigestMismatchError,
  InvalidReferenceError,
  NotFoundError,
  REGISTRY_ERROR_CODES,
  RegistryAuthError,
  RegistryError,
  RegistryResponseError,
  RegistryTimeoutError,
  SizeLimitError,
} from './registry.js';
export type { SigstoreErrorCode } from './sigstore.js';
export { SIGSTORE_ERROR_CODES, TrustedRootError, TufUnavailableError } from './sigstore.js';
export type { CandidateFailure, FailureReason, SignVerifyErrorCode } from './verify.js';
export {
  CertificateError,
  FAILURE_REASONS,
  SIGN_VERIFY_ERROR_CODES,
  SigningError,
  VerificationError,
} from './verify.js';
