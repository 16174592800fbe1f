/**
 * HTTP for the registry layer: one keep-alive undici pool per origin, retries with backoff for
 * idempotent requests, redirects followed by hand so that `Authorization`, `Cookie` and
 * `Proxy-Authorization` never cross to another origin, per-request timeouts and deadlines, caller
 * `AbortSignal`s, and an `onRequest` hook for counting. Every failure is a typed error: a caller's
 * abort an `AbortedError`/`OperationTimeoutError`, our own deadlines a `RegistryTimeoutError`.
 *
 * With `whole-body.ts`, the only module in ocisign that touches undici; reading and discarding
 * bodies is `body.ts`, re-exported here. It knows nothing about auth or registries: callers pass
 * headers in and read statuses out.
 */
import { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { AbortedError, OcisignError } from '../../errors/base.js';
import { RegistryError, RegistryResponseError, RegistryTimeoutError } from '../../errors/registry.js';
import { throwIfAborted } from '../../internal/abort.js';
import { discard, type HttpResponse, header } from './body.js';
import { InFlight, RequestLifetime } from './lifetime.js';
import { backoffMs, isRetryableError, RETRYABLE_STATUS, type RetryOptions, retryAfterMs } from './retry.js';
import { type ResponseStart, requestWhole } from './whole-body.js';

export { bodyError, declaredLength, discard, header, readBody } from './body.js';
export type { ResponseBody } from './whole-body.js';

export type HttpMethod = 'GET' | 'HEAD' | 'PUT' | 'POST' | 'PATCH' | 'DELETE';

/** What `onRequest` sees for every HTTP exchange, retries and redirects included. */
export interface RequestInfo {
  readonly method: string;
  /** The URL without query string or credentials. */
  readonly url: string;
  /** HTTP status, or 0 when no response arrived (connection error, timeout). */
  readonly status: number;
  /** 1 for the first try of a request, 2+ for retries. */
  readonly attempt: number;
  readonly durationMs: number;
}

export interface TransportOptions {
  /** Extra CA certificates (PEM) trusted for HTTPS registries. */
  readonly ca?: string | readonly string[];
  /** Time allowed until response headers arrive, per attempt. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Longest silence allowed while a body streams. Default 30 000 ms. */
  readonly bodyTimeoutMs?: number;
  readonly retry?: RetryOptions;
  readonly onRequest?: (info: RequestInfo) => void;
  /** Connections per origin. Default 8. */
  readonly connections?: number;
  readonly userAgent?: string;
}

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Bytes (retryable) or a stream (sent once). */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array> | undefined;
  readonly signal?: AbortSignal | undefined;
  /** Safe to send again after a failure (GET, HEAD, manifest PUT, blob PUT with bytes). */
  readonly idempotent: boolean;
  /** Follow 3xx redirects (blob GETs are redirected to object storage). Default true. */
  readonly followRedirects?: boolean;
  /**
   * The whole exchange — request, headers and the body, however slowly it trickles — must finish
   * within this, per attempt; for small documents. Undefined: only the idle timeouts apply.
   */
  readonly deadlineMs?: number | undefined;
  /** What the request is for, in messages ("GET manifest app:v1"). Default: method and URL. */
  readonly what?: string | undefined;
  /**
   * A small document: its body is read whole as it arrives, keeping at most this many bytes
   * (whoever reads it refuses more), instead of through a stream. See `whole-body.ts`.
   */
  readonly wholeBody?: number | undefined;
}

export type { HttpResponse } from './body.js';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;
/** Headers that carry credentials: never sent on to another origin. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization']);

/** A URL safe to show: no credentials, no query (tokens and signatures live there). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

/** `new URL(text, base)`, or undefined when it is not a URL (never a TypeError). */
export function parseUrl(text: string, base?: URL): URL | undefined {
  try {
    return new URL(text, base);
  } catch {
    return undefined;
  }
}

/** The HTTP client of one RegistryClient: pools, retries, redirects, deadlines, close. */
export class Transport {
  readonly #pools = new Map<string, Pool>();
  readonly #options: TransportOptions;
  readonly #inFlight = new InFlight();
  #closed = false;

  constructor(options: TransportOptions = {}) {
    this.#options = options;
  }

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (pool === undefined) {
      const ca = this.#options.ca;
      pool = new Pool(origin, {
        connections: this.#options.connections ?? 8,
        keepAliveTimeout: 30_000,
        keepAliveMaxTimeout: 600_000,
        pipelining: 1,
        ...(ca === undefined ? {} : { connect: { ca: typeof ca === 'string' ? ca : [...ca] } }),
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  /**
   * Sends a request, retrying and following redirects as configured; the caller owns the body
   * (read it, or {@link discard} it). Rejects only with typed errors. `authorization`, when given,
   * is sent as the `Authorization` header (to the request's own origin only, like every credential).
   */
  async send(request: HttpRequest, authorization?: string): Promise<HttpResponse> {
    if (this.#closed)
      throw new AbortedError(`${whatOf(request)} was not sent: the registry client is closed`);
    if (request.signal?.aborted === true) throwIfAborted(request.signal, whatOf(request));
    // `what` is only for messages: built when one is needed, not for every request.
    const lifetime = new RequestLifetime(request.what ?? (() => whatOf(request)), {
      signal: request.signal,
      deadlineMs: request.deadlineMs,
      inFlight: this.#inFlight,
    });
    try {
      const response = await this.#send(request, lifetime, authorization);
      lifetime.endWith(response.body);
      return response;
    } catch (error) {
      lifetime.end();
      throw error;
    }
  }

  async #send(
    request: HttpRequest,
    lifetime: RequestLifetime,
    authorization: string | undefined,
  ): Promise<HttpResponse> {
    const retries = request.idempotent && !isStream(request.body) ? (this.#options.retry?.retries ?? 3) : 0;
    let url = request.url;
    // The one copy of the caller's headers per request (redirects elsewhere filter it).
    // Built in one literal: adding properties to a spread copy afterwards costs more than the copy.
    const ua = this.#options.userAgent;
    let headers: Record<string, string> =
      authorization === undefined
        ? ua === undefined
          ? { ...request.headers }
          : { ...request.headers, 'user-agent': ua }
        : ua === undefined
          ? { ...request.headers, authorization }
          : { ...request.headers, authorization, 'user-agent': ua };
    const onRequest = this.#options.onRequest;
    let method = request.method;
    let body = request.body;
    let redirects = 0;
    for (let attempt = 1; ; attempt++) {
      if (lifetime.reason !== undefined) throw lifetime.reason;
      lifetime.startAttempt();
      const started = onRequest === undefined ? 0 : performance.now();
      let response: ResponseStart;
      const origin = url.origin;
      try {
        const options: Dispatcher.RequestOptions = {
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          body: body === undefined ? null : body instanceof Uint8Array ? body : Readable.from(body),
          headersTimeout: this.#options.timeoutMs ?? 30_000,
          bodyTimeout: this.#options.bodyTimeoutMs ?? 30_000,
        };
        response =
          request.wholeBody !== undefined && body === undefined
            ? await requestWhole(this.#pool(origin), options, request.wholeBody, lifetime.signal)
            : await this.#pool(origin).request({ ...options, signal: lifetime.signal });
      } catch (error) {
        if (onRequest !== undefined) report(onRequest, method, url, 0, attempt, started);
        if (lifetime.reason !== undefined) throw lifetime.reason;
        if (error instanceof OcisignError) throw error;
        if (attempt <= retries && isRetryableError(error)) {
          await lifetime.pause(backoffMs(attempt, this.#options.retry ?? {}));
          continue;
        }
        throw networkError(method, url, error);
      }
      if (onRequest !== undefined) report(onRequest, method, url, response.statusCode, attempt, started);
      const result: HttpResponse = {
        status: response.statusCode,
        headers: response.headers,
        body: response.body,
        url,
      };

      if (REDIRECTS.has(response.statusCode) && request.followRedirects !== false) {
        const location = header(result, 'location');
        await discard(result);
        if (location === undefined)
          throw new RegistryResponseError(`${redactUrl(url)} redirected without a Location`, {
            status: response.statusCode,
          });
        if (++redirects > MAX_REDIRECTS)
          throw new RegistryResponseError(`Too many redirects from ${redactUrl(request.url)}`);
        const next = parseUrl(location, url);
        if (next === undefined)
          throw new RegistryResponseError(`${redactUrl(url)} redirected to something that is not a URL`, {
            status: response.statusCode,
          });
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new RegistryResponseError(
            `${redactUrl(url)} redirected to an unsupported scheme ${next.protocol.slice(0, 20)}`,
          );
        }
        if (next.origin !== origin) {
          // Credentials are for the registry; object storage gets a pre-signed URL instead.
          headers = Object.fromEntries(
            Object.entries(headers).filter(([name]) => !CREDENTIAL_HEADERS.has(name.toLowerCase())),
          );
        }
        if (response.statusCode === 303) {
          method = 'GET';
          body = undefined;
        }
        url = next;
        attempt = 0;
        continue;
      }

      if (RETRYABLE_STATUS.has(response.statusCode) && attempt <= retries) {
        const wait = backoffMs(
          attempt,
          this.#options.retry ?? {},
          retryAfterMs(header(result, 'retry-after')),
        );
        await discard(result);
        await lifetime.pause(wait);
        continue;
      }
      return result;
    }
  }

  /**
   * Aborts every request in flight (their callers get an AbortedError) and closes every pooled
   * connection. Later requests are refused. Returns promptly, whatever the registry is doing.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const lifetime of this.#inFlight.all()) lifetime.close();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.destroy().catch(() => undefined)));
  }
}

/** What a request is for, in messages: its own `what`, else method and redacted URL. */
function whatOf(request: HttpRequest): string {
  return request.what ?? `${request.method} ${redactUrl(request.url)}`;
}

function report(
  onRequest: NonNullable<TransportOptions['onRequest']>,
  method: string,
  url: URL,
  status: number,
  attempt: number,
  started: number,
): void {
  onRequest({ method, url: redactUrl(url), status, attempt, durationMs: performance.now() - started });
}

function isStream(body: HttpRequest['body']): boolean {
  return body !== undefined && !(body instanceof Uint8Array);
}

function networkError(method: string, url: URL, error: unknown): RegistryError {
  const code = (error as { code?: unknown } | null)?.code;
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new RegistryTimeoutError(`${method} ${redactUrl(url)} timed out (${code})`, { cause: error });
  }
  const detail = typeof code === 'string' ? code : error instanceof Error ? error.message : 'unknown error';
  return new RegistryError('REGISTRY_UNREACHABLE', `${method} ${redactUrl(url)} failed: ${detail}`, {
    cause: error,
  });
}
