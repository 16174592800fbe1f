/**
 * `ocisign/verify`: cosign-compatible verification with static keys, in two halves — discovery
 * (I/O: `discoverSignatures`, `discoverAttestations`, over a narrow registry reader) and a pure,
 * synchronous judge (`judgeSignatures`, `judgeAttestations`, `verifySignatureEvidence`,
 * `verifyAttestationEvidence`) that callers can run offline on evidence they fetched themselves.
 * `verifyImage` and `verifyImageAttestations` are resolve → discover → judge → threshold; they are
 * also exported from the package root.
 *
 * @packageDocumentation
 */

export type { RekorKey, RekorKeys, ValidityWindow } from '../sigstore/tlog/rekor-keys.js';
export { rekorKeysFromPublicKeys, rekorKeysFromTrustedRoot } from '../sigstore/tlog/rekor-keys.js';
export type { DiscoverOptions, SignatureReader } from './discover.js';
export { discoverAttestations, discoverSignatures } from './discover.js';
export type {
  BundleEvidence,
  CandidateOutcome,
  Evidence,
  ImageEvidence,
  LayerEvidence,
  ReferrerCount,
  UnreadableEvidence,
} from './evidence.js';
export type { Judgement } from './judge.js';
export {
  judgeAttestations,
  judgeSignatures,
  verifyAttestationEvidence,
  verifySignatureEvidence,
} from './judge.js';
export type { FulcioExtensionName } from './keyless/fulcio-extensions.js';
export { FULCIO_EXTENSION_NAMES, FULCIO_EXTENSIONS } from './keyless/fulcio-extensions.js';
export type { CertificateIdentity, GithubWorkflowIdentity } from './keyless/identity.js';
export type { CertificateSummary } from './keyless/identity-match.js';
export type { SubjectAltName, SubjectAltNameType } from './keyless/subject-alt-names.js';
export { DEFAULT_MAX_REFERRERS } from './referrers.js';
export { verifyImageAttestations } from './verify-attestations.js';
export type { VerifiedBlob, VerifyBlobOptions } from './verify-blob.js';
export { verifyBlob } from './verify-blob.js';
export { verifyImage } from './verify-image.js';
export type {
  ClaimOptions,
  DiscoveryOptions,
  JudgeAttestationsOptions,
  JudgeSignaturesOptions,
  TrustOptions,
  VerifiedAttestation,
  VerifiedSignature,
  VerifyAttestationsOptions,
  VerifyImageOptions,
  VerifyResult,
} from './verify-types.js';
