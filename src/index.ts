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
export type { SignatureFormat } from './payload/signature-format.js';
export { RegistryClient } from './registry/index.js';
export type {
  AttestImageOptions,
  AttestResult,
  LoggedEntrySummary,
  SignedArtifact,
  SignImageOptions,
  SignResult,
  SigstoreEvidenceOptions,
  TimestampOptions,
  TlogUploadOptions,
} from './sign/index.js';
export { attestImage, signImage } from './sign/index.js';
export type {
  BundleEvidence,
  CandidateOutcome,
  CertificateIdentity,
  Evidence,
  ImageEvidence,
  Judgement,
  LayerEvidence,
  RekorKey,
  RekorKeys,
  SignatureReader,
  UnreadableEvidence,
  ValidityWindow,
  VerifiedAttestation,
  VerifiedBlob,
  VerifiedSignature,
  VerifyAttestationsOptions,
  VerifyBlobOptions,
  VerifyImageOptions,
  VerifyResult,
} from './verify/index.js';
export {
  DEFAULT_MAX_REFERRERS,
  discoverAttestations,
  discoverSignatures,
  judgeAttestations,
  judgeSignatures,
  rekorKeysFromPublicKeys,
  rekorKeysFromTrustedRoot,
  verifyAttestationEvidence,
  verifyBlob,
  verifyImage,
  verifyImageAttestations,
  verifySignatureEvidence,
} from './verify/index.js';
