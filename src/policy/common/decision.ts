/**
 * What evaluating a resource against Kyverno `verifyImages` policies decides: admission, the JSON
 * patches of the mutating phase, warnings, and per-rule / per-image results in Kyverno's wording.
 */
import type { FailureAction } from './types.js';

/** Kyverno's rule statuses as `verifyImages` produces them. */
export type RuleStatus = 'pass' | 'fail' | 'skip' | 'error';

/**
 * Kyverno's two webhooks, folded into one decision: `verify` is the mutating phase (signatures,
 * attestations, digest pinning), `validate` the validating phase (`verifyDigest`, `required`).
 */
export type Phase = 'verify' | 'validate';

/** One RFC 6902 operation of the mutating response. */
export interface JsonPatchOperation {
  readonly op: 'add' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

/** One rule response, as Kyverno records it (one per image in the verify phase). */
export interface RuleResult {
  readonly policy: string;
  /** The rule name as Kyverno reports it (`autogen-…` for pod controllers). */
  readonly rule: string;
  readonly phase: Phase;
  readonly status: RuleStatus;
  readonly message: string;
  /** The action this rule's failures take (entry, rule, then policy level, as Kyverno resolves it). */
  readonly action: FailureAction;
  /** The image as written in the resource, for image results. */
  readonly image?: string;
  /** The normalized image Kyverno matched (`docker.io/nginx:1.25`), for image results. */
  readonly normalized?: string;
  /** JSON pointer of the image field, for image results. */
  readonly pointer?: string;
  /** The digest the image was verified or pinned at, when known. */
  readonly digest?: string;
}

/** The outcome of evaluating one resource. */
export interface PolicyDecision {
  readonly allowed: boolean;
  /** Kyverno's denial message ("resource Pod/ns/name was blocked due to the following policies …"). */
  readonly message?: string;
  /** Mutating-phase patches: annotation operations first, then image digests. Empty when denied. */
  readonly patches: readonly JsonPatchOperation[];
  readonly warnings: readonly string[];
  readonly results: readonly RuleResult[];
}
