/**
 * The vocabulary every policy kind hands to the shared machinery: attestors and registry
 * credentials (what a `VerificationBackend` verifies an image against), image extractors (where
 * `resourceImages` looks), and the failure action (what a decision does with a failure). They are
 * spelled as Kyverno's ClusterPolicy spells them, the first kind ocisign reads; another kind converts
 * its own spelling to these. What only a ClusterPolicy has (rules, match/exclude, conditions,
 * `verifyImages` entries) is in `../cluster-policy/types.ts`, never here.
 */

/** What a rule's failures do: `Enforce` denies the resource, `Audit` admits it and reports them. */
export type FailureAction = 'Audit' | 'Enforce';

/** An attestor's `rekor` block: the Rekor instance, its key, and whether tlog evidence is required. */
export interface RekorSettings {
  /** Kyverno's online lookup URL; ocisign verifies offline, from the signature's Rekor bundle. */
  readonly url?: string;
  /** The Rekor public key (PEM) to trust instead of the trusted root's. */
  readonly pubkey?: string;
  readonly ignoreTlog?: boolean;
}

/** An attestor's `ctlog` block: the CT log key, whether SCTs are required, and a TSA chain. */
export interface CtlogSettings {
  readonly ignoreSCT?: boolean;
  /** The CT log public key (PEM) to trust instead of the trusted root's. */
  readonly pubkey?: string;
  /** A timestamp authority's chain (PEM): signing times come from its RFC 3161 timestamps. */
  readonly tsaCertChain?: string;
}

/**
 * A `keys` attestor: PEM public keys, a KMS reference or a Kubernetes secret, with Rekor and CT log
 * settings.
 */
export interface StaticKeyAttestor {
  readonly publicKeys?: string;
  readonly kms?: string;
  readonly secret?: { readonly name: string; readonly namespace: string };
  readonly signatureAlgorithm?: string;
  readonly rekor?: RekorSettings;
  readonly ctlog?: CtlogSettings;
}

/**
 * A `keyless` attestor: who must have signed (Kyverno's wildcards for `subject` and `issuer`,
 * unanchored RE2 regexps, Fulcio extensions), the root certificates (PEM; unset: the trusted root's
 * Fulcio CAs), and Rekor and CT log settings.
 */
export interface KeylessAttestor {
  readonly subject?: string;
  readonly subjectRegExp?: string;
  readonly issuer?: string;
  readonly issuerRegExp?: string;
  readonly roots?: string;
  /** Extension name (`githubWorkflowRef`, …) or OID (`1.3.6.1.4.1.57264.1.6`) → wildcard value. */
  readonly additionalExtensions?: Readonly<Record<string, string>>;
  readonly rekor?: RekorSettings;
  readonly ctlog?: CtlogSettings;
}

/**
 * A `certificates` attestor: the signing certificate (`cert`, used as its bare public key) and/or
 * root certificates (`certChain`), PEM or base64 of PEM, with Rekor and CT log settings.
 */
export interface CertificateAttestor {
  readonly cert?: string;
  readonly certChain?: string;
  readonly rekor?: RekorSettings;
  readonly ctlog?: CtlogSettings;
}

/**
 * One attestor entry: static `keys`, `certificates`, `keyless`, or a nested `attestor` set, with
 * optional annotations and repository.
 */
export interface Attestor {
  readonly keys?: StaticKeyAttestor;
  readonly certificates?: CertificateAttestor;
  readonly keyless?: KeylessAttestor;
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

/** `imageRegistryCredentials`: how Kyverno authenticates to registries for one `verifyImages` entry. */
export interface ImageRegistryCredentials {
  readonly allowInsecureRegistry?: boolean;
  /** `default`, `amazon`, `azure`, `google`, `github`. */
  readonly providers?: readonly string[];
  /** Pull-secret names (`name` in Kyverno's namespace, or `namespace/name`). */
  readonly secrets?: readonly string[];
}

/** An `imageExtractors` entry: where a custom resource keeps its images. */
export interface ImageExtractor {
  /** Slash-separated path to the object holding the image; `*` expands list items and map values. */
  readonly path: string;
  /** The member holding the image. Unset: the last segment of `path` (as Kyverno). */
  readonly value?: string;
  readonly name?: string;
  readonly key?: string;
  /** Not evaluated by ocisign: a rule using it reports an `error` for the objects it matches. */
  readonly jmesPath?: string;
}
