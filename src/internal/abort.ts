/** Making work that does not take an AbortSignal stop waiting when one fires. */

/**
 * Resolves or rejects like `work`, or rejects with `signal.reason` as soon as `signal` aborts —
 * for calls (an SDK, a user callback) that cannot be cancelled themselves. The work itself may
 * still finish in the background; its result is then ignored.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
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
