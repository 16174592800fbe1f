/**
 * `ocisign/policy`: Kyverno `verifyImages` policies without Kyverno — load ClusterPolicy/Policy
 * YAML with Kyverno's defaults and admission checks, match images with Kyverno's glob on its
 * normalized image string, and evaluate objects with `PolicyEngine` to the decision Kyverno's
 * admission webhooks reach (statuses, messages, digest patches, `kyverno.io/verify-images`).
 *
 * @packageDocumentation
 */

export type {
  AdmissionListenerOptions,
  AdmissionResponse,
  AdmissionReviewOptions,
  AdmissionReviewResponse,
} from './admission.js';
export { admissionRequestListener, handleAdmissionReview } from './admission.js';
export { evaluateConditions } from './cluster-policy/conditions.js';
export type { RequestContext } from './cluster-policy/resource-match.js';
export type {
  AnyAllConditions,
  Attestation,
  Condition,
  FailureActionOverride,
  ImageVerification,
  LabelSelector,
  LoadedPolicies,
  MatchResources,
  MatchSubject,
  Policy,
  PolicyLoadWarning,
  PolicyRule,
  ResourceDescription,
  ResourceFilter,
  UnsupportedFeature,
} from './cluster-policy/types.js';
export {
  VERIFY_IMAGES_ANNOTATION,
  VERIFY_IMAGES_SCOPED_ANNOTATION,
} from './cluster-policy/verify-metadata.js';
export type {
  AttestationCheck,
  SignatureCheck,
  VerificationBackend,
  VerifiedSignatures,
  VerifiedStatements,
} from './common/backend.js';
export { isConnectionError } from './common/backend.js';
export type { JsonPatchOperation, Phase, PolicyDecision, RuleResult, RuleStatus } from './common/decision.js';
export type { FixtureBackendOptions, ImageEvidence } from './common/fixture-backend.js';
export { fixtureBackend } from './common/fixture-backend.js';
export type { KeylessSignatureEvidence } from './common/fixture-keyless.js';
export { PUBLIC_GOOD } from './common/fixture-keyless.js';
export type { KyvernoImageInfo, KyvernoImageOptions } from './common/image-string.js';
export { kyvernoImageInfo, kyvernoImageString } from './common/image-string.js';
export type { KeylessConstraints, KyvernoCertificate } from './common/keyless-match.js';
export { kyvernoCertificate, signaturesMismatch } from './common/keyless-match.js';
export type { RegistryBackendOptions } from './common/registry-backend.js';
export { registryBackend } from './common/registry-backend.js';
export type { ResourceImage } from './common/resource-images.js';
export { resourceImages } from './common/resource-images.js';
export type {
  Attestor,
  AttestorSet,
  CertificateAttestor,
  CtlogSettings,
  FailureAction,
  ImageExtractor,
  ImageRegistryCredentials,
  KeylessAttestor,
  RekorSettings,
  StaticKeyAttestor,
} from './common/types.js';
export type { CachedOutcome, VerificationCacheOptions } from './common/verification-cache.js';
export { VerificationCache } from './common/verification-cache.js';
export { matchesAnyImagePattern, matchImagePattern } from './common/wildcard.js';
export type { EvaluateOptions, PolicyEngineOptions } from './engine.js';
export { PolicyEngine } from './engine.js';
export { loadPolicies } from './load.js';
