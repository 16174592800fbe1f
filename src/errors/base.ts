/**
 * The one base class of every error ocisign throws on purpose, and the codes any layer may use.
 *
 * `code` is stable across releases: match on it (or on the subclass) rather than on the message,
 * which is written for people and may be reworded. Codes are a closed union (as in sigstore-js's
 * `BaseError<Code>`): each layer's file lists its own, and the compiler refuses a code that no list
 * holds. This module does not map codes to exit statuses or HTTP answers; the CLI and the admission
 * webhook decide that at their edge.
 */
import type { OcisignErrorCode } from './codes.js';

/**
 * The base of every ocisign error. `Code` narrows {@link OcisignError.code} to the codes the
 * subclass throws; a bare `OcisignError` carries any {@link OcisignErrorCode}.
 *
 * @typeParam Code - the codes this error can carry.
 */
export class OcisignError<Code extends OcisignErrorCode = OcisignErrorCode> extends Error {
  /** A stable, machine-readable code such as `KEY_FORMAT` or `WRONG_PASSWORD` (docs/errors.md lists all). */
  readonly code: Code;

  constructor(code: Code, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * The ordinary `instanceof` test, unchanged at run time. It is declared only for its type: without
   * it, `error instanceof OcisignError` (or `RegistryError`) narrows to `OcisignError<any>` and
   * `error.code` loses its union; with it, the class's default `Code` applies.
   */
  static override [Symbol.hasInstance]<T>(
    this: abstract new (
      ...args: never[]
    ) => T,
    value: unknown,
  ): value is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass on the right of `instanceof`.
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/** An argument or option passed to an ocisign function is not one it accepts. */
export class InvalidArgumentError extends OcisignError<'INVALID_ARGUMENT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/**
 * The caller's `AbortSignal` fired (for a reason other than a timeout). `cause` is `signal.reason`.
 * Nothing was half-done on our side that the caller must clean up: a write either completed before
 * the abort or was not reported as done.
 */
export class AbortedError extends OcisignError<'ABORTED'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/**
 * A deadline passed: the caller's `AbortSignal.timeout(…)` fired, or a whole-operation deadline of
 * ours did. `cause` is the signal's reason (a `DOMException` named `TimeoutError`) when there is one.
 */
export class OperationTimeoutError extends OcisignError<'TIMEOUT'> {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}
