/**
 * How long one request may live: until the caller's signal fires, the client closes, or its
 * deadline passes — merged into the one `AbortSignal` undici gets. The signal's reason is always a
 * typed error (undici rejects the request, or destroys the body, with exactly that reason), so
 * nothing above the transport ever sees a bare `DOMException`:
 *
 * - the caller's signal → {@link abortError}: `OperationTimeoutError` for `AbortSignal.timeout`,
 *   `AbortedError` otherwise, with `signal.reason` as the cause;
 * - `RegistryClient.close()` → `AbortedError`;
 * - a deadline of ours → `RegistryTimeoutError`.
 *
 * It does not retry or time individual phases (undici's header and body timeouts do that).
 */
import { AbortedError } from '../../errors/base.js';
import { RegistryTimeoutError } from '../../errors/registry.js';
import { abortError } from '../../internal/abort.js';

/** One request's lifetime. Call {@link RequestLifetime.end} when its body is done with. */
export class RequestLifetime {
  readonly #controller = new AbortController();
  readonly #what: string;
  readonly #caller: AbortSignal | undefined;
  readonly #deadlineMs: number | undefined;
  readonly #onCallerAbort = () => this.abort(abortError(this.#caller as AbortSignal, this.#what));
  readonly #onEnd: () => void;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;

  constructor(
    what: string,
    options: { signal?: AbortSignal | undefined; deadlineMs?: number | undefined; onEnd: () => void },
  ) {
    this.#what = what;
    this.#caller = options.signal;
    this.#deadlineMs = options.deadlineMs;
    this.#onEnd = options.onEnd;
    if (this.#caller?.aborted) this.#onCallerAbort();
    else this.#caller?.addEventListener('abort', this.#onCallerAbort, { once: true });
  }

  /** The signal to hand undici. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The typed error the request was aborted with, if it was. */
  get reason(): unknown {
    return this.#controller.signal.aborted ? this.#controller.signal.reason : undefined;
  }

  /** (Re)starts the deadline: each attempt of a request gets all of it. */
  startAttempt(): void {
    if (this.#deadlineMs === undefined || this.#ended) return;
    clearTimeout(this.#timer);
    const ms = this.#deadlineMs;
    this.#timer = setTimeout(
      () => this.abort(new RegistryTimeoutError(`${this.#what} did not finish within ${ms} ms`)),
      ms,
    );
    this.#timer.unref?.();
  }

  /** Aborts the request (and its body) with `reason`, a typed error. */
  abort(reason: Error): void {
    if (!this.#controller.signal.aborted) this.#controller.abort(reason);
  }

  /** The client is closing: abort with AbortedError. */
  close(): void {
    this.abort(new AbortedError(`${this.#what} was aborted: the registry client was closed`));
  }

  /** Ends the lifetime once `body` closes, errors or ends. */
  endWith(
    body: NodeJS.ReadableStream & { destroyed?: boolean; once(event: string, fn: () => void): unknown },
  ): void {
    if (body.destroyed) {
      this.end();
      return;
    }
    const end = () => this.end();
    body.once('close', end);
    body.once('end', end);
    body.once('error', end);
  }

  /** Releases the timer and the caller's listener. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    this.#caller?.removeEventListener('abort', this.#onCallerAbort);
    this.#onEnd();
  }
}

/**
 * A signal that fires when `signal` does (with its typed reason) or after `ms` (with a
 * RegistryTimeoutError) — a total deadline over several requests, such as a blob copy's GET and
 * PATCH. `dispose` releases it.
 */
export function deadlineSignal(
  signal: AbortSignal | undefined,
  ms: number,
  what: string,
): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(abortError(signal as AbortSignal, what));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  const timer = setTimeout(
    () => controller.abort(new RegistryTimeoutError(`${what} did not finish within ${ms} ms`)),
    ms,
  );
  return {
    signal: controller.signal,
    dispose: () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    },
  };
}
