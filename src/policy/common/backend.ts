/**
 * Where the policy engine gets its evidence. The engine decides what to check and how results
 * combine (Kyverno's semantics); a `VerificationBackend` answers one question at a time: does this
 * image carry a signature (or attestations) that verify with this attestor? `registryBackend` is
 * the real one; tests and dry runs can supply their own.
 */
import { OcisignError } from '../../errors/base.js';
import { RegistryError } from '../../errors/registry.js';
import type { Attestor, ImageRegistryCredentials } from './types.js';

/** One attestor entry (multi-PEM `publicKeys` already split) to check an image against. */
export interface SignatureCheck {
  /** The image as Kyverno names it (normalized): `ghcr.io/acme/app:1.0` or `…@sha256:…`. */
  readonly image: string;
  readonly attestor: Attestor;
  /** Where signatures are stored instead of the image's own repository (`repository`). */
  readonly repository?: string;
  /** The `verifyImages` entry type: classic cosign signatures, Sigstore bundles as referrers, or Notary. */
  readonly type: 'Cosign' | 'SigstoreBundle' | 'Notary';
  /** The entry's `imageRegistryCredentials`, when set. */
  readonly credentials?: ImageRegistryCredentials;
  /** Root certificates from the deprecated top-level `roots`, when set. */
  readonly roots?: string;
  readonly signal: AbortSignal;
}

/** Attestations of one predicate type, checked with one attestor entry. */
export interface AttestationCheck extends SignatureCheck {
  readonly predicateType: string;
}

/** What a backend returns when an image's signatures verify: the digest they cover. */
export interface VerifiedSignatures {
  /** The manifest digest the signatures cover. */
  readonly digest: string;
}

/** What a backend returns for attestations: the digest and the statements that verified. */
export interface VerifiedStatements {
  readonly digest: string;
  /** The in-toto statements that verified, as JSON objects (`predicateType`, `predicate`, …). */
  readonly statements: ReadonlyArray<Readonly<Record<string, unknown>>>;
}

/**
 * Answers verification questions for the policy engine. Methods throw when verification fails;
 * a connection-level failure (see {@link isConnectionError}) becomes Kyverno's `error` status,
 * anything else a `fail`.
 */
export interface VerificationBackend {
  /** Verifies the image's signatures with one attestor entry; throws when none verifies. */
  verifySignatures(check: SignatureCheck): Promise<VerifiedSignatures>;
  /** Fetches the attestations of one predicate type that verify with the attestor; throws when none does. */
  fetchAttestations(check: AttestationCheck): Promise<VerifiedStatements>;
  /** The digest a tag points at, for `mutateDigest` (with the image's credentials, when it has any). */
  resolveDigest(image: string, signal: AbortSignal, credentials?: ImageRegistryCredentials): Promise<string>;
}

/** Codes of errors that mean "no answer arrived": the transport's, and the typed abort and timeout. */
const NO_RESPONSE = new Set(['REGISTRY_UNREACHABLE', 'REGISTRY_TIMEOUT', 'ABORTED', 'TIMEOUT']);

/**
 * Whether an error is a connection-level failure (no HTTP response: refused, reset, DNS, timeout,
 * an aborted or timed-out request), which Kyverno reports as a rule `error` (its `*net.OpError`
 * test) rather than a policy `fail`. HTTP errors (401, 404, 429, 5xx) are failures, as in Kyverno.
 */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    // The transport marks exactly these: no response arrived. A response that was refused,
    // malformed, too large or hashed wrong is a failure, as in Kyverno.
    if (e instanceof OcisignError && NO_RESPONSE.has(e.code)) return true;
    if (e instanceof RegistryError) return false;
    // A bare DOMException from code that does not use the typed errors yet.
    if (e instanceof Error && (e.name === 'AbortError' || e.name === 'TimeoutError')) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}
