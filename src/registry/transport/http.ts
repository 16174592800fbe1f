/**
 * HTTP for the registry layer: one keep-alive undici pool per origin, retries with backoff for
 * idempotent requests, redirects followed by hand so that `Authorization` never crosses to another
 * host, per-request timeouts, caller `AbortSignal`s, and an `onRequest` hook for counting.
 *
 * The only module in ocisign that touches undici. It knows nothing about auth or registries: callers
 * pass headers in and read statuses out.
 */
import { Readable } from 'node:stream';
import { type Dispatcher, Pool } from 'undici';
import { RegistryError, RegistryTimeoutError, SizeLimitError } from '../../errors/registry.js';
import { concatBytes } from '../../internal/bytes.js';
import {
  backoffMs,
  isRetryableError,
  RETRYABLE_STATUS,
  type RetryOptions,
  retryAfterMs,
  sleep,
} from './retry.js';

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
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes (retryable) or a stream (sent once). */
  readonly body?: Uint8Array | AsyncIterable<Uint8Array>;
  readonly signal?: AbortSignal | undefined;
  /** Safe to send again after a failure (GET, HEAD, manifest PUT, blob PUT with bytes). */
  readonly idempotent: boolean;
  /** Follow 3xx redirects (blob GETs are redirected to object storage). Default true. */
  readonly followRedirects?: boolean;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Dispatcher.ResponseData['body'];
  /** The URL that answered, after redirects. */
  readonly url: URL;
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
const MAX_REDIRECTS = 5;

/** A URL safe to show: no credentials, no query (tokens and signatures live there). */
export function redactUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export function header(response: Pick<HttpResponse, 'headers'>, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Reads a whole body, refusing more than `maxBytes`. */
export async function readBody(response: HttpResponse, maxBytes: number, what: string): Promise<Uint8Array> {
  const declared = Number(header(response, 'content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    response.body.destroy();
    throw new SizeLimitError(`${what} is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body) {
    total += (chunk as Uint8Array).length;
    if (total > maxBytes) {
      response.body.destroy();
      throw new SizeLimitError(`${what} is over the ${maxBytes}-byte limit`);
    }
    chunks.push(chunk as Uint8Array);
  }
  return concatBytes(...chunks);
}

/** Discards a body we will not read, so the connection returns to the pool. */
export async function discard(response: HttpResponse): Promise<void> {
  try {
    await response.body.dump({ limit: 64 * 1024 });
  } catch {
    // A broken body on a response we are discarding changes nothing.
  }
}

export class Transport {
  readonly #pools = new Map<string, Pool>();
  readonly #options: TransportOptions;

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

  /** Sends a request, retrying and following redirects as configured; the caller owns the body. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const retries = request.idempotent && !isStream(request.body) ? (this.#options.retry?.retries ?? 3) : 0;
    let url = request.url;
    let headers: Record<string, string> = { ...request.headers };
    if (this.#options.userAgent !== undefined) headers['user-agent'] = this.#options.userAgent;
    let method = request.method;
    let body = request.body;
    let redirects = 0;
    for (let attempt = 1; ; attempt++) {
      request.signal?.throwIfAborted();
      const started = performance.now();
      let response: Dispatcher.ResponseData;
      try {
        response = await this.#pool(url.origin).request({
          path: `${url.pathname}${url.search}`,
          method,
          headers,
          body: body === undefined ? null : body instanceof Uint8Array ? body : Readable.from(body),
          ...(request.signal === undefined ? {} : { signal: request.signal }),
          headersTimeout: this.#options.timeoutMs ?? 30_000,
          bodyTimeout: this.#options.bodyTimeoutMs ?? 30_000,
        });
      } catch (error) {
        this.#report(method, url, 0, attempt, started);
        if (request.signal?.aborted) throw request.signal.reason;
        if (attempt <= retries && isRetryableError(error)) {
          await sleep(backoffMs(attempt, this.#options.retry ?? {}), request.signal);
          continue;
        }
        throw networkError(method, url, error);
      }
      this.#report(method, url, response.statusCode, attempt, started);
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
          throw new RegistryError('REGISTRY_RESPONSE', `${redactUrl(url)} redirected without a Location`, {
            status: response.statusCode,
          });
        if (++redirects > MAX_REDIRECTS)
          throw new RegistryError('REGISTRY_RESPONSE', `Too many redirects from ${redactUrl(request.url)}`);
        const next = new URL(location, url);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') {
          throw new RegistryError(
            'REGISTRY_RESPONSE',
            `${redactUrl(url)} redirected to an unsupported scheme ${next.protocol}`,
          );
        }
        if (next.origin !== url.origin) {
          // Credentials are for the registry; object storage gets a pre-signed URL instead.
          headers = Object.fromEntries(
            Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'authorization'),
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
        await sleep(wait, request.signal);
        continue;
      }
      return result;
    }
  }

  #report(method: string, url: URL, status: number, attempt: number, started: number): void {
    this.#options.onRequest?.({
      method,
      url: redactUrl(url),
      status,
      attempt,
      durationMs: performance.now() - started,
    });
  }

  /** Closes every pooled connection. */
  async close(): Promise<void> {
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((p) => p.close().catch(() => p.destroy())));
  }
}

function isStream(body: HttpRequest['body']): boolean {
  return body !== undefined && !(body instanceof Uint8Array);
}

function networkError(method: string, url: URL, error: unknown): RegistryError {
  const code = (error as { code?: string }).code;
  if (
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT'
  ) {
    return new RegistryTimeoutError(`${method} ${redactUrl(url)} timed out (${code})`, { cause: error });
  }
  const detail = code ?? (error as Error).message ?? 'unknown error';
  return new RegistryError('REGISTRY_UNREACHABLE', `${method} ${redactUrl(url)} failed: ${detail}`, {
    cause: error,
  });
}
