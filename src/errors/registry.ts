/** Errors of image references and of talking to registries. */
import { OcisignError } from './base.js';

/** An image reference (`registry/repository:tag@digest`) that does not parse. */
export class InvalidReferenceError extends OcisignError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_REFERENCE', message, options);
  }
}

/**
 * A registry answered with an error or could not be reached. `status` is the HTTP status (0 when no
 * response arrived) and `registryCode` the distribution-spec error code (`MANIFEST_UNKNOWN`,
 * `UNAUTHORIZED`, …) when the registry sent one. Messages never contain credentials.
 */
export class RegistryError extends OcisignError {
  readonly status: number;
  readonly registryCode: string | undefined;

  constructor(
    code: string,
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super(code, message, details.cause === undefined ? undefined : { cause: details.cause });
    this.status = details.status ?? 0;
    this.registryCode = details.registryCode;
  }
}

/** The manifest, blob, tag or repository does not exist (HTTP 404). */
export class NotFoundError extends RegistryError {
  constructor(
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super('NOT_FOUND', message, { status: 404, ...details });
  }
}

/** The registry refused our credentials, or wanted some we do not have (HTTP 401/403). */
export class RegistryAuthError extends RegistryError {
  constructor(
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super('REGISTRY_AUTH', message, details);
  }
}

/** Bytes from the registry did not hash to the digest they were fetched by: never used. */
export class DigestMismatchError extends RegistryError {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super('DIGEST_MISMATCH', message, details);
  }
}

/** A manifest or other bounded document was larger than the limit we read. */
export class SizeLimitError extends RegistryError {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super('SIZE_LIMIT', message, details);
  }
}

/** The registry did not answer within the timeout (or the caller's signal fired). */
export class RegistryTimeoutError extends RegistryError {
  constructor(message: string, details: { cause?: unknown } = {}) {
    super('REGISTRY_TIMEOUT', message, details);
  }
}

/** A document from the registry (manifest, index, token, tag list) is not what the spec says. */
export class RegistryResponseError extends RegistryError {
  constructor(
    message: string,
    details: { status?: number; registryCode?: string | undefined; cause?: unknown } = {},
  ) {
    super('REGISTRY_RESPONSE', message, details);
  }
}
