/** Sign and verify images in cosign's formats (exported from the package root, `ocisign`). */

export type {
  AttestImageOptions,
  AttestResult,
  VerifiedAttestation,
  VerifyAttestationsOptions,
} from './attest.js';
export { attestImage, verifyImageAttestations } from './attest.js';
export type { AppendResult } from './classic-append.js';
export { DEFAULT_MAX_REFERRERS } from './referrers.js';
export type { SignatureFormat, SignedArtifact, SignImageOptions, SignResult } from './sign-image.js';
export { signImage } from './sign-image.js';
export type { RekorKey, RekorKeys, ValidityWindow } from './trusted-root.js';
export { rekorKeysFromPublicKeys, rekorKeysFromTrustedRoot } from './trusted-root.js';
export { verifyImage } from './verify-image.js';
export type { VerifiedSignature, VerifyImageOptions, VerifyResult } from './verify-types.js';
