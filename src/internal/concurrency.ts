/**
 * Bounded parallelism: run an async function over a list with at most N calls in flight, so that a
 * hostile list (a thousand signature layers, fifty referrers) costs a bounded number of open
 * requests and buffers at a time. Results keep the input order. Not a queue or a scheduler: no
 * priorities, no retries, no cancellation beyond what `fn` itself does with its signal.
 */

/** `fn` over `items`, at most `limit` calls at a time; rejects with the first rejection. */
export async function mapConcurrent<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  // One item (a signature image with one layer, one referrer): no worker pool to set up.
  if (items.length === 1) return [await fn(items[0] as T, 0)];
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        results[i] = await fn(items[i] as T, i);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker);
  await Promise.all(workers);
  return results;
}
