/**
 * A bounded cache of verification outcomes with single-flight: concurrent requests for the same
 * key share one verification, successes and failures are kept in separate stores (so a flood of
 * failures cannot evict successes) with their own TTLs, and errors are never cached. A shared
 * verification runs under its own signal (`SharedWork`), cancelled only when every caller waiting
 * for it has stopped: one caller's abort or deadline is that caller's alone. It does not decide
 * what a key means: callers put everything that changes the verdict into the key.
 */
import { SharedWork } from '../../internal/abort.js';

/** What the cache stores: a verification verdict and the digest it was reached at. */
export interface CachedOutcome {
  readonly status: 'pass' | 'fail' | 'skip' | 'error';
  readonly message: string;
  readonly digest?: string;
  /** A skip by `skipImageReferences`, which Kyverno reports as an admission warning. */
  readonly warn?: boolean;
}

/** Sizes and lifetimes of a {@link VerificationCache}. */
export interface VerificationCacheOptions {
  /** Most entries per store (successes, failures). Default 1000, as Kyverno's cache. */
  readonly maxEntries?: number;
  /** How long a pass is trusted. Default 60 minutes, as Kyverno's `imageVerifyCacheTTLDuration`. */
  readonly successTtlMs?: number;
  /** How long a fail is remembered (Kyverno keeps none). Default 10 seconds; 0 turns it off. */
  readonly failureTtlMs?: number;
  /** Clock, for tests. */
  readonly now?: () => number;
}

interface Entry {
  readonly outcome: CachedOutcome;
  readonly expires: number;
}

class BoundedStore {
  readonly #entries = new Map<string, Entry>();
  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
  ) {}

  get(key: string, now: number): CachedOutcome | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= now) {
      this.#entries.delete(key);
      return undefined;
    }
    this.#entries.delete(key); // refresh recency
    this.#entries.set(key, entry);
    return entry.outcome;
  }

  set(key: string, outcome: CachedOutcome, now: number): void {
    if (this.ttlMs <= 0 || this.maxEntries <= 0) return;
    this.#entries.delete(key);
    this.#entries.set(key, { outcome, expires: now + this.ttlMs });
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  get size(): number {
    return this.#entries.size;
  }

  clear(): void {
    this.#entries.clear();
  }
}

/**
 * Verification outcomes shared across evaluations, with single-flight, separate bounded stores for
 * passes and fails, and TTLs.
 */
export class VerificationCache {
  readonly #successes: BoundedStore;
  readonly #failures: BoundedStore;
  readonly #inFlight = new Map<string, { work: SharedWork<CachedOutcome>; signal: AbortSignal }>();
  readonly #now: () => number;
  #hits = 0;
  #misses = 0;

  constructor(options: VerificationCacheOptions = {}) {
    const max = options.maxEntries ?? 1000;
    this.#successes = new BoundedStore(max, options.successTtlMs ?? 60 * 60 * 1000);
    this.#failures = new BoundedStore(max, options.failureTtlMs ?? 10_000);
    this.#now = options.now ?? Date.now;
  }

  /** A remembered outcome for `key`, if any. */
  get(key: string): CachedOutcome | undefined {
    const now = this.#now();
    return this.#successes.get(key, now) ?? this.#failures.get(key, now);
  }

  /**
   * The outcome for `key`: from the cache, from a verification already running for it, or by
   * running `verify` (once, however many callers ask at the same time).
   * `verify` gets the shared verification's own signal, which fires only when every caller waiting
   * for it has aborted; each caller waits under its own `signal` and, when that fires, alone
   * rejects with `abortError(signal)` while the others keep waiting.
   * `fromCache` tells whether no verification ran for this caller.
   */
  async run(
    key: string,
    verify: (signal: AbortSignal) => Promise<CachedOutcome>,
    signal?: AbortSignal,
  ): Promise<{ outcome: CachedOutcome; fromCache: boolean }> {
    const cached = this.get(key);
    if (cached !== undefined) {
      this.#hits++;
      return { outcome: cached, fromCache: true };
    }
    let running = this.#inFlight.get(key);
    // A verification every caller has left is being cancelled: its error is nobody's answer.
    if (running === undefined || running.signal.aborted) {
      this.#misses++;
      running = this.#start(key, verify);
    }
    return { outcome: await running.work.join(signal, 'the image verification'), fromCache: false };
  }

  #start(
    key: string,
    verify: (signal: AbortSignal) => Promise<CachedOutcome>,
  ): { work: SharedWork<CachedOutcome>; signal: AbortSignal } {
    let workSignal = new AbortController().signal;
    const work = new SharedWork<CachedOutcome>((signal) => {
      workSignal = signal;
      return Promise.resolve().then(() => verify(signal));
    });
    const running = { work, signal: workSignal };
    this.#inFlight.set(key, running);
    const done = () => {
      if (this.#inFlight.get(key) === running) this.#inFlight.delete(key);
    };
    work.outcome.then((outcome) => {
      done();
      // A verification cancelled because every caller left answered no one: keep nothing.
      if (running.signal.aborted) return;
      const now = this.#now();
      if (outcome.status === 'pass') this.#successes.set(key, outcome, now);
      else if (outcome.status === 'fail') this.#failures.set(key, outcome, now);
    }, done);
    return running;
  }

  /** Counters for monitoring: lookups answered from the cache, verifications run, entries held. */
  stats(): { hits: number; misses: number; successes: number; failures: number } {
    return {
      hits: this.#hits,
      misses: this.#misses,
      successes: this.#successes.size,
      failures: this.#failures.size,
    };
  }

  /** Forgets every cached outcome (running verifications finish and are cached as usual). */
  clear(): void {
    this.#successes.clear();
    this.#failures.clear();
  }
}
