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
 * undici gets an EventEmitter rather than an AbortSignal (undici accepts either and reads `reason`
 * from both): listeners on an AbortSignal's EventTarget cost microseconds per request, and every
 * request has a lifetime.
 *
 * It does not retry or time individual phases (undici's header and body timeouts do that).
 */
import { EventEmitter } from 'node:events';
import { AbortedError } from '../../errors/base.js';
import { RegistryTimeoutError } from '../../errors/registry.js';
import { abortError } from '../../internal/abort.js';
import type { ExchangeSignal } from './whole-body.js';

/** What undici reads of a request signal: `aborted`, `reason`, and an `abort` event. */
class LifetimeSignal extends EventEmitter {
  aborted = false;
  reason: Error | undefined = undefined;
}

/**
 * The lifetimes of the requests in flight, for `close()` to abort. An array with swap-removal:
 * joining and leaving are O(1) without hashing (a Set hashes every new lifetime object, which
 * showed in profiles of verifications, one lifetime per request).
 */
export class InFlight {
  readonly #items: RequestLifetime[] = [];

  /** Adds `lifetime` (not already in). */
  add(lifetime: RequestLifetime): void {
    lifetime.slot = this.#items.length;
    this.#items.push(lifetime);
  }

  /** Removes `lifetime`, if it is in. */
  delete(lifetime: RequestLifetime): void {
    const items = this.#items;
    const slot = lifetime.slot;
    if (slot < 0 || items[slot] !== lifetime) return;
    const last = items.pop() as RequestLifetime;
    if (last !== lifetime) {
      items[slot] = last;
      last.slot = slot;
    }
    lifetime.slot = -1;
  }

  /** A copy of the lifetimes in flight now. */
  all(): RequestLifetime[] {
    return [...this.#items];
  }
}

/** One request's lifetime. Call {@link RequestLifetime.end} when its body is done with. */
export class RequestLifetime {
  readonly #signal = new LifetimeSignal();
  /** The request's `what`, or how to build it: only messages need it, and most requests make none. */
  #what: string | (() => string);
  readonly #caller: AbortSignal | undefined;
  readonly #deadlineMs: number | undefined;
  /** Made only when the caller passed a signal (most requests have none: no closure for them). */
  #onCallerAbort: (() => void) | undefined;
  readonly #inFlight: InFlight;
  /** Where this lifetime sits in its {@link InFlight} (-1 once it left). */
  slot = -1;
  #timer: NodeJS.Timeout | undefined;
  #ended = false;

  /** Joins `inFlight` (the transport's requests in flight) until {@link RequestLifetime.end}. */
  constructor(
    what: string | (() => string),
    options: {
      signal?: AbortSignal | undefined;
      deadlineMs?: number | undefined;
      inFlight: InFlight;
    },
  ) {
    this.#what = what;
    this.#caller = options.signal;
    this.#deadlineMs = options.deadlineMs;
    this.#inFlight = options.inFlight;
    this.#inFlight.add(this);
    const caller = options.signal;
    if (caller === undefined) return;
    const onCallerAbort = () => this.abort(abortError(caller, this.what));
    if (caller.aborted) onCallerAbort();
    else {
      this.#onCallerAbort = onCallerAbort;
      caller.addEventListener('abort', onCallerAbort, { once: true });
    }
  }

  /** What the request is for, in messages ("GET manifest app:v1"). */
  get what(): string {
    if (typeof this.#what === 'function') this.#what = this.#what();
    return this.#what;
  }

  /** The signal to hand undici: it fires with the typed reason. */
  get signal(): ExchangeSignal {
    return this.#signal;
  }

  /** The typed error the request was aborted with, if it was. */
  get reason(): Error | undefined {
    return this.#signal.reason;
  }

  /**
   * Resolves after `ms` (a retry pause), or rejects with the lifetime's typed reason as soon as it
   * ends early (abort, close, deadline): a pause never outlives the request.
   */
  pause(ms: number): Promise<void> {
    const signal = this.#signal;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeListener('abort', onAbort);
        resolve();
      }, ms);
      signal.once('abort', onAbort);
    });
  }

  /** (Re)starts the deadline: each attempt of a request gets all of it. */
  startAttempt(): void {
    if (this.#deadlineMs === undefined || this.#ended) return;
    clearTimeout(this.#timer);
    const ms = this.#deadlineMs;
    this.#timer = setTimeout(
      () => this.abort(new RegistryTimeoutError(`${this.what} did not finish within ${ms} ms`)),
      ms,
    );
    this.#timer.unref?.();
  }

  /** Aborts the request (and its body) with `reason`, a typed error. */
  abort(reason: Error): void {
    const signal = this.#signal;
    if (signal.aborted) return;
    signal.aborted = true;
    signal.reason = reason;
    signal.emit('abort');
  }

  /** The client is closing: abort with AbortedError. */
  close(): void {
    this.abort(new AbortedError(`${this.what} was aborted: the registry client was closed`));
  }

  /** Ends the lifetime once `body` closes, errors or ends. */
  endWith(body: { readonly destroyed: boolean; once(event: 'close', listener: () => void): unknown }): void {
    if (body.destroyed) {
      this.end();
      return;
    }
    // Both kinds of body close once they end or fail (undici's streams destroy themselves).
    body.once('close', () => this.end());
  }

  /** Releases the timer and the caller's listener. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    clearTimeout(this.#timer);
    if (this.#onCallerAbort !== undefined) this.#caller?.removeEventListener('abort', this.#onCallerAbort);
    this.#inFlight.delete(this);
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
