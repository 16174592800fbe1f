/**
 * The vocabulary of verification: what a caller trusts and requires (keys, Rekor keys, claims), how
 * signatures are looked for, and what verified. Types only, so discovery, the judge and the two
 * verifications (`verify-image.ts`, `verify-attestations.ts`) can all name them without importing
 * one another.
 */
import type { CandidateFailure } from '../errors/verify.js';
import type { DigestAlgorithm } from '../keys/algorithms.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { Statement } from '../payload/intoto.js';
import type { SignatureFormat } from '../payload/signature-format.js';
import type { PayloadLimits } from '../payload/signature-image.js';
import type { RegistryClient } from '../registry/client.js';
import type { CertificateIdentity } from './keyless/identity.js';
import type { CertificateSummary } from './keyless/identity-match.js';

/** What a signature must verify with: trusted keys, and the transparency-log evidence required. */
export interface TrustOptions {
  /**
   * Trusted keys: `PublicKey`s or PEM strings. A signature counts when one of them verifies it.
   * Optional when `identities` are given (keyless); both may be given.
   */
  readonly keys?: ReadonlyArray<PublicKey | string>;
  /**
   * Keyless: who may have signed with a Fulcio certificate (any one entry suffices). Regexps are Go
   * RE2 and **unanchored**, as in cosign: write `^…$`. The certificate must chain to a CA of
   * `trustedRoot` (default: the public-good root shipped with ocisign) at the signing time.
   */
  readonly identities?: readonly CertificateIdentity[];
  /**
   * **DANGER — accepts a keyless signature from ANY identity.** With `true`, a certificate counts
   * when it chains to a CA of `trustedRoot` and its evidence (SCT, Rekor entry or timestamp, the
   * signature) holds, whoever it was issued to: on the public-good instance that is anyone with an
   * email address or a CI account. Never the default, never implied by leaving `identities` out
   * (that is still refused), and refused together with `identities`.
   *
   * It exists for callers that match identities themselves after the chain verified, as Kyverno
   * does (`ocisign/policy` applies its `subject`/`issuer` wildcards to the certificate each
   * `VerifiedSignature` carries). If you do not then check `certificate` yourself, do not set it.
   * The signatures it accepts report `identityIndex: 0`.
   */
  readonly anyIdentity?: boolean;
  /** Keyless: `--insecure-ignore-sct`, no embedded SCT required. */
  readonly ignoreSct?: boolean;
  /** Keyless: `--use-signed-timestamps`, the signing time comes from RFC 3161 timestamps. */
  readonly useSignedTimestamps?: boolean;
  /**
   * The hash the signatures were made over (cosign's `--signature-digest-algorithm`, Kyverno's
   * `signatureAlgorithm`). Default: the key's own (SHA-256 for P-256, RSA; SHA-384/512 for
   * P-384/P-521, which also accept SHA-256 as cosign ≤ 2.5 signed).
   */
  readonly digestAlgorithm?: DigestAlgorithm;
  /** Skip transparency-log evidence, as cosign's `--insecure-ignore-tlog` and Kyverno's `ignoreTlog`. */
  readonly ignoreTlog?: boolean;
  /** A Sigstore `trusted_root.json` (object or text) whose Rekor keys check tlog evidence. */
  readonly trustedRoot?: unknown;
  /**
   * Rekor public keys trusted for tlog evidence besides (or instead of) the trusted root's: a
   * private Rekor's key, Kyverno's `rekor.pubkey`, cosign's `SIGSTORE_REKOR_PUBLIC_KEY`.
   */
  readonly rekorPublicKeys?: ReadonlyArray<PublicKey | string>;
}

/** What the signed payload must say, besides naming the image digest. */
export interface ClaimOptions {
  /** Annotations the signature must carry (cosign's `-a`), compared with value and JSON type. */
  readonly annotations?: Readonly<Record<string, unknown>>;
  /**
   * Skip payload claim checks (cosign's `--check-claims=false`): only signatures are verified.
   * Refused together with `annotations` (cosign would silently skip them; we say so instead).
   */
  readonly checkClaims?: boolean;
}

/** Options of the offline judge {@link judgeSignatures} / {@link verifySignatureEvidence}. */
export interface JudgeSignaturesOptions extends TrustOptions, ClaimOptions {
  /** How many distinct trusted keys must have signed. Default 1. */
  readonly threshold?: number;
  /** Called with warnings a person should see (e.g. the referrers list was cut). */
  readonly onWarning?: (message: string) => void;
}

/** How signatures are looked for in a registry. */
export interface DiscoveryOptions {
  readonly registry?: RegistryClient;
  /** Alternate signature repository (cosign's `COSIGN_REPOSITORY`). */
  readonly repository?: string;
  /** Which formats to look for. Default both, bundles first (cosign 3). */
  readonly formats?: readonly SignatureFormat[];
  readonly limits?: PayloadLimits;
  /**
   * At most this many Sigstore bundle referrers are checked, newest first (by their
   * `org.opencontainers.image.created` annotation). Default 50, as Kyverno. When the limit cuts the
   * list, `VerifyResult.omittedReferrers` (or a `limit-exceeded` failure) says so.
   */
  readonly maxReferrers?: number;
  readonly signal?: AbortSignal;
  /** Called with warnings a person should see (e.g. a tag resolved to a digest), as cosign prints them. */
  readonly onWarning?: (message: string) => void;
}

/**
 * Options of {@link verifyImage}: trusted keys, wanted annotations, transparency-log evidence,
 * formats, threshold and platform.
 */
export interface VerifyImageOptions extends JudgeSignaturesOptions, DiscoveryOptions {
  /** For an index: verify the manifest for this platform instead of the index itself. */
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
}

/**
 * One signature that verified: its format, which trusted key verified it, the signed payload and
 * where it was found.
 */
export interface VerifiedSignature {
  readonly format: SignatureFormat;
  /** Index in `keys` of the key that verified it; -1 when it was signed keyless. */
  readonly keyIndex: number;
  /** Keyless: index in `identities` of the identity that matched the certificate. */
  readonly identityIndex?: number;
  /** Keyless: the signing certificate's names and Fulcio extensions. */
  readonly certificate?: CertificateSummary;
  /** The signed bytes: the simple-signing payload or the in-toto statement. */
  readonly payload: Uint8Array;
  /** Annotations the signer signed (payload `optional`, or statement subject annotations). */
  readonly annotations: Readonly<Record<string, unknown>> | null;
  /** The `.sig` layer or bundle manifest digest this came from. */
  readonly source: string;
}

/** The outcome of {@link verifyImage}: the verified digest and every signature that passed. */
export interface VerifyResult {
  readonly digest: string;
  readonly signatures: readonly VerifiedSignature[];
  /** Bundle referrers left unchecked because of `maxReferrers` (0 when the limit cut nothing). */
  readonly omittedReferrers: number;
}

/** Options of the offline judge {@link judgeAttestations} / {@link verifyAttestationEvidence}. */
export interface JudgeAttestationsOptions extends TrustOptions {
  /** Only attestations of this predicate type (URI or cosign `--type` name). Default: all. */
  readonly predicateType?: string;
  /** Called with warnings a person should see (e.g. the referrers list was cut). */
  readonly onWarning?: (message: string) => void;
}

/**
 * Options of {@link verifyImageAttestations}: those of {@link verifyImage} that apply, plus the
 * predicate type to keep.
 */
export interface VerifyAttestationsOptions extends JudgeAttestationsOptions, DiscoveryOptions {}

/**
 * One attestation that verified: its storage format, which trusted key verified it, and the decoded
 * in-toto statement.
 */
export interface VerifiedAttestation {
  readonly format: SignatureFormat;
  /** Index in `keys` of the key that verified it; -1 when it was signed keyless. */
  readonly keyIndex: number;
  /** Keyless: index in `identities` of the identity that matched the certificate. */
  readonly identityIndex?: number;
  /** Keyless: the signing certificate's names and Fulcio extensions. */
  readonly certificate?: CertificateSummary;
  /**
   * The image digest the statement was verified against (one of its subjects). A statement may
   * name several subjects; this is the one that is this image, so pin this one, never `subject[0]`.
   */
  readonly digest: string;
  readonly predicateType: string;
  readonly statement: Statement;
  /** The statement bytes as signed. */
  readonly payload: Uint8Array;
}

/** Why one check of a candidate failed: its reason and message (a `CandidateFailure` without the candidate's name). */
export type CheckFailure = Omit<CandidateFailure, 'candidate'>;
