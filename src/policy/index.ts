/**
 * `ocisign/policy`: Kyverno `verifyImages` semantics. So far: Kyverno's image glob, the normalized
 * image string it matches against, and policy loading with Kyverno's admission checks; the
 * evaluation engine and AdmissionReview handling follow.
 *
 * @packageDocumentation
 */
export type { KyvernoImageInfo, KyvernoImageOptions } from './image-string.js';
export { kyvernoImageInfo, kyvernoImageString } from './image-string.js';
export { loadPolicies } from './load.js';
export type {
  Attestation,
  Attestor,
  AttestorSet,
  FailureAction,
  ImageVerification,
  Policy,
  PolicyRule,
  StaticKeyAttestor,
} from './types.js';
export { matchesAnyImagePattern, matchImagePattern } from './wildcard.js';
