/**
 * Errors of the Sigstore trust layer (`ocisign/sigstore`): getting a trusted root from TUF or from
 * the package, and turning it into trust material. "The trust material is wrong or refused" is
 * kept apart from "the TUF repository could not be reached", because callers act differently on
 * each (stop trusting vs. retry later). A trusted root the caller passes in that does not parse is
 * an `InvalidArgumentError`, as for every other argument.
 */

import { OcisignError } from './base.js';

/**
 * A trusted root could not be obtained or is not one we may use: the TUF metadata that delivers it
 * did not verify (signatures, expiry, versions, hashes, lengths, an answer larger than the bound),
 * the repository has no `trusted_root.json` target or a malformed one, the TUF cache could not be
 * written, or the Sigstore verifier refused the root's contents.
 */
export class TrustedRootError extends OcisignError<'TRUSTED_ROOT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TRUSTED_ROOT', message, options);
  }
}

/**
 * A TUF repository could not be reached, broke off an answer, or answered with an HTTP error
 * status (`status`, 0 when no answer arrived). Nothing it sent was trusted.
 */
export class TufUnavailableError extends OcisignError<'TUF_UNAVAILABLE'> {
  /** The HTTP status of the answer, 0 when none arrived (refused, reset, DNS failure). */
  readonly status: number;

  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('TUF_UNAVAILABLE', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
  }
}
