/**
 * An in-memory stand-in for the few `RegistryClient` calls signing makes (manifests by tag or
 * digest, blobs), shared by several simulated writers, each with its own latency per operation and
 * an optional fault hook. Manifests and blobs take effect when their latency has elapsed (a PUT is
 * last-writer-wins, as on distribution); timers are `setTimeout`, so vitest's fake timers drive it.
 * Like the real client, an aborted call rejects with the bare `signal.reason`.
 *
 * {@link useDeterministicTime} and {@link settled} run such simulations under fake timers.
 */
import { afterEach, beforeEach, vi } from 'vitest';
import { NotFoundError } from '../../src/errors/registry.js';
import { computeDigest } from '../../src/payload/digest.js';
import type { Descriptor, Manifest } from '../../src/payload/oci.js';
import type { FetchedManifest } from '../../src/registry/client.js';
import { parseManifest } from '../../src/registry/manifest.js';

/** The operations a fake client performs. */
export type FakeOp = 'getManifest' | 'putManifest' | 'getBlob' | 'pushBlob';

/** How one writer's calls behave: latency per call, and a hook that may throw (before or after the effect). */
export interface FakeClientOptions {
  readonly latencyMs?: (op: FakeOp, call: number) => number;
  /** Called around each effect; throw to fail the call `'before'` it takes effect or `'after'`. */
  readonly fault?: (op: FakeOp, call: number, when: 'before' | 'after') => void;
}

type Ref = string | { registry: string; repository: string; tag?: string; digest?: string };

function keyOf(ref: Ref): string {
  if (typeof ref !== 'string')
    return `${ref.registry}/${ref.repository}${ref.digest ? `@${ref.digest}` : `:${ref.tag}`}`;
  return ref;
}

function delay(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** One registry's manifests (by `repo:tag` and `repo@digest`) and blobs, with a log of every call. */
/**
 * For every test of the file: vitest's fake timers, and `Math.random` fixed at 0.5 (the jitter of
 * every pause at its middle), so that simulated writers interleave the same way on every run.
 */
export function useDeterministicTime(): void {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.spyOn(Math, 'random').mockReturnValue(0.5);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.restoreAllMocks();
  });
}

/** Runs every timer until all the writers settled, and returns how each did. */
export async function settled<T>(promises: Promise<T>[]): Promise<PromiseSettledResult<T>[]> {
  const all = Promise.allSettled(promises);
  await vi.runAllTimersAsync();
  return all;
}

export class FakeRegistry {
  readonly manifests = new Map<string, { bytes: Uint8Array; mediaType: string }>();
  readonly blobs = new Map<string, Uint8Array>();
  readonly log: Array<{ writer: string; op: FakeOp; ref: string; at: number }> = [];

  /** The manifest stored under `key` (`registry/repo:tag` or `…@digest`), parsed; undefined when none. */
  manifestAt(key: string): Manifest | undefined {
    const stored = this.manifests.get(key);
    return stored === undefined ? undefined : parseManifest(stored.bytes, stored.mediaType);
  }

  /** A client for one writer. */
  client(writer: string, options: FakeClientOptions = {}) {
    const calls = new Map<FakeOp, number>();
    const step = async <T>(op: FakeOp, ref: string, signal: AbortSignal | undefined, effect: () => T) => {
      const n = calls.get(op) ?? 0;
      calls.set(op, n + 1);
      this.log.push({ writer, op, ref, at: Date.now() });
      await delay(options.latencyMs?.(op, n) ?? 1, signal);
      options.fault?.(op, n, 'before');
      const result = effect();
      options.fault?.(op, n, 'after');
      return result;
    };
    return {
      getManifest: (ref: Ref, opts: { signal?: AbortSignal | undefined } = {}): Promise<FetchedManifest> =>
        step('getManifest', keyOf(ref), opts.signal, () => {
          const stored = this.manifests.get(keyOf(ref));
          if (stored === undefined) throw new NotFoundError(`manifest ${keyOf(ref)} not found`);
          return {
            digest: computeDigest(stored.bytes),
            mediaType: stored.mediaType,
            size: stored.bytes.length,
            bytes: stored.bytes,
            manifest: parseManifest(stored.bytes, stored.mediaType),
          };
        }),
      putManifest: (
        ref: Ref,
        bytes: Uint8Array,
        mediaType: string,
        opts: { signal?: AbortSignal | undefined } = {},
      ) =>
        step('putManifest', keyOf(ref), opts.signal, () => {
          const digest = computeDigest(bytes);
          this.manifests.set(keyOf(ref), { bytes, mediaType });
          const repo = keyOf(ref).replace(/[:@][^/]*$/, '');
          this.manifests.set(`${repo}@${digest}`, { bytes, mediaType });
          return { mediaType, digest, size: bytes.length, subjectAccepted: false };
        }),
      getBlobBytes: (repo: string, digest: string, opts: { signal?: AbortSignal | undefined } = {}) =>
        step('getBlob', digest, opts.signal, () => {
          const bytes = this.blobs.get(digest);
          if (bytes === undefined) throw new NotFoundError(`blob ${digest} not found in ${repo}`);
          return bytes;
        }),
      pushBlob: (
        _repo: string,
        bytes: Uint8Array,
        opts: { signal?: AbortSignal | undefined; mediaType?: string } = {},
      ): Promise<Descriptor> =>
        step('pushBlob', computeDigest(bytes), opts.signal, () => {
          this.blobs.set(computeDigest(bytes), bytes);
          return {
            mediaType: opts.mediaType ?? 'application/octet-stream',
            digest: computeDigest(bytes),
            size: bytes.length,
          };
        }),
    };
  }
}
