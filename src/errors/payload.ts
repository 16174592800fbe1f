/** Errors of the payload layer: documents that do not parse, claims that do not hold, limits. */

import { OcisignError } from './base.js';

/** Which claim of a signed payload did not match: the image digest, an annotation, or a strict-mode claim. */
export type MismatchedClaim = 'digest' | 'annotation' | 'type' | 'docker-reference';

/** A payload, envelope, statement, manifest or bundle is not the document it claims to be. */
export class PayloadFormatError extends OcisignError<'PAYLOAD_FORMAT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PAYLOAD_FORMAT', message, options);
  }
}

/** A Sigstore bundle is malformed or breaks the rules of its version. */
export class BundleFormatError extends OcisignError<'BUNDLE_FORMAT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BUNDLE_FORMAT', message, options);
  }
}

/**
 * A signed payload's claims do not match what was asked: the image digest, an annotation, or (in
 * strict mode) the type or docker-reference. The signature may be valid; the claim is not.
 */
export class ClaimMismatchError extends OcisignError<'CLAIM_MISMATCH'> {
  /** Which claim failed, when the thrower said: the image digest, an annotation, or a strict-mode claim. */
  readonly claim: MismatchedClaim | undefined;
  constructor(message: string, options?: { cause?: unknown; claim?: MismatchedClaim }) {
    super('CLAIM_MISMATCH', message, options);
    this.claim = options?.claim;
  }
}

/** More bytes or layers than the configured limit (cosign: 128 MiB payloads, 1000 layers). */
export class LimitExceededError extends OcisignError<'LIMIT_EXCEEDED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('LIMIT_EXCEEDED', message, options);
  }
}
