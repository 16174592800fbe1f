/**
 * How the Rekor doubles refuse: {@link InvalidEntry} when a proposed entry fails Rekor's checks (its
 * message is Go's error text, which each API wraps its own way), and {@link RekorRefusal} for a
 * finished HTTP answer. Both are caught inside the doubles and become responses; neither reaches a
 * caller of ocisign.
 */

/** A proposed entry Rekor would not log; `message` reads like the Go error Rekor builds. */
export class InvalidEntry extends Error {
  override readonly name = 'InvalidEntry';
}

/**
 * An HTTP refusal: `status`, and the `code` the JSON body carries (Rekor v1: go-openapi's code,
 * often the status, 6xx for parameter validation; Rekor v2: the gRPC status code).
 */
export class RekorRefusal extends Error {
  override readonly name = 'RekorRefusal';

  constructor(
    readonly status: number,
    message: string,
    readonly code: number = status,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

/** Rekor v1's answer to an entry it cannot process: 400 `error processing entry: <why>` (`pkg/api/error.go`). */
export function processingError(why: string): RekorRefusal {
  return new RekorRefusal(400, `error processing entry: ${why}`);
}
