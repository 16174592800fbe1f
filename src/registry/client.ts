/**
 * `RegistryClient`: the OCI distribution API — manifests, blobs, tags, referrers — over one
 * keep-alive connection pool per registry, with auth, retries, digest checks and size limits.
 *
 * Every fetched manifest and blob is checked against its digest before anyone sees it. Tags are
 * resolved with a GET of the manifest (which callers need anyway) rather than HEAD, because undici
 * closes the connection after each HEAD.
 *
 * Credentials are attached only to requests for the registry's own origin: an upload `Location`
 * or a redirect on another host gets none, and its 401 challenge is not answered. Small documents
 * have a deadline for the whole response (`documentTimeoutMs`); blob streams keep the idle timeout
 * and take an optional total deadline. Every failure is a typed error.
 */
import { InvalidArgumentError } from '../errors/base.js';
import {
  DigestMismatchError,
  RegistryAuthError,
  RegistryError,
  RegistryResponseError,
  RegistryTimeoutError,
  SizeLimitError,
} from '../errors/registry.js';
import { concatBytes } from '../internal/bytes.js';
import { type ImageReference, parseImageReference } from '../internal/reference.js';
import { Authenticator } from './auth/authenticator.js';
import {
  type CredentialProvider,
  type Credentials,
  chainCredentials,
  staticCredentials,
} from './auth/credentials.js';
import { dockerConfigCredentials } from './auth/docker-config.js';
import { computeDigest, DigestVerifier, digestAlgorithmOf } from './digest.js';
import { parseTagList } from './documents.js';
import { apiUrl, type Endpoint, Endpoints } from './endpoint.js';
import { contentDigest, contentType, nextLink } from './headers.js';
import { type Descriptor, type Manifest, parseManifest, parseReferrersIndex } from './manifest.js';
import { MANIFEST_ACCEPT, MediaType } from './media-types.js';
import { addToFallbackIndex, readFallbackIndex } from './referrers-fallback.js';
import { errorFromResponse } from './response-errors.js';
import {
  bodyError,
  declaredLength,
  discard,
  type HttpMethod,
  type HttpResponse,
  header,
  parseUrl,
  type RequestInfo,
  readBody,
  Transport,
} from './transport/http.js';
import { deadlineSignal } from './transport/lifetime.js';
import { isRetryableError, type RetryOptions } from './transport/retry.js';

/** Manifests larger than this are refused (distribution's own limit). */
export const DEFAULT_MANIFEST_LIMIT = 4 * 1024 * 1024;
/** Default chunk size for chunked blob uploads. */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
/**
 * Default floor of a streamed blob's average speed (bytes per second), applied once the transfer
 * has lasted longer than a small document may: far below any working registry, far above a
 * byte-at-a-time trickle.
 */
export const DEFAULT_MIN_BLOB_BYTES_PER_SECOND = 8192;
/** Page size for tag listing (ECR refuses more than 1000). */
const TAG_PAGE_SIZE = 1000;
/** Most tags one listTags call collects (a hostile registry could page forever): ~100 MB of names. */
const MAX_TAGS = 1_000_000;
/** Largest tag-list page read. */
const TAG_PAGE_LIMIT = 16 * 1024 * 1024;
/** Most tag-list pages one listTags call follows (1 000 000 tags at 100 a page). */
const MAX_TAG_PAGES = 10_000;
/** Largest blob getBlobBytes reads unless told otherwise. */
const DEFAULT_BLOB_BYTES_LIMIT = 16 * 1024 * 1024;

/**
 * Options of {@link RegistryClient}: credentials, Docker config, insecure registries, mirrors, CA,
 * timeouts, retries, limits and a request hook.
 */
export interface RegistryClientOptions {
  /**
   * Credentials: a map of registry host → credentials, or a provider (ECR/GAR/ACR token vendors,
   * vaults…). Looked up for the host a request is sent to. Combined with the Docker config unless
   * `dockerConfig` is false.
   */
  readonly credentials?: Readonly<Record<string, Credentials>> | CredentialProvider;
  /** Docker config.json path (or its directory); false to ignore it. Default: `$DOCKER_CONFIG` or `~/.docker`. */
  readonly dockerConfig?: string | false;
  /** Hosts that may be reached over plain HTTP (loopback hosts always may). */
  readonly insecureRegistries?: readonly string[];
  /** Registry host → endpoint URL, e.g. `{ 'ghcr.io': 'http://127.0.0.1:5000' }`. */
  readonly mirrors?: Readonly<Record<string, string>>;
  /** Extra CA certificates (PEM) for HTTPS registries. */
  readonly ca?: string | readonly string[];
  /** Called after every HTTP exchange (retries and redirects included), for counting and tracing. */
  readonly onRequest?: (info: RequestInfo) => void;
  /** Time until response headers arrive, per attempt. Default 30 000 ms. */
  readonly timeoutMs?: number;
  /** Longest silence while a body streams. Default 30 000 ms. */
  readonly bodyTimeoutMs?: number;
  /**
   * Longest time a small document may take as a whole, per attempt — from sending the request to
   * its last byte, however slowly a registry trickles it: manifests, indexes, referrers, tag-list
   * pages, token responses, error bodies, `getBlobBytes` payloads, and every request without a
   * large body (HEAD, DELETE, manifest PUT, upload start). A `RegistryTimeoutError` when it passes.
   * Streamed blobs (`getBlob`, uploads) are not bounded by it; give them `deadlineMs`.
   * Default `timeoutMs + bodyTimeoutMs` (60 000 ms).
   */
  readonly documentTimeoutMs?: number;
  /**
   * The slowest a streamed blob (`getBlob`, `copyBlob`'s read) may arrive, in bytes per second on
   * average, once it has taken longer than `documentTimeoutMs`: a registry that trickles a byte at a
   * time, never silent long enough for the idle timeout, is cut off with `RegistryTimeoutError`,
   * while a large blob that keeps moving is not. Default 8 192 (a 1 GiB blob may take 36 hours);
   * 0 turns the floor off.
   */
  readonly minBlobBytesPerSecond?: number;
  readonly retry?: RetryOptions;
  /** Largest manifest read. Default 4 MiB. */
  readonly maxManifestBytes?: number;
  readonly userAgent?: string;
}

/**
 * Options every I/O call takes. When `signal` fires the call rejects with `AbortedError` — or
 * `OperationTimeoutError` when it is `AbortSignal.timeout(…)`'s — with `signal.reason` as `cause`.
 */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
}

/**
 * A total deadline for a streamed transfer (a blob GET, a copy): `RegistryTimeoutError` when it
 * passes. Without one, only the idle timeout (`bodyTimeoutMs`) applies, so a 1 GiB copy that keeps
 * moving is never cut off.
 */
export interface DeadlineOptions {
  readonly deadlineMs?: number | undefined;
}

/** A manifest as fetched: its bytes (the manifest itself), digest, media type and parsed form. */
export interface FetchedManifest {
  readonly digest: string;
  readonly mediaType: string;
  readonly size: number;
  readonly bytes: Uint8Array;
  readonly manifest: Manifest;
}

/** Where a repository is: a reference string (`ghcr.io/acme/app`) or a parsed reference. */
export type RepositoryRef = string | Pick<ImageReference, 'registry' | 'repository'>;

/** Options of blob uploads and copies. */
export interface PushBlobOptions extends CallOptions, DeadlineOptions {
  /** Try a cross-repository mount from this repository (same registry) first. */
  readonly mountFrom?: RepositoryRef;
  /** Upload in PATCH chunks of this size; default: one monolithic PUT. */
  readonly chunkSize?: number;
  /** Called as bytes are sent, for progress reporting on large uploads. */
  readonly onProgress?: (bytesSent: number, total: number) => void;
  readonly mediaType?: string;
}

/** Options of {@link RegistryClient.referrers}: only referrers of this `artifactType`, when given. */
export interface ReferrersOptions extends CallOptions {
  readonly artifactType?: string;
}

/** A duration or size option: undefined, or a positive finite number (NaN would fire every timer at once). */
function checkPositive(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0))
    throw new InvalidArgumentError(
      `${name} must be a positive number of milliseconds (or bytes), got ${String(value)}`,
    );
  return value;
}

function toRepository(ref: RepositoryRef): Pick<ImageReference, 'registry' | 'repository'> {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}

function toReference(ref: string | ImageReference): ImageReference {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}

/**
 * An OCI distribution client: references, auth (basic, bearer, Docker config and credential
 * helpers), manifests, verified blob streams, uploads, tags and referrers — over pooled keep-alive
 * connections with retries, timeouts and size limits.
 */
export class RegistryClient {
  readonly #transport: Transport;
  readonly #endpoints: Endpoints;
  readonly #auth: Authenticator;
  readonly #maxManifestBytes: number;
  readonly #documentTimeoutMs: number;
  readonly #minBlobBytesPerSecond: number;
  /** Per registry: does it serve the referrers API? Learned on first use. */
  readonly #referrersApi = new Map<string, boolean>();

  constructor(options: RegistryClientOptions = {}) {
    for (const name of ['timeoutMs', 'bodyTimeoutMs', 'documentTimeoutMs', 'maxManifestBytes'] as const)
      checkPositive(options[name], name);
    this.#documentTimeoutMs =
      options.documentTimeoutMs ?? (options.timeoutMs ?? 30_000) + (options.bodyTimeoutMs ?? 30_000);
    const floor = options.minBlobBytesPerSecond ?? DEFAULT_MIN_BLOB_BYTES_PER_SECOND;
    if (!Number.isFinite(floor) || floor < 0)
      throw new InvalidArgumentError('minBlobBytesPerSecond must be a non-negative number');
    this.#minBlobBytesPerSecond = floor;
    this.#transport = new Transport({
      ...(options.ca === undefined ? {} : { ca: options.ca }),
      ...(options.onRequest === undefined ? {} : { onRequest: options.onRequest }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: options.bodyTimeoutMs }),
      ...(options.retry === undefined ? {} : { retry: options.retry }),
      userAgent: options.userAgent ?? 'ocisign',
    });
    this.#endpoints = new Endpoints({
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
      allowsPlainHttp: (host) => this.#endpoints.allowsPlainHttp(host),
      deadlineMs: this.#documentTimeoutMs,
    });
    this.#maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MANIFEST_LIMIT;
  }

  /**
   * Sends a request to a registry with auth: cached credentials first, one retry after a 401
   * challenge. Credentials go only to the endpoint's own origin: a request for another origin (an
   * upload Location elsewhere) is sent without them, and a 401 from another origin (a redirect
   * target) is returned as it is, never answered with the registry's credentials.
   */
  async #request(
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
    },
  ): Promise<HttpResponse> {
    const ours = (url: URL) => url.origin === endpoint.baseUrl.origin;
    const small =
      request.body === undefined ||
      (request.body instanceof Uint8Array &&
        request.body.length <= this.#maxManifestBytes &&
        request.method !== 'PATCH');
    const deadlineMs =
      'deadlineMs' in request ? request.deadlineMs : small ? this.#documentTimeoutMs : undefined;
    const send = (authorization: string | undefined) =>
      this.#transport.send({
        ...request,
        deadlineMs,
        headers: {
          ...request.headers,
          ...(authorization === undefined || !ours(request.url) ? {} : { authorization }),
        },
      });
    if (!ours(request.url)) return send(undefined);
    let response = await send(await this.#auth.authorization(endpoint.host, scopes, request.signal));
    if (response.status === 401 && ours(response.url)) {
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
  #error(response: HttpResponse, action: string): Promise<RegistryError> {
    return errorFromResponse(response, action, {
      redact: (text) => this.#auth.redactor.scrub(text),
      deadlineMs: this.#documentTimeoutMs,
    });
  }

  /**
   * A GET whose body we read whole, within documentTimeoutMs: retried (like the request itself)
   * when the connection breaks mid-body. Non-200 responses come back unread for the caller to turn
   * into errors.
   */
  async #getWhole(
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
      const response = await this.#request(endpoint, scopes, {
        method: 'GET',
        idempotent: true,
        what,
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

  #scopes(repository: string, push: boolean, extra: readonly string[] = []): string[] {
    return [`repository:${repository}:${push ? 'pull,push' : 'pull'}`, ...extra];
  }

  // ---- manifests ---------------------------------------------------------------------------------

  /**
   * Fetches a manifest or index by tag or digest, checked against its digest (the reference's digest,
   * else the registry's `Docker-Content-Digest` when that is a well-formed digest; a malformed one
   * is ignored, the bytes' own sha256 is their digest), within `documentTimeoutMs`, and parsed into a
   * validated image manifest or index.
   */
  async getManifest(
    ref: string | ImageReference,
    options: CallOptions & { accept?: readonly string[] } = {},
  ): Promise<FetchedManifest> {
    const reference = toReference(ref);
    const endpoint = this.#endpoints.for(reference.registry);
    const id = reference.digest ?? reference.tag ?? 'latest';
    const { response, bytes } = await this.#getWhole(
      endpoint,
      this.#scopes(reference.repository, false),
      {
        url: apiUrl(endpoint, reference.repository, `manifests/${id}`),
        headers: { accept: options.accept?.join(', ') ?? MANIFEST_ACCEPT },
        signal: options.signal,
      },
      this.#maxManifestBytes,
      `Manifest ${reference.repository}:${id}`,
    );
    if (bytes === undefined) throw await this.#error(response, `GET manifest ${reference.repository}:${id}`);
    const served = contentDigest(response);
    const expected = reference.digest ?? served;
    const digest = computeDigest(bytes, expected === undefined ? 'sha256' : digestAlgorithmOf(expected));
    if (expected !== undefined && digest !== expected) {
      throw new DigestMismatchError(
        `Manifest ${reference.repository}:${id} does not match its digest: expected ${expected}, got ${digest}`,
      );
    }
    if (
      reference.digest !== undefined &&
      served !== undefined &&
      served !== reference.digest &&
      digestAlgorithmOf(served) === digestAlgorithmOf(digest)
    ) {
      throw new DigestMismatchError(`Registry reports digest ${served} for manifest ${reference.digest}`);
    }
    const manifest = parseManifest(bytes, contentType(response));
    const mediaType = manifest.mediaType ?? contentType(response) ?? MediaType.ociManifest;
    return { digest, mediaType, size: bytes.length, bytes, manifest };
  }

  /** Resolves a tag (or digest) to the descriptor of its manifest. One GET; no HEAD. */
  async resolve(ref: string | ImageReference, options: CallOptions = {}): Promise<Descriptor> {
    const fetched = await this.getManifest(ref, options);
    return { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size };
  }

  /** HEAD of a manifest: its descriptor, or undefined when it does not exist. */
  async headManifest(
    ref: string | ImageReference,
    options: CallOptions = {},
  ): Promise<Descriptor | undefined> {
    const reference = toReference(ref);
    const endpoint = this.#endpoints.for(reference.registry);
    const id = reference.digest ?? reference.tag ?? 'latest';
    const response = await this.#request(endpoint, this.#scopes(reference.repository, false), {
      method: 'HEAD',
      url: apiUrl(endpoint, reference.repository, `manifests/${id}`),
      headers: { accept: MANIFEST_ACCEPT },
      idempotent: true,
      signal: options.signal,
    });
    await discard(response);
    if (response.status === 404) return undefined;
    if (response.status !== 200)
      throw await this.#error(response, `HEAD manifest ${reference.repository}:${id}`);
    const served = contentDigest(response);
    if (served === undefined && header(response, 'docker-content-digest') !== undefined)
      throw new RegistryResponseError(
        `HEAD manifest ${reference.repository}:${id}: the registry sent a Docker-Content-Digest that is not a digest`,
      );
    if (
      served !== undefined &&
      reference.digest !== undefined &&
      served !== reference.digest &&
      digestAlgorithmOf(served) === digestAlgorithmOf(reference.digest)
    )
      throw new DigestMismatchError(`Registry reports digest ${served} for manifest ${reference.digest}`);
    const digest = served ?? reference.digest;
    if (digest === undefined)
      throw new RegistryResponseError(
        `HEAD manifest ${reference.repository}:${id}: the registry sent no Docker-Content-Digest`,
      );
    const size = declaredLength(response);
    if (size === undefined || !Number.isSafeInteger(size))
      throw new RegistryResponseError(
        `HEAD manifest ${reference.repository}:${id}: the registry sent no valid Content-Length`,
      );
    return { mediaType: contentType(response) ?? MediaType.ociManifest, digest, size };
  }

  /**
   * Uploads a manifest under a tag or by digest (the reference's tag, else its digest, else the
   * digest of `bytes`). Returns its descriptor. The bytes are sent exactly as given.
   */
  async putManifest(
    ref: string | ImageReference,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<Descriptor & { subjectAccepted: boolean }> {
    const reference = toReference(ref);
    if (bytes.length > this.#maxManifestBytes)
      throw new InvalidArgumentError(
        `Manifest is ${bytes.length} bytes, over the ${this.#maxManifestBytes}-byte limit registries accept`,
      );
    const digest = computeDigest(
      bytes,
      reference.digest === undefined ? 'sha256' : digestAlgorithmOf(reference.digest),
    );
    if (reference.digest !== undefined && reference.digest !== digest) {
      throw new InvalidArgumentError(`Manifest bytes hash to ${digest}, not ${reference.digest}`);
    }
    const id = reference.tag ?? digest;
    const endpoint = this.#endpoints.for(reference.registry);
    const response = await this.#request(endpoint, this.#scopes(reference.repository, true), {
      method: 'PUT',
      url: apiUrl(endpoint, reference.repository, `manifests/${id}`),
      headers: { 'content-type': mediaType },
      body: bytes,
      idempotent: true,
      signal: options.signal,
    });
    if (response.status !== 201 && response.status !== 200)
      throw await this.#error(response, `PUT manifest ${reference.repository}:${id}`);
    const subjectAccepted = header(response, 'oci-subject') !== undefined;
    await discard(response);
    return { mediaType, digest, size: bytes.length, subjectAccepted };
  }

  /** Deletes a manifest by digest (registries refuse tag deletes). */
  async deleteManifest(ref: string | ImageReference, options: CallOptions = {}): Promise<void> {
    const reference = toReference(ref);
    if (reference.digest === undefined)
      throw new InvalidArgumentError('deleteManifest needs a digest reference (repo@sha256:…)');
    const endpoint = this.#endpoints.for(reference.registry);
    const response = await this.#request(
      endpoint,
      this.#scopes(reference.repository, true, [`repository:${reference.repository}:delete`]),
      {
        method: 'DELETE',
        url: apiUrl(endpoint, reference.repository, `manifests/${reference.digest}`),
        idempotent: true,
        signal: options.signal,
      },
    );
    if (response.status !== 202 && response.status !== 200)
      throw await this.#error(response, `DELETE manifest ${reference.repository}@${reference.digest}`);
    await discard(response);
  }

  // ---- blobs -------------------------------------------------------------------------------------

  /** The streamed GET of a blob: no whole-response deadline unless the caller gives one. */
  async #blobResponse(
    repo: RepositoryRef,
    digest: string,
    options: CallOptions & DeadlineOptions & { size?: number | undefined },
  ): Promise<HttpResponse> {
    const { registry, repository } = toRepository(repo);
    digestAlgorithmOf(digest);
    const endpoint = this.#endpoints.for(registry);
    const response = await this.#request(endpoint, this.#scopes(repository, false), {
      method: 'GET',
      url: apiUrl(endpoint, repository, `blobs/${digest}`),
      idempotent: true,
      signal: options.signal,
      deadlineMs: checkPositive(options.deadlineMs, 'deadlineMs'),
      what: `GET blob ${repository}@${digest}`,
    });
    if (response.status !== 200) throw await this.#error(response, `GET blob ${repository}@${digest}`);
    const declared = declaredLength(response);
    if (options.size !== undefined && declared !== undefined && declared > options.size) {
      response.body.destroy();
      throw new SizeLimitError(`Blob ${digest} is ${declared} bytes; its descriptor says ${options.size}`);
    }
    return response;
  }

  /**
   * Streams a blob, hashing as bytes flow. The last chunk is held back until the digest (and size,
   * when given) check out, so an iteration that completes has seen only verified bytes; a mismatch
   * ends it with DigestMismatchError. Only the idle timeout (`bodyTimeoutMs`) bounds it, unless
   * `deadlineMs` is given; a declared length over `size` is refused before reading.
   */
  async *getBlob(
    repo: RepositoryRef,
    digest: string,
    options: CallOptions &
      DeadlineOptions & {
        size?: number;
        onProgress?: (received: number, total: number | undefined) => void;
      } = {},
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const response = await this.#blobResponse(repo, digest, options);
    const verifier = new DigestVerifier(digest, options.size);
    const started = Date.now();
    let held: Uint8Array | undefined;
    try {
      for await (const chunk of response.body) {
        const bytes = chunk as Uint8Array;
        verifier.update(bytes);
        this.#checkThroughput(`Blob ${digest}`, verifier.length, Date.now() - started);
        options.onProgress?.(verifier.length, options.size);
        if (held !== undefined) yield held;
        held = bytes;
      }
    } catch (error) {
      // Typed already (our deadline, the caller's abort, close()); undici's errors become ours.
      throw bodyError(`Blob ${digest}`, error);
    } finally {
      if (!response.body.destroyed) response.body.destroy();
    }
    verifier.verify();
    if (held !== undefined) yield held;
  }

  /** Throws RegistryTimeoutError when a stream, past its grace time, averages under the floor. */
  #checkThroughput(what: string, received: number, elapsedMs: number): void {
    const floor = this.#minBlobBytesPerSecond;
    if (floor === 0 || elapsedMs <= this.#documentTimeoutMs) return;
    const rate = (received * 1000) / elapsedMs;
    if (rate < floor)
      throw new RegistryTimeoutError(
        `${what} arrived at ${Math.round(rate)} bytes/s after ${elapsedMs} ms, under the floor of ${floor} bytes/s (minBlobBytesPerSecond)`,
      );
  }

  /**
   * Reads a whole (small) blob — a payload, a config — verified, with retries, within
   * `documentTimeoutMs` (or `deadlineMs`); refuses more than `maxBytes` (default 16 MiB) or than
   * `size`, before reading when the declared length says so.
   */
  async getBlobBytes(
    repo: RepositoryRef,
    digest: string,
    options: CallOptions & DeadlineOptions & { maxBytes?: number; size?: number } = {},
  ): Promise<Uint8Array> {
    const { registry, repository } = toRepository(repo);
    digestAlgorithmOf(digest);
    const endpoint = this.#endpoints.for(registry);
    const limit = Math.min(
      options.maxBytes ?? DEFAULT_BLOB_BYTES_LIMIT,
      options.size ?? Number.POSITIVE_INFINITY,
    );
    const { response, bytes } = await this.#getWhole(
      endpoint,
      this.#scopes(repository, false),
      {
        url: apiUrl(endpoint, repository, `blobs/${digest}`),
        signal: options.signal,
        ...(checkPositive(options.deadlineMs, 'deadlineMs') === undefined
          ? {}
          : { deadlineMs: options.deadlineMs as number }),
      },
      limit,
      `Blob ${digest}`,
    );
    if (bytes === undefined) throw await this.#error(response, `GET blob ${repository}@${digest}`);
    const verifier = new DigestVerifier(digest, options.size);
    verifier.update(bytes);
    verifier.verify();
    return bytes;
  }

  /** Whether the repository has the blob (HEAD). */
  async blobExists(repo: RepositoryRef, digest: string, options: CallOptions = {}): Promise<boolean> {
    return this.#blobExists(repo, digest, false, options);
  }

  /** HEAD of a blob; `forPush` asks for the push scope up front so the upload that follows reuses the token. */
  async #blobExists(
    repo: RepositoryRef,
    digest: string,
    forPush: boolean,
    options: CallOptions,
  ): Promise<boolean> {
    const { registry, repository } = toRepository(repo);
    const endpoint = this.#endpoints.for(registry);
    const response = await this.#request(endpoint, this.#scopes(repository, forPush), {
      method: 'HEAD',
      url: apiUrl(endpoint, repository, `blobs/${digest}`),
      idempotent: true,
      signal: options.signal,
    });
    await discard(response);
    if (response.status === 200) return true;
    if (response.status === 404) return false;
    throw await this.#error(response, `HEAD blob ${repository}@${digest}`);
  }

  /** Cross-repository mount within one registry; true when the registry mounted it. */
  async mountBlob(
    repo: RepositoryRef,
    digest: string,
    from: RepositoryRef,
    options: CallOptions = {},
  ): Promise<boolean> {
    const target = toRepository(repo);
    const source = toRepository(from);
    if (source.registry !== target.registry) return false;
    const endpoint = this.#endpoints.for(target.registry);
    const url = apiUrl(endpoint, target.repository, 'blobs/uploads/');
    url.searchParams.set('mount', digest);
    url.searchParams.set('from', source.repository);
    const response = await this.#request(
      endpoint,
      this.#scopes(target.repository, true, [`repository:${source.repository}:pull`]),
      {
        method: 'POST',
        url,
        idempotent: false,
        signal: options.signal,
      },
    );
    if (response.status === 201) {
      await discard(response);
      return true;
    }
    if (response.status === 202) {
      // Not mounted; the registry opened an upload session we do not use. It expires on its own.
      await discard(response);
      return false;
    }
    throw await this.#error(response, `mount blob ${digest} into ${target.repository}`);
  }

  async #startUpload(endpoint: Endpoint, repository: string, signal: AbortSignal | undefined): Promise<URL> {
    const response = await this.#request(endpoint, this.#scopes(repository, true), {
      method: 'POST',
      url: apiUrl(endpoint, repository, 'blobs/uploads/'),
      idempotent: false,
      signal,
    });
    if (response.status !== 202) throw await this.#error(response, `start upload to ${repository}`);
    await discard(response);
    return uploadLocation(response, (host) => this.#endpoints.allowsPlainHttp(host));
  }

  /**
   * Runs `work` under a total deadline when `options.deadlineMs` is set: its signal then fires with
   * a RegistryTimeoutError when the deadline passes (or with the caller's abort, typed).
   */
  async #withDeadline<T, O extends CallOptions & DeadlineOptions>(
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

  /**
   * Uploads a blob given as bytes: skipped when present, mounted when `mountFrom` has it, else one
   * monolithic PUT or PATCH chunks of `chunkSize`. `deadlineMs` bounds the whole upload.
   */
  async pushBlob(repo: RepositoryRef, bytes: Uint8Array, options: PushBlobOptions = {}): Promise<Descriptor> {
    return this.#withDeadline(options, 'Blob upload', (o) => this.#pushBlob(repo, bytes, o));
  }

  async #pushBlob(repo: RepositoryRef, bytes: Uint8Array, options: PushBlobOptions): Promise<Descriptor> {
    const { registry, repository } = toRepository(repo);
    const digest = computeDigest(bytes);
    const descriptor: Descriptor = {
      mediaType: options.mediaType ?? 'application/octet-stream',
      digest,
      size: bytes.length,
    };
    if (await this.#blobExists({ registry, repository }, digest, true, options)) return descriptor;
    if (
      options.mountFrom !== undefined &&
      (await this.mountBlob({ registry, repository }, digest, options.mountFrom, options))
    )
      return descriptor;
    const chunkSize = options.chunkSize ?? bytes.length;
    async function* chunks(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < bytes.length; offset += Math.max(1, chunkSize))
        yield bytes.subarray(offset, offset + Math.max(1, chunkSize));
    }
    if (chunkSize >= bytes.length) {
      const endpoint = this.#endpoints.for(registry);
      const location = await this.#startUpload(endpoint, repository, options.signal);
      location.searchParams.set('digest', digest);
      const response = await this.#request(endpoint, this.#scopes(repository, true), {
        method: 'PUT',
        url: location,
        headers: { 'content-type': 'application/octet-stream' },
        body: bytes,
        idempotent: false,
        signal: options.signal,
      });
      if (response.status !== 201) throw await this.#error(response, `upload blob ${digest}`);
      await discard(response);
      options.onProgress?.(bytes.length, bytes.length);
      return descriptor;
    }
    return this.#pushBlobStream({ registry, repository }, chunks(), { ...descriptor }, options);
  }

  /**
   * Uploads a blob from a stream, for content too large to hold in memory: one streamed PATCH by
   * default (download and upload overlap when the source is another registry), or PATCH chunks of
   * `chunkSize` bytes. `descriptor` gives the digest and size; the registry checks the digest.
   * Only idle timeouts bound it, unless `deadlineMs` is given.
   */
  async pushBlobStream(
    repo: RepositoryRef,
    source: AsyncIterable<Uint8Array>,
    descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
    options: PushBlobOptions = {},
  ): Promise<Descriptor> {
    return this.#withDeadline(options, `Upload of blob ${descriptor.digest}`, (o) =>
      this.#pushBlobStream(repo, source, descriptor, o),
    );
  }

  async #pushBlobStream(
    repo: RepositoryRef,
    source: AsyncIterable<Uint8Array>,
    descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
    options: PushBlobOptions,
  ): Promise<Descriptor> {
    const { registry, repository } = toRepository(repo);
    const endpoint = this.#endpoints.for(registry);
    const scopes = this.#scopes(repository, true);
    let location = await this.#startUpload(endpoint, repository, options.signal);
    let sent = 0;
    const patch = async (body: Uint8Array | AsyncIterable<Uint8Array>, range?: string) => {
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (range !== undefined) headers['content-range'] = range;
      if (body instanceof Uint8Array) headers['content-length'] = String(body.length);
      const response = await this.#request(endpoint, scopes, {
        method: 'PATCH',
        url: location,
        headers,
        body,
        idempotent: false,
        signal: options.signal,
      });
      if (response.status !== 202) throw await this.#error(response, `upload of blob ${descriptor.digest}`);
      await discard(response);
      location = uploadLocation(response, (host) => this.#endpoints.allowsPlainHttp(host), location);
    };
    if (options.chunkSize === undefined) {
      const counted = async function* (): AsyncGenerator<Uint8Array> {
        for await (const chunk of source) {
          sent += chunk.length;
          options.onProgress?.(sent, descriptor.size);
          yield chunk;
        }
      };
      await patch(counted());
    } else {
      const chunkSize = Math.max(1, options.chunkSize);
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const flush = async () => {
        if (pendingBytes === 0) return;
        const body = pending.length === 1 ? (pending[0] as Uint8Array) : concatBytes(...pending);
        await patch(body, `${sent}-${sent + body.length - 1}`);
        sent += body.length;
        pending = [];
        pendingBytes = 0;
        options.onProgress?.(sent, descriptor.size);
      };
      for await (const chunk of source) {
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= chunkSize) await flush();
      }
      await flush();
    }
    if (sent !== descriptor.size)
      throw new InvalidArgumentError(
        `Blob stream gave ${sent} bytes; the descriptor says ${descriptor.size}`,
      );
    location.searchParams.set('digest', descriptor.digest);
    const response = await this.#request(endpoint, scopes, {
      method: 'PUT',
      url: location,
      headers: { 'content-length': '0' },
      idempotent: false,
      signal: options.signal,
    });
    if (response.status !== 201)
      throw await this.#error(response, `complete upload of blob ${descriptor.digest}`);
    await discard(response);
    return {
      mediaType: descriptor.mediaType ?? 'application/octet-stream',
      digest: descriptor.digest,
      size: descriptor.size,
    };
  }

  /**
   * Copies a blob between repositories: a mount on the same registry, else a streamed GET → PATCH
   * that never holds the blob in memory and verifies its digest on the way. Only idle timeouts
   * bound it (a 1 GiB copy that keeps moving is never cut off), unless `deadlineMs` is given.
   */
  async copyBlob(
    from: RepositoryRef,
    to: RepositoryRef,
    descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
    options: PushBlobOptions = {},
  ): Promise<Descriptor> {
    return this.#withDeadline(options, `Copy of blob ${descriptor.digest}`, (o) =>
      this.#copyBlob(from, to, descriptor, o),
    );
  }

  async #copyBlob(
    from: RepositoryRef,
    to: RepositoryRef,
    descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
    options: PushBlobOptions,
  ): Promise<Descriptor> {
    const result: Descriptor = {
      mediaType: descriptor.mediaType ?? 'application/octet-stream',
      digest: descriptor.digest,
      size: descriptor.size,
    };
    if (await this.#blobExists(to, descriptor.digest, true, options)) return result;
    if (await this.mountBlob(to, descriptor.digest, from, options)) return result;
    return this.#pushBlobStream(
      to,
      this.getBlob(from, descriptor.digest, { size: descriptor.size, signal: options.signal }),
      descriptor,
      options,
    );
  }

  // ---- tags and referrers --------------------------------------------------------------------------

  /**
   * All tags of a repository, following `Link` pagination on the registry's origin. Each page is a
   * small document (`documentTimeoutMs`, 16 MiB); a Link back to a page already read is a
   * RegistryResponseError, and more than 1 000 000 tags or 10 000 pages a SizeLimitError.
   */
  async listTags(repo: RepositoryRef, options: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    const { registry, repository } = toRepository(repo);
    const endpoint = this.#endpoints.for(registry);
    const tags: string[] = [];
    let url: URL | undefined = apiUrl(endpoint, repository, 'tags/list');
    url.searchParams.set('n', String(options.pageSize ?? TAG_PAGE_SIZE));
    const seen = new Set<string>();
    while (url !== undefined) {
      if (seen.has(url.href))
        throw new RegistryResponseError(`Tag list of ${repository}: the registry's Link pagination loops`);
      if (seen.size >= MAX_TAG_PAGES)
        throw new SizeLimitError(`Tag list of ${repository} has more than ${MAX_TAG_PAGES} pages`);
      seen.add(url.href);
      const { response, bytes: body } = await this.#getWhole(
        endpoint,
        this.#scopes(repository, false),
        { url, signal: options.signal },
        TAG_PAGE_LIMIT,
        `Tag list of ${repository}`,
      );
      if (body === undefined) throw await this.#error(response, `list tags of ${repository}`);
      const page = parseTagList(body, repository);
      if (tags.length + page.length > MAX_TAGS)
        throw new SizeLimitError(`Tag list of ${repository} has more than ${MAX_TAGS} tags`);
      tags.push(...page);
      url = nextLink(header(response, 'link'), url);
    }
    return tags;
  }

  /**
   * Manifests that refer to `digest` (their `subject`), optionally of one `artifactType`. Uses the
   * referrers API, or the `sha256-<hex>` fallback tag on registries without it; remembers which
   * works per registry.
   */
  async referrers(
    repo: RepositoryRef,
    digest: string,
    options: ReferrersOptions = {},
  ): Promise<Descriptor[]> {
    const { registry, repository } = toRepository(repo);
    digestAlgorithmOf(digest);
    const endpoint = this.#endpoints.for(registry);
    const filter = (list: readonly Descriptor[]) =>
      options.artifactType === undefined
        ? [...list]
        : list.filter((d) => d.artifactType === options.artifactType);
    if (this.#referrersApi.get(endpoint.host) !== false) {
      const url = apiUrl(endpoint, repository, `referrers/${digest}`);
      if (options.artifactType !== undefined) url.searchParams.set('artifactType', options.artifactType);
      const { response, bytes } = await this.#getWhole(
        endpoint,
        this.#scopes(repository, false),
        { url, headers: { accept: MediaType.ociIndex }, signal: options.signal },
        this.#maxManifestBytes,
        'referrers index',
      );
      if (bytes !== undefined && contentType(response) === MediaType.ociIndex) {
        this.#referrersApi.set(endpoint.host, true);
        return filter(parseReferrersIndex(bytes).manifests);
      }
      if (
        bytes === undefined &&
        response.status !== 404 &&
        response.status !== 400 &&
        response.status !== 405
      ) {
        throw await this.#error(response, `GET referrers of ${digest}`);
      }
      if (bytes === undefined) await discard(response);
      this.#referrersApi.set(endpoint.host, false);
    }
    // go-containerregistry < 0.21.6 (cosign ≤ 3.0.6) recorded the config media type — for cosign's
    // bundles, the empty type — as the entry's artifactType; keep those too and let callers read the
    // manifest to be sure.
    const index = await readFallbackIndex(this, { registry, repository }, digest, options.signal);
    const entries = index?.manifests ?? [];
    return options.artifactType === undefined
      ? [...entries]
      : entries.filter(
          (d) => d.artifactType === options.artifactType || d.artifactType === MediaType.ociEmpty,
        );
  }

  /**
   * Pushes a manifest that has a `subject` (a referrer) by digest. On registries without the
   * referrers API it also adds the manifest to the `sha256-<hex>` fallback index (after the manifest
   * exists), as go-containerregistry does, and returns only once the entry survived concurrent
   * writers: see `referrers-fallback.ts`. Rejects with SigningError naming the tag when other
   * writers kept replacing it.
   */
  async pushReferrer(
    repo: RepositoryRef,
    bytes: Uint8Array,
    mediaType: string,
    options: CallOptions = {},
  ): Promise<Descriptor> {
    const { registry, repository } = toRepository(repo);
    const manifest = parseManifest(bytes, mediaType);
    const subject = manifest.subject;
    if (subject === undefined) throw new InvalidArgumentError('pushReferrer needs a manifest with a subject');
    const digest = computeDigest(bytes);
    const put = await this.putManifest({ registry, repository, digest }, bytes, mediaType, options);
    // The fallback index entry as go-containerregistry ≥ 0.21.6 writes it (cosign ≥ 3.1): the
    // manifest's artifactType, else its config media type; no annotations; entries sorted by digest.
    const entry: Descriptor = {
      mediaType,
      digest,
      size: bytes.length,
      ...(manifest.artifactType !== undefined
        ? { artifactType: manifest.artifactType }
        : 'config' in manifest
          ? { artifactType: manifest.config.mediaType }
          : {}),
    };
    if (put.subjectAccepted) return put;
    await addToFallbackIndex(this, { registry, repository }, subject.digest, entry, options);
    return put;
  }

  /**
   * Aborts every request in flight — their callers get an `AbortedError` — and closes the pooled
   * connections, promptly, whatever a registry is doing. The client cannot be used afterwards:
   * later calls reject with `AbortedError`.
   */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}

/**
 * Where an upload continues: the `Location` resolved against the URL that answered — an http(s)
 * URL, plain HTTP only to a host that may have it, and once an upload has a location, never moved
 * to another origin. A Location on another origin than the registry's is followed without
 * credentials (#request attaches them only to the registry's own origin).
 */
function uploadLocation(response: HttpResponse, allowsPlainHttp: (host: string) => boolean, base?: URL): URL {
  const location = header(response, 'location');
  if (location === undefined)
    throw new RegistryResponseError('The registry opened an upload without a Location header');
  const url = parseUrl(location, base ?? response.url);
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:'))
    throw new RegistryResponseError('The registry gave an upload Location that is not an http(s) URL');
  if (url.protocol === 'http:' && response.url.protocol === 'https:')
    throw new RegistryResponseError(
      'The registry moved an upload from HTTPS to plain HTTP; refusing to follow it',
    );
  if (url.protocol === 'http:' && !allowsPlainHttp(url.host))
    throw new RegistryResponseError(
      `The registry moved an upload to plain HTTP on ${url.host}, which is neither loopback nor listed in insecureRegistries`,
    );
  if (base !== undefined && url.origin !== base.origin)
    throw new RegistryResponseError('The registry moved an upload to another host; refusing to follow it');
  return url;
}
