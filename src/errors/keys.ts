/** Errors of the keys layer: bytes that are not a key, keys we will not use, and passwords. */

import { OcisignError } from './base.js';

/**
 * The input is not a well-formed key in any format we read: bad PEM, bad DER, a PEM type that does
 * not hold a key of the kind asked for, or a cosign encrypted-key document that does not parse.
 */
export class KeyFormatError extends OcisignError<'KEY_FORMAT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_FORMAT', message, options);
  }
}

/**
 * The key parsed, but it is of a kind cosign refuses (P-224, secp256k1, RSA outside 2048/3072/4096,
 * an exponent other than 65537, encrypted PKCS#8, OpenSSH keys) or an operation this runtime cannot do.
 */
export class UnsupportedKeyError extends OcisignError<'KEY_UNSUPPORTED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('KEY_UNSUPPORTED', message, options);
  }
}

/** A cosign encrypted private key did not decrypt with the password given. */
export class WrongPasswordError extends OcisignError<'WRONG_PASSWORD'> {
  constructor(
    message = 'The password does not decrypt this cosign private key. Check COSIGN_PASSWORD or the password you passed.',
    options?: { cause?: unknown },
  ) {
    super('WRONG_PASSWORD', message, options);
  }
}

/** An encrypted private key was given without a password. */
export class PasswordRequiredError extends OcisignError<'PASSWORD_REQUIRED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PASSWORD_REQUIRED', message, options);
  }
}
