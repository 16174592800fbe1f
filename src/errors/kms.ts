/** Errors of key providers and KMS signers. Each says which key and what to do. */

import { OcisignError } from './base.js';

/** A key reference (`awskms://…`, a path, `env://VAR`, …) that does not parse or has no provider. */
export class InvalidKeyReferenceError extends OcisignError<'INVALID_KEY_REFERENCE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_KEY_REFERENCE', message, options);
  }
}

/** The KMS refused an action: names the IAM action (e.g. `kms:Sign`) and the key. */
export class KmsAccessDeniedError extends OcisignError<'KMS_ACCESS_DENIED'> {
  readonly action: string;
  readonly keyId: string;
  constructor(action: string, keyId: string, message: string, options?: { cause?: unknown }) {
    super('KMS_ACCESS_DENIED', message, options);
    this.action = action;
    this.keyId = keyId;
  }
}

/** The key or alias does not exist (in this account and region). */
export class KmsKeyNotFoundError extends OcisignError<'KMS_KEY_NOT_FOUND'> {
  readonly keyId: string;
  constructor(keyId: string, message: string, options?: { cause?: unknown }) {
    super('KMS_KEY_NOT_FOUND', message, options);
    this.keyId = keyId;
  }
}

/** The key exists but cannot sign: disabled, pending deletion, not SIGN_VERIFY, or a spec cosign cannot use. */
export class KmsKeyUnusableError extends OcisignError<'KMS_KEY_UNUSABLE'> {
  readonly keyId: string;
  constructor(keyId: string, message: string, options?: { cause?: unknown }) {
    super('KMS_KEY_UNUSABLE', message, options);
    this.keyId = keyId;
  }
}

/** The KMS could not be reached, kept throttling after retries, or its SDK is not installed. */
export class KmsUnavailableError extends OcisignError<'KMS_UNAVAILABLE'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KMS_UNAVAILABLE', message, options);
  }
}
