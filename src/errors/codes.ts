/**
 * Every error code ocisign throws, as one `as const` list per layer (so `code` is a typed union,
 * sigstore-js's `BaseError<Code>`), and {@link OcisignErrorCode}, their union. The lists live here,
 * apart from the classes, so that the error classes import their codes and nothing imports back:
 * no cycle. docs/errors.md documents every code (test/unit/errors/codes.test.ts keeps it exact).
 */

/** The codes every layer may throw: a rejected argument, the caller's abort, and a deadline. */
export const COMMON_ERROR_CODES = ['INVALID_ARGUMENT', 'ABORTED', 'TIMEOUT'] as const;

/** One of {@link COMMON_ERROR_CODES}. */
export type CommonErrorCode = (typeof COMMON_ERROR_CODES)[number];

/** The codes of the keys layer, one per class below. */
export const KEYS_ERROR_CODES = [
  'KEY_FORMAT',
  'KEY_UNSUPPORTED',
  'WRONG_PASSWORD',
  'PASSWORD_REQUIRED',
] as const;

/** One of {@link KEYS_ERROR_CODES}. */
export type KeysErrorCode = (typeof KEYS_ERROR_CODES)[number];

/** The codes of key providers and KMS signers, one per class below. */
export const KMS_ERROR_CODES = [
  'INVALID_KEY_REFERENCE',
  'KMS_ACCESS_DENIED',
  'KMS_KEY_NOT_FOUND',
  'KMS_KEY_UNUSABLE',
  'KMS_UNAVAILABLE',
] as const;

/** One of {@link KMS_ERROR_CODES}. */
export type KmsErrorCode = (typeof KMS_ERROR_CODES)[number];

/** The codes of the payload layer, one per class below. */
export const PAYLOAD_ERROR_CODES = [
  'PAYLOAD_FORMAT',
  'BUNDLE_FORMAT',
  'CLAIM_MISMATCH',
  'LIMIT_EXCEEDED',
] as const;

/** One of {@link PAYLOAD_ERROR_CODES}. */
export type PayloadErrorCode = (typeof PAYLOAD_ERROR_CODES)[number];

/** The codes of Kyverno policy handling, one per class below. */
export const POLICY_ERROR_CODES = [
  'POLICY_INVALID',
  'POLICY_UNSUPPORTED',
  'ADMISSION_REVIEW_INVALID',
] as const;

/** One of {@link POLICY_ERROR_CODES}. */
export type PolicyErrorCode = (typeof POLICY_ERROR_CODES)[number];

/**
 * The codes of the registry layer. `INVALID_REFERENCE` is {@link InvalidReferenceError}'s; every
 * other one is a {@link RegistryError}'s (its subclasses', or a bare `RegistryError`'s for
 * `REGISTRY_UNREACHABLE` and `REGISTRY_HTTP`).
 */
export const REGISTRY_ERROR_CODES = [
  'INVALID_REFERENCE',
  'NOT_FOUND',
  'REGISTRY_AUTH',
  'DIGEST_MISMATCH',
  'SIZE_LIMIT',
  'REGISTRY_TIMEOUT',
  'REGISTRY_RESPONSE',
  'REGISTRY_UNREACHABLE',
  'REGISTRY_HTTP',
] as const;

/** One of {@link REGISTRY_ERROR_CODES}. */
export type RegistryErrorCode = (typeof REGISTRY_ERROR_CODES)[number];

/** The codes of the Sigstore trust layer, one per class below. */
export const SIGSTORE_ERROR_CODES = [
  'TRUSTED_ROOT',
  'TUF_UNAVAILABLE',
  'REKOR_UNAVAILABLE',
  'REKOR_REJECTED',
  'REKOR_RESPONSE',
  'TSA_UNAVAILABLE',
  'TSA_REJECTED',
  'TSA_RESPONSE',
  'FULCIO_UNAVAILABLE',
  'FULCIO_REJECTED',
  'FULCIO_RESPONSE',
  'IDENTITY_TOKEN',
  'SIGNING_CONFIG',
] as const;

/** One of {@link SIGSTORE_ERROR_CODES}. */
export type SigstoreErrorCode = (typeof SIGSTORE_ERROR_CODES)[number];

/** The codes of signing and verification, one per class below. */
export const SIGN_VERIFY_ERROR_CODES = [
  'VERIFICATION_FAILED',
  'SIGNING_FAILED',
  'CERTIFICATE_INVALID',
] as const;

/** One of {@link SIGN_VERIFY_ERROR_CODES}. */
export type SignVerifyErrorCode = (typeof SIGN_VERIFY_ERROR_CODES)[number];

/** Every code an {@link OcisignError} can carry: the union of each layer's list. */
export type OcisignErrorCode =
  | CommonErrorCode
  | KeysErrorCode
  | KmsErrorCode
  | PayloadErrorCode
  | PolicyErrorCode
  | RegistryErrorCode
  | SigstoreErrorCode
  | SignVerifyErrorCode;
