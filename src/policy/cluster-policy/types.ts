/**
 * Kyverno `ClusterPolicy` / `Policy` (kyverno.io/v1) as far as `verifyImages` needs it, with the CRD
 * defaults applied (the API server would apply them; Go zero values are false). Unknown fields are
 * kept in `raw` for callers who need them. The attestors, registry credentials, image extractors and
 * failure action it refers to are the kind-independent vocabulary of `../common/types.ts`.
 */

import type {
  AttestorSet,
  FailureAction,
  ImageExtractor,
  ImageRegistryCredentials,
} from '../common/types.js';

/**
 * A `verifyImages[].attestations[]` entry: the predicate type, who must have signed it, and the
 * conditions every statement must meet.
 */
export interface Attestation {
  readonly name?: string;
  /** The predicate type (the deprecated `predicateType` is folded in here). */
  readonly type: string;
  readonly attestors: readonly AttestorSet[];
  readonly conditions: readonly AnyAllConditions[];
}

/**
 * A `verifyImages[]` entry with the CRD defaults applied and the deprecated shorthand converted.
 */
export interface ImageVerification {
  readonly type: 'Cosign' | 'SigstoreBundle' | 'Notary';
  readonly failureAction?: FailureAction;
  readonly imageReferences: readonly string[];
  readonly skipImageReferences: readonly string[];
  readonly attestors: readonly AttestorSet[];
  readonly attestations: readonly Attestation[];
  readonly repository?: string;
  readonly mutateDigest: boolean;
  readonly verifyDigest: boolean;
  readonly required: boolean;
  readonly useCache: boolean;
  /** Registry credentials for this entry (Kyverno reads the secrets from the cluster). */
  readonly imageRegistryCredentials?: ImageRegistryCredentials;
  readonly roots?: string;
}

/** A Kubernetes label selector (`matchLabels` keys and values may hold Kyverno wildcards). */
export interface LabelSelector {
  readonly matchLabels?: Readonly<Record<string, string>>;
  readonly matchExpressions?: ReadonlyArray<{
    readonly key: string;
    readonly operator: string;
    readonly values?: readonly string[];
  }>;
}

/** `match.any[].resources`: what the object must look like (AND across fields, OR inside lists). */
export interface ResourceDescription {
  readonly kinds?: readonly string[];
  /** Deprecated single name. */
  readonly name?: string;
  readonly names?: readonly string[];
  readonly namespaces?: readonly string[];
  readonly annotations?: Readonly<Record<string, string>>;
  readonly selector?: LabelSelector;
  readonly namespaceSelector?: LabelSelector;
  readonly operations?: ReadonlyArray<'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT'>;
}

/** An RBAC subject of `match` / `exclude`: `User`, `Group` or `ServiceAccount`. */
export interface MatchSubject {
  readonly kind: string;
  readonly name: string;
  readonly namespace?: string;
  readonly apiGroup?: string;
}

/** One filter of `match.any` / `match.all` (or of `exclude`). */
export interface ResourceFilter {
  readonly resources?: ResourceDescription;
  readonly subjects?: readonly MatchSubject[];
  readonly roles?: readonly string[];
  readonly clusterRoles?: readonly string[];
}

/** A `match` or `exclude` block: `any`, `all`, or the legacy single filter inline. */
export interface MatchResources extends ResourceFilter {
  readonly any?: readonly ResourceFilter[];
  readonly all?: readonly ResourceFilter[];
}

/** One Kyverno condition (`key`, `operator`, `value`), with `{{ … }}` JMESPath variables. */
export interface Condition {
  readonly key?: unknown;
  readonly operator: string;
  readonly value?: unknown;
  readonly message?: string;
}

/** `{any, all}` conditions: every `all` one and, when there are any, one `any` one must hold. */
export interface AnyAllConditions {
  readonly any?: readonly Condition[];
  readonly all?: readonly Condition[];
}

/** A rule feature ocisign does not evaluate. Such a rule is never decided without it. */
export interface UnsupportedFeature {
  /** Where it is, e.g. `spec.rules[0].context`. */
  readonly path: string;
  /**
   * `context` (preconditions may read it, so they are not evaluated either), `validate`
   * (`verifyImages[].validate`), `roles` (`roles` / `clusterRoles`, which an AdmissionReview does
   * not carry), or `jmesPath` (an image extractor of kind `kind`: its images cannot be known).
   */
  readonly feature: 'context' | 'validate' | 'roles' | 'jmesPath';
  /** For `jmesPath`: the resource kind whose extractor uses it. */
  readonly kind?: string;
}

/**
 * A policy rule with `verifyImages`: its match/exclude blocks, entries, image extractors and
 * preconditions.
 */
export interface PolicyRule {
  readonly name: string;
  readonly match: MatchResources;
  readonly exclude?: MatchResources;
  readonly verifyImages: readonly ImageVerification[];
  readonly imageExtractors?: Readonly<Record<string, readonly ImageExtractor[]>>;
  /** `{any, all}`, or the older list of conditions (all must hold). */
  readonly preconditions?: AnyAllConditions | readonly Condition[];
  /**
   * Kyverno features this rule uses that ocisign does not evaluate (`context`, `verifyImages[].validate`,
   * `jmesPath` image extractors, `roles`/`clusterRoles`). Such a rule is never silently decided: for
   * what it selects it yields a rule `error`.
   */
  readonly unsupported: readonly UnsupportedFeature[];
}

/** A `validationFailureActionOverrides` entry: the action for namespaces and/or a namespace selector. */
export interface FailureActionOverride {
  readonly action: FailureAction;
  readonly namespaces?: readonly string[];
  readonly namespaceSelector?: LabelSelector;
}

/**
 * A loaded Kyverno `ClusterPolicy` or `Policy`: its settings with defaults applied, its rules, and
 * the warnings Kyverno would return.
 */
export interface Policy {
  readonly kind: 'ClusterPolicy' | 'Policy';
  readonly name: string;
  readonly namespace?: string;
  readonly annotations: Readonly<Record<string, string>>;
  readonly validationFailureAction: FailureAction;
  /** `spec.validationFailureActionOverrides` (ClusterPolicy only). */
  readonly validationFailureActionOverrides: readonly FailureActionOverride[];
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly timeoutSeconds: number;
  readonly background: boolean;
  /** `spec.admission` (default true): false means the policy runs in background scans only, never at admission. */
  readonly admission: boolean;
  readonly emitWarning: boolean;
  readonly rules: readonly PolicyRule[];
  /**
   * Warnings about this policy: the deprecations Kyverno's admission would return, and the parts
   * ocisign does not evaluate.
   */
  readonly warnings: readonly string[];
  /** The document as parsed. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** Something `loadPolicies` skipped or will not evaluate, naming the document it is about. */
export interface PolicyLoadWarning {
  /** The document's position in the stream, 1 for the first (as in error messages). */
  readonly document: number;
  readonly apiVersion: string;
  readonly kind: string;
  /** `metadata.name`, or `(unnamed)`. */
  readonly name: string;
  /** The whole warning, starting `document N (<kind> <name>): …`. */
  readonly message: string;
}

/**
 * What `loadPolicies` returns: the policies, and every warning about the stream they came from
 * (documents skipped, features not evaluated, Kyverno's deprecation warnings).
 */
export interface LoadedPolicies extends Array<Policy> {
  readonly warnings: readonly PolicyLoadWarning[];
}
