/**
 * Kyverno `ClusterPolicy` / `Policy` (kyverno.io/v1) as far as `verifyImages` needs it, with the CRD
 * defaults applied (the API server would apply them; Go zero values are false). Unknown fields are
 * kept in `raw` for callers who need them.
 */

export type FailureAction = 'Audit' | 'Enforce';

/**
 * A `keys` attestor: PEM public keys, a KMS reference or a Kubernetes secret, with Rekor and CT log
 * settings.
 */
export interface StaticKeyAttestor {
  readonly publicKeys?: string;
  readonly kms?: string;
  readonly secret?: { readonly name: string; readonly namespace: string };
  readonly signatureAlgorithm?: string;
  readonly rekor?: { readonly url?: string; readonly pubkey?: string; readonly ignoreTlog?: boolean };
  readonly ctlog?: { readonly ignoreSCT?: boolean; readonly pubkey?: string };
}

/**
 * One attestor entry: static `keys`, `certificates`, `keyless`, or a nested `attestor` set, with
 * optional annotations and repository.
 */
export interface Attestor {
  readonly keys?: StaticKeyAttestor;
  readonly certificates?: Readonly<Record<string, unknown>>;
  readonly keyless?: Readonly<Record<string, unknown>> & {
    readonly rekor?: { readonly url?: string };
    readonly roots?: string;
  };
  readonly attestor?: AttestorSet;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly repository?: string;
  readonly signatureAlgorithm?: string;
}

/** An attestor set: `count` of its `entries` must verify (all when unset). */
export interface AttestorSet {
  readonly count?: number;
  readonly entries: readonly Attestor[];
}

/**
 * A `verifyImages[].attestations[]` entry: the predicate type, who must have signed it, and the
 * conditions every statement must meet.
 */
export interface Attestation {
  readonly name?: string;
  /** The predicate type (the deprecated `predicateType` is folded in here). */
  readonly type: string;
  readonly attestors: readonly AttestorSet[];
  readonly conditions: readonly unknown[];
}

/** `imageRegistryCredentials`: how Kyverno authenticates to registries for one `verifyImages` entry. */
export interface ImageRegistryCredentials {
  readonly allowInsecureRegistry?: boolean;
  /** `default`, `amazon`, `azure`, `google`, `github`. */
  readonly providers?: readonly string[];
  /** Pull-secret names (`name` in Kyverno's namespace, or `namespace/name`). */
  readonly secrets?: readonly string[];
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

/**
 * A policy rule with `verifyImages`: its match/exclude blocks, entries, image extractors and
 * preconditions.
 */
export interface PolicyRule {
  readonly name: string;
  readonly match: unknown;
  readonly exclude?: unknown;
  readonly verifyImages: readonly ImageVerification[];
  readonly imageExtractors?: Readonly<Record<string, ReadonlyArray<Readonly<Record<string, unknown>>>>>;
  readonly preconditions?: unknown;
  /**
   * Kyverno features this rule uses that ocisign does not evaluate (`context`, `verifyImages[].validate`,
   * `jmesPath` image extractors). Such a rule is never silently skipped: it yields a rule `error`.
   */
  readonly unsupported: readonly string[];
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
  readonly failurePolicy: 'Fail' | 'Ignore';
  readonly timeoutSeconds: number;
  readonly background: boolean;
  /** `spec.admission` (default true): false means the policy runs in background scans only, never at admission. */
  readonly admission: boolean;
  readonly emitWarning: boolean;
  readonly rules: readonly PolicyRule[];
  /** Deprecation warnings Kyverno's admission would return for this policy. */
  readonly warnings: readonly string[];
  /** The document as parsed. */
  readonly raw: Readonly<Record<string, unknown>>;
}
