/**
 * The session core of `RegistryClient`: one transport (pooled keep-alive connections), the
 * endpoint table, the authenticator, and the helpers every operation uses — an authenticated
 * request, the typed error for an unexpected response, a whole-body GET with retries, token
 * scopes, the blob throughput floor and a total deadline for streamed work.
 *
 * It knows no registry API paths beyond what it is handed: manifests, blobs, uploads, tags and
 * referrers live in their own modules and take a `RegistrySession`. Internal; not exported from
 * the package.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { RegistryAuthError, RegistryError, RegistryTimeoutError } from '../errors/registry.js';
import { Authenticator } from './auth/authenticator.js';
import {
  type CredentialProvider,
  type Credentials,
  chainCredentials,
  staticCredentials,
} from './auth/credentials.js';
import { dockerConfigCredentials } from './auth/docker-config.js';
import type { Endpoint } from './endpoint.js';
import { Endpoints } from './endpoint.js';
import {
  type CallOptions,
  checkPositive,
  DEFAULT_MANIFEST_LIMIT,
  DEFAULT_MIN_BLOB_BYTES_PER_SECOND,
  type DeadlineOptions,
  type RegistryClientOptions,
} from './options.js';
import { errorFromResponse } from './response-errors.js';
import {
  discard,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  readBody,
  Transport,
} from './transport/http.js';
import { deadlineSignal } from './transport/lifetime.js';
import { isRetryableError } from './transport/retry.js';

/**
 * What one `RegistryClient` shares across its operations: transport, endpoints, auth, limits, and
 * the request/error/scope helpers. Built once by the client from its options.
 */
export class RegistrySession {
  readonly #transport: Transport;
  readonly endpoints: Endpoints;
  readonly #auth: Authenticator;
  readonly maxManifestBytes: number;
  readonly documentTimeoutMs: number;
  readonly minBlobBytesPerSecond: number;
  /** Per registry: does it serve the referrers API? Learned on first use. */
  readonly referrersApi = new Map<string, boolean>();

  /** Checks the options and builds the transport, endpoints and authenticator they describe. */
  constructor(options: RegistryClientOptions = {}) {
    for (const name of ['timeoutMs', 'bodyTimeoutMs', 'documentTimeoutMs', 'maxManifestBytes'] as const)
      checkPositive(options[name], name);
    this.documentTimeoutMs =
      options.documentTimeoutMs ?? (options.timeoutMs ?? 30_000) + (options.bodyTimeoutMs ?? 30_000);
    const floor = options.minBlobBytesPerSecond ?? DEFAULT_MIN_BLOB_BYTES_PER_SECOND;
    if (!Number.isFinite(floor) || floor < 0)
      throw new InvalidArgumentError('minBlobBytesPerSecond must be a non-negative number');
    this.minBlobBytesPerSecond = floor;
    this.#transport = new Transport({
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      userAgent: options.userAgent ?? 'ocisign',
    });
    this.endpoints = new Endpoints({
      ...(options.mirrors === undefined ? {} : { mirrors: options.mirrors }),
      ...(options.insecureRegistries === undefined ? {} : { insecureRegistries: options.insecureRegistries }),
    });
    const providers: CredentialProvider[] = [];
    if (options.credentials !== undefined) {
      const c = options.credentials;
      providers.push(
        typeof (c as CredentialProvider).credentials === 'function'
          ? (c as CredentialProvider)
          : staticCredentials(c as Record<string, Credentials>),
      );
    }
    if (options.dockerConfig !== false)
      providers.push(
        dockerConfigCredentials(options.dockerConfig === undefined ? {} : { path: options.dockerConfig }),
      );
    this.#auth = new Authenticator({
      transport: this.#transport,
      credentials: chainCredentials(...providers),
      allowsPlainHttp: (host) => this.endpoints.allowsPlainHttp(host),
      deadlineMs: this.documentTimeoutMs,
    });
    this.maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MANIFEST_LIMIT;
  }

  /**
   * Sends a request to a registry with auth: cached credentials first, one retry after a 401
   * challenge. Credentials go only to the endpoint's own origin: a request for another origin (an
   * upload Location elsewhere) is sent without them, and a 401 from another origin (a redirect
   * target) is returned as it is, never answered with the registry's credentials.
   */
  async request(
    endpoint: Endpoint,
    scopes: readonly string[],
    request: {
      method: HttpMethod;
      url: URL;
      headers?: Record<string, string>;
      body?: Uint8Array | AsyncIterable<Uint8Array>;
      idempotent: boolean;
      signal?: AbortSignal | undefined;
      /** A deadline for the whole exchange; default documentTimeoutMs, unless the body is streamed or large. */
      deadlineMs?: number | undefined;
      what?: string;
      /** Read the body whole, keeping at most this many bytes (see the transport's `wholeBody`). */
      wholeBody?: number;
    },
  ): Promise<HttpResponse> {
    const origin = endpoint.origin;
    const ours = request.url.origin === origin;
    const small =
      request.body === undefined ||
      (request.body instanceof Uint8Array &&
        request.body.length <= this.maxManifestBytes &&
        request.method !== 'PATCH');
    // One request object for every try; credentials travel beside it, never copied into it.
    const http: HttpRequest = {
      method: request.method,
      url: request.url,
      headers: request.headers,
      body: request.body,
      idempotent: request.idempotent,
      signal: request.signal,
      deadlineMs: 'deadlineMs' in request ? request.deadlineMs : small ? this.documentTimeoutMs : undefined,
      what: request.what,
      wholeBody: request.wholeBody,
    };
    if (!ours) return this.#transport.send(http);
    const send = (authorization: string | undefined) => this.#transport.send(http, authorization);
    const known = this.#auth.authorization(endpoint.host, scopes, request.signal);
    let response = await send(known instanceof Promise ? await known : known);
    if (response.status === 401 && response.url.origin === origin) {
      const streamBody = request.body !== undefined && !(request.body instanceof Uint8Array);
      const authorization = await this.#auth
        .challenged(endpoint.host, response, scopes, request.signal)
        .finally(() => discard(response));
      if (streamBody)
        throw new RegistryAuthError(
          `${endpoint.host} asked for credentials in the middle of a streamed upload; retry the upload`,
        );
      response = await send(authorization);
      if (response.status === 401) this.#auth.forget(endpoint.host, scopes);
    }
    return response;
  }

  /** The typed error for an unexpected response, its body read with a deadline and scrubbed of secrets. */
  error(response: HttpResponse, action: string): Promise<RegistryError> {
    return errorFromResponse(response, action, {
      redact: (text) => this.#auth.redactor.scrub(text),
      deadlineMs: this.documentTimeoutMs,
    });
  }

  /**
   * A GET whose body we read whole, within documentTimeoutMs: retried (like the request itself)
   * when the connection breaks mid-body. Non-200 responses come back unread for the caller to turn
   * into errors.
   */
  async getWhole(
    endpoint: Endpoint,
    scopes: readonly string[],
    request: {
      url: URL;
      headers?: Record<string, string>;
      signal?: AbortSignal | undefined;
      deadlineMs?: number;
    },
    limit: number,
    what: string,
  ): Promise<{ response: HttpResponse; bytes?: Uint8Array }> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.request(endpoint, scopes, {
        method: 'GET',
        idempotent: true,
        what,
        wholeBody: limit,
        ...request,
      });
      if (response.status !== 200) return { response };
      try {
        return { response, bytes: await readBody(response, limit, what) };
      } catch (error) {
        // Retry a dropped connection; never our own limits, deadlines or the caller's abort.
        const dropped =
          error instanceof RegistryError &&
          (error.code === 'REGISTRY_UNREACHABLE' || error.code === 'REGISTRY_TIMEOUT') &&
          isRetryableError(error.cause);
        if (!dropped || attempt >= 3) throw error;
      }
    }
  }

  /** Token scopes for a repository: pull, or pull and push, plus any `extra`. */
  scopes(repository: string, push: boolean, extra: readonly string[] = []): string[] {
    return [`repository:${repository}:${push ? 'pull,push' : 'pull'}`, ...extra];
  }

  /** Throws RegistryTimeoutError when a stream, past its grace time, averages under the floor. */
  checkThroughput(what: string, received: number, elapsedMs: number): void {
    const floor = this.minBlobBytesPerSecond;
    if (floor === 0 || elapsedMs <= this.documentTimeoutMs) return;
    const rate = (received * 1000) / elapsedMs;
    if (rate < floor)
      throw new RegistryTimeoutError(
        `${what} arrived at ${Math.round(rate)} bytes/s after ${elapsedMs} ms, under the floor of ${floor} bytes/s (minBlobBytesPerSecond)`,
      );
  }

  /**
   * Runs `work` under a total deadline when `options.deadlineMs` is set: its signal then fires with
   * a RegistryTimeoutError when the deadline passes (or with the caller's abort, typed).
   */
  async withDeadline<T, O extends CallOptions & DeadlineOptions>(
    options: O,
    what: string,
    work: (options: O) => Promise<T>,
  ): Promise<T> {
    const ms = checkPositive(options.deadlineMs, 'deadlineMs');
    if (ms === undefined) return work(options);
    const deadline = deadlineSignal(options.signal, ms, what);
    try {
      return await work({ ...options, signal: deadline.signal, deadlineMs: undefined });
    } finally {
      deadline.dispose();
    }
  }

  /** Aborts every request in flight and closes the pooled connections. */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}
