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

/**
 * A Rekor transparency log could not be reached, broke off or hung past the deadline's answer, or
 * answered with a server-side HTTP error (5xx, 429: `status`, 0 when no answer arrived). Nothing
 * it sent was trusted; retrying the same upload is safe (Rekor v1 answers 409 for an entry it has).
 */
export class RekorUnavailableError extends OcisignError<'REKOR_UNAVAILABLE'> {
  /** The HTTP status of the answer, 0 when none arrived. */
  readonly status: number;

  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('REKOR_UNAVAILABLE', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
  }
}

/**
 * Rekor refused the proposed entry (a 4xx answer other than v1's 409 duplicate: a signature that
 * does not verify, a kind or algorithm it does not accept, or a v2 duplicate it cannot return).
 * `status` is the HTTP status; the message carries Rekor's own words.
 */
export class RekorRejectedError extends OcisignError<'REKOR_REJECTED'> {
  /** The HTTP status Rekor answered with. */
  readonly status: number;

  constructor(message: string, details: { status: number; cause?: unknown }) {
    super('REKOR_REJECTED', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
  }
}

/**
 * Rekor's answer may not be used: it is not the JSON its API defines (garbage, a wrong shape, more
 * bytes than the bound), its evidence does not verify against the trusted log key (SET, inclusion
 * proof, checkpoint), or the entry it logged is not the one proposed.
 */
export class RekorResponseError extends OcisignError<'REKOR_RESPONSE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('REKOR_RESPONSE', message, options);
  }
}

/**
 * An RFC 3161 timestamp authority could not be reached, broke off its answer, or answered with a
 * server-side HTTP error (5xx, 429: `status`, 0 when no answer arrived). Nothing it sent was
 * trusted; asking again is safe (a timestamp request changes nothing on the server).
 */
export class TsaUnavailableError extends OcisignError<'TSA_UNAVAILABLE'> {
  /** The HTTP status of the answer, 0 when none arrived. */
  readonly status: number;

  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('TSA_UNAVAILABLE', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
  }
}

/**
 * The timestamp authority refused the request: a 4xx answer (`status`), or a `TimeStampResp`
 * whose PKIStatus is neither granted nor grantedWithMods (`status` 200, the RFC 3161 status and
 * failure info in the message).
 */
export class TsaRejectedError extends OcisignError<'TSA_REJECTED'> {
  /** The HTTP status the TSA answered with. */
  readonly status: number;

  constructor(message: string, details: { status: number; cause?: unknown }) {
    super('TSA_REJECTED', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
  }
}

/**
 * The timestamp authority's answer may not be used: it is not a DER `TimeStampResp` (garbage, more
 * bytes than the bound), its nonce or message imprint is not the request's, or it does not verify
 * against the trusted root's timestamp authorities (chain, validity at its time, signature).
 */
export class TsaResponseError extends OcisignError<'TSA_RESPONSE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TSA_RESPONSE', message, options);
  }
}

/**
 * A Fulcio certificate authority could not be reached, broke off its answer, hung past the
 * deadline, or answered with a server-side HTTP error (5xx, 429, 408: `status`, 0 when no answer
 * arrived). No certificate was issued to us; asking again is safe (a new request gets a new
 * certificate, and nothing was signed with the one that did not arrive).
 */
export class FulcioUnavailableError extends OcisignError<'FULCIO_UNAVAILABLE'> {
  /** The HTTP status of the answer, 0 when none arrived. */
  readonly status: number;

  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('FULCIO_UNAVAILABLE', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
  }
}

/**
 * Fulcio refused to issue a certificate (a 4xx answer: `status`). Fulcio answers every mistake of
 * the client's with 400, the identity token's included — expired, for another audience, from an
 * issuer it does not accept, or lacking a claim the certificate needs. The message carries
 * Fulcio's own words and never the token.
 */
export class FulcioRejectedError extends OcisignError<'FULCIO_REJECTED'> {
  /** The HTTP status Fulcio answered with. */
  readonly status: number;

  constructor(message: string, details: { status: number; cause?: unknown }) {
    super('FULCIO_REJECTED', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status;
  }
}

/**
 * Fulcio's answer may not be used: it is not the JSON its API defines (garbage, a wrong shape,
 * more bytes than the bound, certificates that do not parse), its leaf certifies another key than
 * ours, or — with a trusted root — the chain does not lead to one of its Fulcio CAs or the
 * embedded SCT does not verify against its CT logs.
 */
export class FulcioResponseError extends OcisignError<'FULCIO_RESPONSE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('FULCIO_RESPONSE', message, options);
  }
}

/**
 * No OIDC identity token could be had, or the one had cannot be used: none in `SIGSTORE_ID_TOKEN`
 * and no GitHub Actions token endpoint (`ACTIONS_ID_TOKEN_REQUEST_URL` / `_TOKEN`), the endpoint
 * could not be reached or refused (`status`, 0 when no answer arrived), its answer held no token,
 * or the token is not a JWT whose claims name a subject. Messages never contain a token.
 */
export class IdentityTokenError extends OcisignError<'IDENTITY_TOKEN'> {
  /** The HTTP status of the token endpoint's answer, 0 when none arrived or none was asked. */
  readonly status: number;

  constructor(message: string, details: { status?: number; cause?: unknown } = {}) {
    super('IDENTITY_TOKEN', message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
  }
}

/**
 * A Sigstore signing config (`signing_config.json`, v0.2) is not one, or names no service a client
 * can use: the JSON breaks protojson's rules or the schema (a member named in the message), its
 * media type is not v0.2, a selector is undefined or an `EXACT` count impossible, or no listed
 * service of a kind asked for has a supported API version and is valid now.
 */
export class SigningConfigError extends OcisignError<'SIGNING_CONFIG'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('SIGNING_CONFIG', message, options);
  }
}
