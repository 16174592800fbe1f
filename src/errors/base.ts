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
