/** Aborts as typed errors, and making work that does not take an AbortSignal stop waiting when one fires. */
import { AbortedError, OcisignError, OperationTimeoutError } from '../errors/base.js';

/** Whether `reason` is what `AbortSignal.timeout()` aborts with. */
export function isTimeoutReason(reason: unknown): boolean {
  return (
    typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError'
  );
}

/**
 * The typed error for an aborted signal: the reason itself when it is already one of ours, an
 * {@link OperationTimeoutError} for `AbortSignal.timeout`'s reason, an {@link AbortedError}
 * otherwise — with `signal.reason` as the `cause`. `what` names the interrupted work.
 */
export function abortError(signal: AbortSignal, what = 'the operation'): OcisignError {
  const reason: unknown = signal.reason;
  if (reason instanceof OcisignError) return reason;
  if (isTimeoutReason(reason)) return new OperationTimeoutError(`${what} timed out`, { cause: reason });
  return new AbortedError(`${what} was aborted`, { cause: reason });
}

/** Throws {@link abortError} when `signal` has already fired. */
export function throwIfAborted(signal: AbortSignal | undefined, what?: string): void {
  if (signal?.aborted) throw abortError(signal, what);
}

/**
 * Resolves after `ms`, or rejects with {@link abortError} as soon as `signal` fires (a retry pause
 * must never outlive the caller's interest).
 */
export function sleep(ms: number, signal?: AbortSignal, what?: string): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortError(signal, what));
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(abortError(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Resolves or rejects like `work`, or rejects with {@link abortError} as soon as `signal` aborts —
 * for calls (an SDK, a user callback) that cannot be cancelled themselves. The work itself may
 * still finish in the background; its result is then ignored.
 */
export function untilAborted<T>(
  work: Promise<T>,
  signal: AbortSignal | undefined,
  what?: string,
): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

/**
 * One piece of work shared by concurrent callers (a cached lookup), cancelled only when every
 * caller has stopped waiting: each caller waits under its own signal, and when the last one still
 * waiting aborts, the work's own signal fires so that its sockets and timers do not outlive every
 * caller (a hanging request would otherwise keep the process alive). A caller without a signal
 * never stops waiting.
 */
export class SharedWork<T> {
  readonly #controller = new AbortController();
  readonly #work: Promise<T>;
  #waiting = 0;
  #settled = false;

  constructor(start: (signal: AbortSignal) => Promise<T>) {
    this.#work = start(this.#controller.signal);
    this.#work.then(
      () => {
        this.#settled = true;
      },
      () => {
        this.#settled = true;
      },
    );
  }

  /** The work's own outcome, for an observer that is not a waiting caller (a cache's bookkeeping). */
  get outcome(): Promise<T> {
    return this.#work;
  }

  /** The shared result, or {@link abortError} as soon as `signal` fires. */
  join(signal: AbortSignal | undefined, what?: string): Promise<T> {
    if (signal === undefined) {
      this.#waiting = Number.POSITIVE_INFINITY;
      return this.#work;
    }
    if (signal.aborted) return Promise.reject(abortError(signal, what));
    this.#waiting += 1;
    return untilAborted(this.#work, signal, what).finally(() => {
      this.#waiting -= 1;
      if (signal.aborted && this.#waiting <= 0 && !this.#settled) this.#controller.abort(signal.reason);
    });
  }
}
