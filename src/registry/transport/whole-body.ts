/**
 * A small response read whole by the exchange itself — undici's dispatch API with our own handler
 * — instead of through a body stream: for manifests, payloads, bundles and the other small
 * documents a registry serves, where undici's `request()` (a Readable and its stream machinery per
 * response) costs more than the document. On a verification against a fast registry that
 * difference is a good part of the client's own cost.
 *
 * The body it gives offers what the transport's readers use of undici's (async iteration,
 * `destroy`, `dump`, `destroyed`, the `close` event), so `readBody`, `discard` and the
 * request lifetime treat both alike: it yields the body as one chunk once the last byte is in. It
 * keeps at most `limit` bytes; past that it drops the exchange and yields what it kept, which is
 * more than the reader's limit (so the reader refuses it, with the same error as for a stream).
 *
 * Deliberately not here: retries, redirects, deadlines and auth (`Transport`, `RequestLifetime`).
 */
import type { EventEmitter } from 'node:events';
import { type Dispatcher, util } from 'undici';

/** What readers use of a response body: undici's stream, or a {@link WholeBody}. */
export interface ResponseBody extends AsyncIterable<unknown> {
  readonly destroyed: boolean;
  destroy(error?: Error): unknown;
  dump(options?: { limit?: number; signal?: AbortSignal }): Promise<void>;
  once(event: 'close', listener: () => void): unknown;
}

/** Headers and body of one exchange, as `Transport` reads them from either kind of request. */
export interface ResponseStart {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: ResponseBody;
}

/** The request signal undici would get: `aborted`, a typed `reason`, and an `abort` event. */
export interface ExchangeSignal extends EventEmitter {
  readonly aborted: boolean;
  readonly reason: Error | undefined;
}

/** The error a body reports when its reader gave it up without saying why (as undici's stream does). */
function gaveUp(): Error {
  return Object.assign(new Error('The response body was destroyed before it was read'), {
    code: 'UND_ERR_ABORTED',
  });
}

/**
 * A body read whole; also the dispatch handler that fills it. See the module comment. Not an
 * EventEmitter: its one event is `close` (what the request lifetime waits for), and this object is
 * made for every small request.
 */
class WholeBody implements ResponseBody, Dispatcher.DispatchHandler {
  readonly #limit: number;
  readonly #signal: ExchangeSignal;
  readonly #onAbort = () => {
    // As undici's own request does on a signal: the exchange ends now, with the signal's reason.
    const reason = this.#signal.reason;
    this.#abortExchange(reason);
    if (this.#headers) this.#finish(reason);
    else this.onError(reason ?? gaveUp());
  };
  readonly #started: { resolve: (start: ResponseStart) => void; reject: (error: unknown) => void };
  #abort: ((error?: Error) => void) | undefined;
  #chunks: Buffer[] = [];
  #received = 0;
  /** We dropped the exchange at the limit ourselves: its error is no failure. */
  #over = false;
  #headers = false;
  #finished = false;
  #error: unknown;
  #waiting: Array<() => void> = [];
  #onClose: Array<() => void> = [];

  constructor(
    limit: number,
    signal: ExchangeSignal,
    started: { resolve: (start: ResponseStart) => void; reject: (error: unknown) => void },
  ) {
    this.#limit = limit;
    this.#signal = signal;
    this.#started = started;
    signal.on('abort', this.#onAbort);
  }

  // ---- the dispatch handler (undici calls these) ----

  onConnect(abort: (error?: Error) => void): void {
    this.#abort = abort;
    if (this.#signal.aborted) abort(this.#signal.reason);
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[]): boolean {
    if (statusCode < 200) return true; // 1xx: the response is still to come
    this.#headers = true;
    this.#started.resolve({ statusCode, headers: util.parseHeaders(rawHeaders), body: this });
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.#over || this.#finished) return true;
    this.#received += chunk.length;
    this.#chunks.push(chunk);
    if (this.#received > this.#limit) {
      this.#over = true;
      this.#abortExchange(undefined);
    }
    return true;
  }

  onComplete(): void {
    this.#finish(undefined);
  }

  onError(error: Error): void {
    if (!this.#headers) {
      this.#signal.removeListener('abort', this.#onAbort);
      this.#finished = true;
      this.#started.reject(error);
      return;
    }
    this.#finish(this.#over ? undefined : error);
  }

  // ---- the body (our readers call these) ----

  /** True once the exchange is over (like a stream that ended and closed) or the body was given up. */
  get destroyed(): boolean {
    return this.#finished;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array, void, undefined> {
    if (!this.#finished) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.#error !== undefined) throw this.#error;
    const chunks = this.#chunks;
    if (chunks.length === 1) yield chunks[0] as Buffer;
    else if (chunks.length > 1) yield Buffer.concat(chunks, this.#received);
  }

  /**
   * The whole body as one plain Uint8Array (a view of the bytes undici received, which no one
   * else holds or reuses), once the exchange is over; rejects as iterating would. What `readBody`
   * uses: no async iterator, and no copy of a body that came in one chunk.
   */
  async bytes(): Promise<Uint8Array> {
    if (!this.#finished) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    if (this.#error !== undefined) throw this.#error;
    const chunks = this.#chunks;
    const whole = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, this.#received);
    return new Uint8Array(whole.buffer, whole.byteOffset, whole.byteLength);
  }

  /** `close` fires once, when the exchange is over (ended, failed, or given up). */
  once(event: 'close', listener: () => void): this {
    if (event === 'close') this.#onClose.push(listener);
    return this;
  }

  destroy(error?: Error): this {
    if (!this.#finished) {
      this.#abortExchange(error ?? gaveUp());
      this.#finish(error ?? gaveUp());
    }
    this.#chunks = [];
    return this;
  }

  /** Waits (within `signal`) for a body we will not read, up to `limit` bytes; then gives it up. */
  async dump(options: { limit?: number; signal?: AbortSignal } = {}): Promise<void> {
    const { limit = Number.POSITIVE_INFINITY, signal } = options;
    if (!this.#finished && this.#received <= limit && signal?.aborted !== true) {
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        signal?.addEventListener('abort', stop, { once: true });
        this.#waiting.push(() => {
          signal?.removeEventListener('abort', stop);
          resolve();
        });
      });
    }
    this.destroy();
  }

  #abortExchange(reason: Error | undefined): void {
    this.#abort?.(reason);
  }

  #finish(error: unknown): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#error = error;
    this.#signal.removeListener('abort', this.#onAbort);
    for (const wake of this.#waiting.splice(0)) wake();
    for (const listener of this.#onClose.splice(0)) listener();
  }
}

/** The bytes of a body read whole (see {@link WholeBody.bytes}); undefined for a stream. */
export function wholeBytes(body: ResponseBody): Promise<Uint8Array> | undefined {
  return body instanceof WholeBody ? body.bytes() : undefined;
}

/**
 * Sends a request whose response body is read whole (at most `limit` bytes kept): resolves with
 * the status and headers as they arrive, the body filling in behind them; rejects with undici's
 * error (or the signal's reason) when no response came. See the module comment.
 */
export function requestWhole(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  limit: number,
  signal: ExchangeSignal,
): Promise<ResponseStart> {
  return new Promise<ResponseStart>((resolve, reject) => {
    const body = new WholeBody(limit, signal, { resolve, reject });
    try {
      dispatcher.dispatch(options, body);
    } catch (error) {
      body.onError(error as Error);
    }
  });
}
