/**
 * The one base class of every error ocisign throws on purpose.
 *
 * `code` is stable across releases: match on it (or on the subclass) rather than on the message,
 * which is written for people and may be reworded.
 */
export class OcisignError extends Error {
  /** A stable, machine-readable code such as `KEY_FORMAT` or `WRONG_PASSWORD`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.name = new.target.name;
  }
}

/** An argument or option passed to an ocisign function is not one it accepts. */
export class InvalidArgumentError extends OcisignError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('INVALID_ARGUMENT', message, options);
  }
}

/**
 * The caller's `AbortSignal` fired (for a reason other than a timeout). `cause` is `signal.reason`.
 * Nothing was half-done on our side that the caller must clean up: a write either completed before
 * the abort or was not reported as done.
 */
export class AbortedError extends OcisignError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ABORTED', message, options);
  }
}

/**
 * A deadline passed: the caller's `AbortSignal.timeout(…)` fired, or a whole-operation deadline of
 * ours did. `cause` is the signal's reason (a `DOMException` named `TimeoutError`) when there is one.
 */
export class OperationTimeoutError extends OcisignError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('TIMEOUT', message, options);
  }
}
