/**
 * `ocisign/errors`: every error class ocisign throws on purpose. All extend {@link OcisignError} and
 * carry a stable `code`, typed as a union: each layer's codes come from a `const` list exported
 * here (`KEYS_ERROR_CODES`, …), and {@link OcisignErrorCode} joins them. docs/errors.md says when
 * each code is thrown and what to do about it.
 *
 * @packageDocumentation
 */
export {
  AbortedError,
  InvalidArgumentError,
  OcisignError,
  OperationTimeoutError,
} from './base.js';
export type {
  CommonErrorCode,
  KeysErrorCode,
  KmsErrorCode,
  OcisignErrorCode,
  PayloadErrorCode,
  PolicyErrorCode,
  RegistryErrorCode,
  SignVerifyErrorCode,
  SigstoreErrorCode,
} from './codes.js';
export {
  COMMON_ERROR_CODES,
  KEYS_ERROR_CODES,
  KMS_ERROR_CODES,
  PAYLOAD_ERROR_CODES,
  POLICY_ERROR_CODES,
  REGISTRY_ERROR_CODES,
  SIGN_VERIFY_ERROR_CODES,
  SIGSTORE_ERROR_CODES,
} from './codes.js';
export {
  KeyFormatError,
  PasswordRequiredError,
  UnsupportedKeyError,
  WrongPasswordError,
} from './keys.js';
export {
  InvalidKeyReferenceError,
  KmsAccessDeniedError,
  KmsKeyNotFoundError,
  KmsKeyUnusableError,
  KmsUnavailableError,
} from './kms.js';
export type { MismatchedClaim } from './payload.js';
export {
  BundleFormatError,
  ClaimMismatchError,
  LimitExceededError,
  PayloadFormatError,
} from './payload.js';
export {
  AdmissionReviewError,
  PolicyUnsupportedError,
  PolicyValidationError,
} from './policy.js';
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
export {
  FulcioRejectedError,
  FulcioResponseError,
  FulcioUnavailableError,
  IdentityTokenError,
  RekorRejectedError,
  RekorResponseError,
  RekorUnavailableError,
  SigningConfigError,
  TrustedRootError,
  TsaRejectedError,
  TsaResponseError,
  TsaUnavailableError,
  TufUnavailableError,
} from './sigstore.js';
export type { CandidateFailure, FailureReason } from './verify.js';
export {
  CertificateError,
  FAILURE_REASONS,
  SigningError,
  VerificationError,
} from './verify.js';
