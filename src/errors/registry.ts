/**
 * Errors of image references and of talking to registries. Our `code` says what went wrong for the
 * caller; what the registry itself said (its distribution-spec code) is kept apart in
 * `registryCode`, because registries send codes no list of ours can hold.
 */

import { OcisignError } from './base.js';
import type { RegistryErrorCode } from './codes.js';

/** An image reference (`registry/repository:tag@digest`) that does not parse. */
export class InvalidReferenceError extends OcisignError<'INVALID_REFERENCE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REFERENCE', message, options);
  }
}

/**
 * A registry answered with an error or could not be reached. `status` is the HTTP status (0 when no
 * response arrived) and `registryCode` the distribution-spec error code (`MANIFEST_UNKNOWN`,
 * `UNAUTHORIZED`, …) when the registry sent one. Messages never contain credentials.
 *
 * @typeParam Code - the codes this error can carry: any of {@link REGISTRY_ERROR_CODES} but
 * `INVALID_REFERENCE`.
 */
export class RegistryError<
  Code extends Exclude<RegistryErrorCode, 'INVALID_REFERENCE'> = Exclude<
    RegistryErrorCode,
    'INVALID_REFERENCE'
  >,
> extends OcisignError<Code> {
  /** The HTTP status of the answer, 0 when none arrived (refused, reset, timed out). */
  readonly status: number;
  /**
   * The first error code in the registry's JSON error body, as the registry sent it, when it is an
   * upper-case letter and up to 63 more upper-case letters, digits or underscores: the distribution
   * spec's `BLOB_UNKNOWN`, `MANIFEST_UNKNOWN`, `NAME_UNKNOWN`, `UNAUTHORIZED`, `DENIED`,
   * `TOOMANYREQUESTS`, … or one of the registry's own. A free string on purpose: it is the
   * server's word, not one of our codes.
   */
  readonly registryCode: string | undefined;

  constructor(
    code: Code,
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
    this.registryCode = details.registryCode;
  }
}

/** The manifest, blob, tag or repository does not exist (HTTP 404). */
export class NotFoundError extends RegistryError<'NOT_FOUND'> {
  constructor(
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super('NOT_FOUND', message, { status: 404, ...details });
  }
}

/** The registry refused our credentials, or wanted some we do not have (HTTP 401/403). */
export class RegistryAuthError extends RegistryError<'REGISTRY_AUTH'> {
  constructor(
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super('REGISTRY_AUTH', message, details);
  }
}

/** Bytes from the registry did not hash to the digest they were fetched by: never used. */
export class DigestMismatchError extends RegistryError<'DIGEST_MISMATCH'> {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super('DIGEST_MISMATCH', message, details);
  }
}

/** A manifest or other bounded document was larger than the limit we read. */
export class SizeLimitError extends RegistryError<'SIZE_LIMIT'> {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super('SIZE_LIMIT', message, details);
  }
}

/** The registry did not answer within the timeout (or the caller's signal fired). */
export class RegistryTimeoutError extends RegistryError<'REGISTRY_TIMEOUT'> {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super('REGISTRY_TIMEOUT', message, details);
  }
}

/** A document from the registry (manifest, index, token, tag list) is not what the spec says. */
export class RegistryResponseError extends RegistryError<'REGISTRY_RESPONSE'> {
  constructor(
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super('REGISTRY_RESPONSE', message, details);
  }
}
