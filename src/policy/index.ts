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
export type {
  AttestationCheck,
  SignatureCheck,
  VerificationBackend,
  VerifiedSignatures,
  VerifiedStatements,
} from './backend.js';
export { isConnectionError } from './backend.js';
export { evaluateConditions } from './conditions.js';
export type { JsonPatchOperation, Phase, PolicyDecision, RuleResult, RuleStatus } from './decision.js';
export type { EvaluateOptions, PolicyEngineOptions } from './engine.js';
export { PolicyEngine } from './engine.js';
export type { FixtureBackendOptions, ImageEvidence } from './fixture-backend.js';
export { fixtureBackend } from './fixture-backend.js';
export type { KyvernoImageInfo, KyvernoImageOptions } from './image-string.js';
export { kyvernoImageInfo, kyvernoImageString } from './image-string.js';
export { loadPolicies } from './load.js';
export type { RegistryBackendOptions } from './registry-backend.js';
export { registryBackend } from './registry-backend.js';
export type { ResourceImage } from './resource-images.js';
export { resourceImages } from './resource-images.js';
export type { RequestContext } from './resource-match.js';
export type {
  AnyAllConditions,
  Attestation,
  Attestor,
  AttestorSet,
  Condition,
  FailureAction,
  FailureActionOverride,
  ImageExtractor,
  ImageRegistryCredentials,
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
  StaticKeyAttestor,
  UnsupportedFeature,
} from './types.js';
export type { CachedOutcome, VerificationCacheOptions } from './verification-cache.js';
export { VerificationCache } from './verification-cache.js';
export { VERIFY_IMAGES_ANNOTATION, VERIFY_IMAGES_SCOPED_ANNOTATION } from './verify-metadata.js';
export { matchesAnyImagePattern, matchImagePattern } from './wildcard.js';
