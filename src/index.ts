/**
 * `ocisign`: sign and verify container images in cosign's formats — `signImage` and `verifyImage`
 * over the keys, payload, registry and KMS layers — plus the names most callers need from them.
 *
 * @packageDocumentation
 */
export type { CandidateFailure, FailureReason } from './errors/index.js';
export {
  InvalidArgumentError,
  KeyFormatError,
  OcisignError,
  PasswordRequiredError,
  SigningError,
  UnsupportedKeyError,
  VerificationError,
  WrongPasswordError,
} from './errors/index.js';
export type { KeyAlgorithm, PrivateKey, PublicKey, Signer } from './keys/index.js';
export {
  createSigner,
  encryptCosignPrivateKey,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  verifySignature,
} from './keys/index.js';
export { resolveSigner } from './kms/index.js';
export { RegistryClient } from './registry/index.js';
export type {
  AttestImageOptions,
  AttestResult,
  RekorKey,
  RekorKeys,
  SignatureFormat,
  SignedArtifact,
  SignImageOptions,
  SignResult,
  ValidityWindow,
  VerifiedAttestation,
  VerifiedSignature,
  VerifyAttestationsOptions,
  VerifyImageOptions,
  VerifyResult,
} from './sign/index.js';
export {
  attestImage,
  DEFAULT_MAX_REFERRERS,
  rekorKeysFromPublicKeys,
  rekorKeysFromTrustedRoot,
  signImage,
  verifyImage,
  verifyImageAttestations,
} from './sign/index.js';
