/**
 * Adding one entry to a list document that many writers update by read-modify-write on a store with
 * no compare-and-swap, where a PUT replaces the whole document and the last writer wins: the
 * referrers fallback index (`sha256-<hex>`) and cosign's `.sig` / `.att` images on registries.
 *
 * The protocol, for each writer:
 * 1. Remember the union `U` of every entry seen in any read, plus its own entry. Never forget one:
 *    a writer never removes an entry, and keeps re-adding everything it has ever seen.
 * 2. Read. If the document lacks anything in `U`, write the document as read plus what it lacks
 *    (never built from an older read), then pause — randomized, growing with every write — and read
 *    again.
 * 3. Return only after two consecutive reads, with no write of its own between them, each holding
 *    all of `U`, the second started at least `confirmPause` after the first ended.
 *
 * Guarantee: once every writer has returned, every entry that a returned writer read in both of
 * its confirming reads is in the document — in particular the entry each writer reported as added
 * (or, for a duplicate, the equal entry it reported instead). Assumptions: (a) every writer follows
 * this protocol (ocisign's, in this process or another; cosign's single read-modify-write does
 * not); (b) reads and writes of the document are atomic, and a read returns the last write that
 * completed before it (distribution: a tag PUT is last-writer-wins, a GET sees it at once; a caching
 * proxy in front of the registry breaks this); (c) every write lands within `L` of the start of the
 * read it was built from, `L` shorter than every writer's confirming pause (at least
 * `confirmPauseMs`) — the transport's own retries of a PUT count towards `L`; (d) every writer
 * finishes the protocol: a writer that is aborted, gives up, or dies mid-way may have been the one
 * re-adding someone else's entry.
 *
 * Proof sketch. Take a returned writer R whose confirming reads happened at c1 < c2 (c2 - c1 > L),
 * both holding an entry e. Every write holds its writer's whole `U`, so a write lacks e only if its
 * writer never saw e. Let x be the earliest write after c1 that lacks e: its base read saw no e, so
 * it predates c1 (at any later moment before x the document still held e), and x lands before
 * c1 + L < c2. The document held e again at c2, so the last write y before c2 carries e, and y > x
 * > c1; its writer Y (not R, which wrote nothing after c1) has e in `U_Y` and, by (d), returned
 * after two confirming reads holding e, the first after y. If the final document lacked e, its
 * last write would come after Y's confirming reads and lack e, so the same step applies to Y, then
 * to Y's successor, each time with a strictly later write: an endless chain, but there are finitely
 * many writes. So e survives.
 *
 * `L` is not known to a writer; we use our own slowest read-to-write cycle as the estimate, times a
 * safety factor, with a floor. Deliberately not done: locking (distribution has none), detecting a
 * concurrent deliberate removal (it is indistinguishable from a lost update, so a removal made
 * while a writer runs may be undone by it), and reordering or rewriting entries others wrote.
 */
import { OcisignError } from '../errors/base.js';
import { SigningError } from '../errors/verify.js';
import { abortError, sleep, throwIfAborted } from './abort.js';

/** Where the document lives: read it whole (undefined when it does not exist), write it whole. */
export interface ConvergentStore<E> {
  read(signal: AbortSignal | undefined): Promise<readonly E[] | undefined>;
  write(entries: readonly E[], signal: AbortSignal | undefined): Promise<void>;
}

/** The clock, pauses and bounds of {@link convergentAdd}; every field has a default. */
export interface ConvergenceTiming {
  /** First pause after a write before re-reading; doubles with each further write (equal jitter). Default 25 ms. */
  readonly backoffBaseMs: number;
  /** Longest pause after a write. Default 1 000 ms. */
  readonly backoffMaxMs: number;
  /**
   * Floor of the pause between the two confirming reads; it must exceed every other writer's
   * read-to-write latency (assumption (c) above). Default 250 ms: loopback and LAN registries take
   * a few ms to a few tens of ms, remote registries one or two round trips of 20–150 ms.
   */
  readonly confirmPauseMs: number;
  /** The confirming pause is at least this many times our own slowest read-to-write cycle. Default 3. */
  readonly latencyFactor: number;
  /** Cap on the confirming pause. Default 10 000 ms. */
  readonly confirmPauseMaxMs: number;
  /** Most writes before giving up with SigningError. Default 30. */
  readonly maxWrites: number;
  /** Most time in the loop before giving up with SigningError. Default 120 000 ms. */
  readonly budgetMs: number;
  readonly now: () => number;
  /** A number in [0, 1), for jitter. */
  readonly random: () => number;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
}

/** The defaults of {@link ConvergenceTiming}. */
export const DEFAULT_CONVERGENCE_TIMING: ConvergenceTiming = {
  backoffBaseMs: 25,
  backoffMaxMs: 1000,
  confirmPauseMs: 250,
  latencyFactor: 3,
  confirmPauseMaxMs: 10_000,
  maxWrites: 30,
  budgetMs: 120_000,
  now: () => Date.now(),
  random: () => Math.random(),
  sleep: (ms, signal) => sleep(ms, signal),
};

/** What to add where, and how entries are told apart. */
export interface ConvergentAddOptions<E> {
  readonly store: ConvergentStore<E>;
  /** The entry to add. */
  readonly entry: E;
  /** Identity: entries with equal keys are the same entry (the document's copy is kept). */
  readonly key: (entry: E) => string;
  /** The document, for messages: e.g. `the referrers fallback tag ghcr.io/acme/app:sha256-…`. */
  readonly what: string;
  /** The entry, for messages: e.g. `referrer sha256:…`. */
  readonly entryName: string;
  /**
   * cosign's duplicate check, on the first read: an entry already there that makes ours redundant.
   * Then nothing of ours is written; that entry is confirmed instead and returned as `duplicate`.
   */
  readonly duplicateIn?: (entries: readonly E[]) => E | undefined;
  /** Work after the first read and before the first write (uploading what the entry points at). */
  readonly prepare?: () => Promise<void>;
  /**
   * Whether a failed write is worth another round (a 5xx, a dropped connection): it may or may not
   * have landed, and the next read tells. Other failures are thrown as they are.
   */
  readonly retryableWrite?: (error: unknown) => boolean;
  readonly signal?: AbortSignal | undefined;
  readonly timing?: Partial<ConvergenceTiming>;
}

/** What {@link convergentAdd} did. */
export interface ConvergentAddResult<E> {
  /** The equal entry the duplicate check found (then nothing was written). */
  readonly duplicate?: E;
  /** How many times this writer wrote the document. */
  readonly writes: number;
  /** The document as it was read twice in a row, holding every entry this writer has seen. */
  readonly entries: readonly E[];
}

/**
 * Adds `entry` to the document behind `store` so that it survives concurrent writers following the
 * same protocol (see the module comment for the guarantee and its assumptions). Resolves once the
 * entry — and everything else this writer saw — was read twice in a row; rejects with
 * {@link SigningError} naming the document when the bounds run out (the entry may or may not be
 * there then: it is never reported as added), and with AbortedError / OperationTimeoutError when
 * `signal` fires.
 */
export async function convergentAdd<E>(options: ConvergentAddOptions<E>): Promise<ConvergentAddResult<E>> {
  const t: ConvergenceTiming = { ...DEFAULT_CONVERGENCE_TIMING, ...options.timing };
  const { store, key, signal, what } = options;
  const started = t.now();
  // Abort errors from the store (a bare DOMException from lower layers) become typed ones.
  const io = async <T>(work: () => Promise<T>): Promise<T> => {
    throwIfAborted(signal, `Updating ${what}`);
    try {
      return await work();
    } catch (error) {
      if (signal?.aborted) throw abortError(signal, `Updating ${what}`);
      throw error;
    }
  };
  const seen = new Map<string, E>();
  let readStarted = t.now();
  let slowest = 0;
  const read = async (): Promise<readonly E[]> => {
    readStarted = t.now();
    const entries = (await io(() => store.read(signal))) ?? [];
    // A read is half a cycle; twice it is a floor for the latency estimate before we have written.
    slowest = Math.max(slowest, 2 * (t.now() - readStarted));
    for (const e of entries) if (!seen.has(key(e))) seen.set(key(e), e);
    return entries;
  };

  let current = await read();
  const duplicate = options.duplicateIn?.(current);
  if (duplicate === undefined) {
    if (options.prepare !== undefined) {
      await io(options.prepare);
      // Build the first write from a read made after the (possibly slow) upload, not before it.
      current = await read();
    }
    if (!seen.has(key(options.entry))) seen.set(key(options.entry), options.entry);
  }

  const giveUp = (why: string) =>
    new SigningError(
      `Could not confirm ${options.entryName} in ${what}: ${why}. Other writers kept replacing it; it may or may not be listed now, so it was not reported as added. Try again.`,
    );
  let writes = 0;
  let confirmed = false;
  for (;;) {
    const present = new Set(current.map(key));
    const missing = [...seen.values()].filter((e) => !present.has(key(e)));
    let pause: number;
    if (missing.length === 0) {
      if (confirmed) return { ...(duplicate === undefined ? {} : { duplicate }), writes, entries: current };
      confirmed = true;
      const wanted = Math.max(t.confirmPauseMs, t.latencyFactor * slowest);
      pause = Math.min(t.confirmPauseMaxMs, wanted) * (1 + 0.25 * t.random());
    } else {
      confirmed = false;
      if (writes >= t.maxWrites) throw giveUp(`${writes} writes did not stick`);
      try {
        await io(() => store.write([...current, ...missing], signal));
      } catch (error) {
        if (error instanceof OcisignError && (error.code === 'ABORTED' || error.code === 'TIMEOUT'))
          throw error;
        if (options.retryableWrite?.(error) !== true) throw error;
      }
      writes++;
      slowest = Math.max(slowest, t.now() - readStarted);
      const ceiling = Math.min(t.backoffMaxMs, t.backoffBaseMs * 2 ** (writes - 1));
      pause = ceiling * (0.5 + 0.5 * t.random());
    }
    const elapsed = t.now() - started;
    if (elapsed + pause > t.budgetMs)
      throw giveUp(`not confirmed within ${t.budgetMs} ms (${writes} writes)`);
    await t.sleep(pause, signal).catch((error: unknown) => {
      throw signal?.aborted ? abortError(signal, `Updating ${what}`) : error;
    });
    current = await read();
  }
}
