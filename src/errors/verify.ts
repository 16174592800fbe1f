/** Errors of signing and verification. "Did not verify" is kept apart from "could not check". */

import { OcisignError } from './base.js';

/**
 * Every reason a candidate signature can fail for, in {@link CandidateFailure.reason}.
 * `limit-exceeded` is not a candidate but a note: a limit (e.g. `maxReferrers`) left some
 * candidates unchecked.
 */
export const FAILURE_REASONS = [
  'none-found',
  'wrong-key',
  'digest-mismatch',
  'annotation-mismatch',
  'tlog-missing',
  'tlog-invalid',
  'malformed',
  'limit-exceeded',
  'certificate-invalid',
  'sct-invalid',
  'timestamp-missing',
  'timestamp-invalid',
  'identity-mismatch',
] as const;

/** Why one candidate signature did not count: one of {@link FAILURE_REASONS}. */
export type FailureReason = (typeof FAILURE_REASONS)[number];

/**
 * Why one candidate signature did not count: which one, the reason as a stable code, and a sentence
 * for people.
 */
export interface CandidateFailure {
  /** Which signature: e.g. `.sig layer 2 (sha256:…)` or `bundle sha256:…`. */
  readonly candidate: string;
  /** Why it failed, as a stable code (docs/errors.md says what each means). */
  readonly reason: FailureReason;
  /** The same, as a sentence for people; it may be reworded between releases. */
  readonly message: string;
}

/**
 * No signature (or not enough, with a threshold) verified. `failures` says why each candidate
 * failed; an image with no signatures at all has one `none-found` entry.
 */
export class VerificationError extends OcisignError<'VERIFICATION_FAILED'> {
  readonly digest: string;
  readonly failures: readonly CandidateFailure[];
  constructor(digest: string, failures: readonly CandidateFailure[], message?: string) {
    const summary = failures.map((f) => `  - ${f.candidate}: ${f.message}`).join('\n');
    super('VERIFICATION_FAILED', message ?? `No valid signature for ${digest}:\n${summary}`);
    this.digest = digest;
    this.failures = failures;
  }
}

/** Signing could not complete (e.g. other writers kept replacing the signature tag). */
export class SigningError extends OcisignError<'SIGNING_FAILED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIGNING_FAILED', message, options);
  }
}

/**
 * A certificate could not be read: not an X.509 certificate in DER (or PEM), or one that Go's
 * `x509.ParseCertificate` would refuse (duplicate extensions, a malformed subject alternative name
 * or extended key usage), or a Fulcio extension from 1.3.6.1.4.1.57264.1.8 on that is not a DER
 * UTF8String. `oid` names the extension at fault, when one is.
 */
export class CertificateError extends OcisignError<'CERTIFICATE_INVALID'> {
  /** The OID of the extension that could not be read, when the fault is in one. */
  readonly oid: string | undefined;
  constructor(message: string, options?: { cause?: unknown; oid?: string }) {
    super('CERTIFICATE_INVALID', message, options);
    this.oid = options?.oid;
  }
}
