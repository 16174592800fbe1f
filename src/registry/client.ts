/**
 * `RegistryClient`: the OCI distribution API — manifests, blobs, tags, referrers — over one
 * keep-alive connection pool per registry, with auth, retries, digest checks and size limits.
 *
 * Every fetched manifest and blob is checked against its digest before anyone sees it. Tags are
 * resolved with a GET of the manifest (which callers need anyway) rather than HEAD, because undici
 * closes the connection after each HEAD.
 */
import { InvalidArgumentError } from '../errors/base.js';
import {
  DigestMismatchError,
  NotFoundError,
  RegistryAuthError,
  RegistryError,
  RegistryResponseError,
} from '../errors/registry.js';
import { concatBytes, fromUtf8 } from '../internal/bytes.js';
import { type ImageReference, parseImageReference } from '../internal/reference.js';
import { encodeReferrersIndex } from '../payload/bundle.js';
import { referrersFallbackTag } from '../payload/tags.js';
import { Authenticator } from './auth/authenticator.js';
import {
  type CredentialProvider,
  type Credentials,
  chainCredentials,
  staticCredentials,
} from './auth/credentials.js';
import { dockerConfigCredentials } from './auth/docker-config.js';
import { computeDigest, DigestVerifier, digestAlgorithmOf } from './digest.js';
import { apiUrl, type Endpoint, Endpoints } from './endpoint.js';
import { type Descriptor, type ImageIndex, type Manifest, parseManifest } from './manifest.js';
import { MANIFEST_ACCEPT, MediaType } from './media-types.js';
import { errorFromResponse } from './response-errors.js';
import {
  discard,
  type HttpMethod,
  type HttpResponse,
  header,
  type RequestInfo,
  readBody,
  Transport,
} from './transport/http.js';
import { isRetryableError, type RetryOptions } from './transport/retry.js';

/** Manifests larger than this are refused (distribution's own limit). */
export const DEFAULT_MANIFEST_LIMIT = 4 * 1024 * 1024;
/** Default chunk size for chunked blob uploads. */
export const DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024;
/** Page size for tag listing (ECR refuses more than 1000). */
const TAG_PAGE_SIZE = 1000;

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
  readonly retry?: RetryOptions;
  /** Largest manifest read. Default 4 MiB. */
  readonly maxManifestBytes?: number;
  readonly userAgent?: string;
}

/** Options every I/O call takes. */
export interface CallOptions {
  readonly signal?: AbortSignal | undefined;
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

export interface PushBlobOptions extends CallOptions {
  /** Try a cross-repository mount from this repository (same registry) first. */
  readonly mountFrom?: RepositoryRef;
  /** Upload in PATCH chunks of this size; default: one monolithic PUT. */
  readonly chunkSize?: number;
  /** Called as bytes are sent, for progress reporting on large uploads. */
  readonly onProgress?: (bytesSent: number, total: number) => void;
  readonly mediaType?: string;
}

export interface ReferrersOptions extends CallOptions {
  readonly artifactType?: string;
}

function toRepository(ref: RepositoryRef): Pick<ImageReference, 'registry' | 'repository'> {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}

function toReference(ref: string | ImageReference): ImageReference {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}

function contentType(response: HttpResponse): string | undefined {
  return header(response, 'content-type')?.split(';')[0]?.trim();
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
  /** Per registry: does it serve the referrers API? Learned on first use. */
  readonly #referrersApi = new Map<string, boolean>();

  constructor(options: RegistryClientOptions = {}) {
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
    });
    this.#maxManifestBytes = options.maxManifestBytes ?? DEFAULT_MANIFEST_LIMIT;
  }

  /** Sends a request to a registry with auth: cached credentials first, one retry after a 401 challenge. */
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
    },
  ): Promise<HttpResponse> {
    const send = (authorization: string | undefined) =>
      this.#transport.send({
        ...request,
        headers: { ...request.headers, ...(authorization === undefined ? {} : { authorization }) },
      });
    let response = await send(await this.#auth.authorization(endpoint.host, scopes, request.signal));
    if (response.status === 401) {
      const streamBody = request.body !== undefined && !(request.body instanceof Uint8Array);
      const authorization = await this.#auth.challenged(endpoint.host, response, scopes, request.signal);
      await discard(response);
      if (streamBody)
        throw new RegistryAuthError(
          `${endpoint.host} asked for credentials in the middle of a streamed upload; retry the upload`,
        );
      response = await send(authorization);
      if (response.status === 401) this.#auth.forget(endpoint.host, scopes);
    }
    return response;
  }

  /**
   * A GET whose body we read whole: retried (like the request itself) when the connection breaks
   * mid-body. Non-200 responses come back unread for the caller to turn into errors.
   */
  async #getWhole(
    endpoint: Endpoint,
    scopes: readonly string[],
    request: { url: URL; headers?: Record<string, string>; signal?: AbortSignal | undefined },
    limit: number,
    what: string,
  ): Promise<{ response: HttpResponse; bytes?: Uint8Array }> {
    for (let attempt = 1; ; attempt++) {
      const response = await this.#request(endpoint, scopes, { method: 'GET', idempotent: true, ...request });
      if (response.status !== 200) return { response };
      try {
        return { response, bytes: await readBody(response, limit, what) };
      } catch (error) {
        if (request.signal?.aborted) throw request.signal.reason;
        if (error instanceof RegistryError) throw error;
        if (attempt >= 3 || !isRetryableError(error)) {
          throw new RegistryError(
            'REGISTRY_UNREACHABLE',
            `${what} stopped mid-transfer: ${(error as { code?: string }).code ?? (error as Error).message}`,
            { cause: error },
          );
        }
      }
    }
  }

  #scopes(repository: string, push: boolean, extra: readonly string[] = []): string[] {
    return [`repository:${repository}:${push ? 'pull,push' : 'pull'}`, ...extra];
  }

  // ---- manifests ---------------------------------------------------------------------------------

  /**
   * Fetches a manifest or index by tag or digest, checked against its digest (the reference's digest,
   * else the registry's `Docker-Content-Digest`).
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
    if (bytes === undefined)
      throw await errorFromResponse(response, `GET manifest ${reference.repository}:${id}`);
    const served = header(response, 'docker-content-digest');
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
      throw await errorFromResponse(response, `HEAD manifest ${reference.repository}:${id}`);
    const digest = header(response, 'docker-content-digest') ?? reference.digest;
    if (digest === undefined)
      throw new RegistryResponseError(
        `HEAD manifest ${reference.repository}:${id}: the registry sent no Docker-Content-Digest`,
      );
    return {
      mediaType: contentType(response) ?? MediaType.ociManifest,
      digest,
      size: Number(header(response, 'content-length') ?? 0),
    };
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
      throw await errorFromResponse(response, `PUT manifest ${reference.repository}:${id}`);
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
      throw await errorFromResponse(response, `DELETE manifest ${reference.repository}@${reference.digest}`);
    await discard(response);
  }

  // ---- blobs -------------------------------------------------------------------------------------

  async #blobResponse(
    repo: RepositoryRef,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<HttpResponse> {
    const { registry, repository } = toRepository(repo);
    digestAlgorithmOf(digest);
    const endpoint = this.#endpoints.for(registry);
    const response = await this.#request(endpoint, this.#scopes(repository, false), {
      method: 'GET',
      url: apiUrl(endpoint, repository, `blobs/${digest}`),
      idempotent: true,
      signal,
    });
    if (response.status !== 200) throw await errorFromResponse(response, `GET blob ${repository}@${digest}`);
    return response;
  }

  /**
   * Streams a blob, hashing as bytes flow. The last chunk is held back until the digest (and size,
   * when given) check out, so an iteration that completes has seen only verified bytes; a mismatch
   * ends it with DigestMismatchError.
   */
  async *getBlob(
    repo: RepositoryRef,
    digest: string,
    options: CallOptions & {
      size?: number;
      onProgress?: (received: number, total: number | undefined) => void;
    } = {},
  ): AsyncGenerator<Uint8Array, void, undefined> {
    const response = await this.#blobResponse(repo, digest, options.signal);
    const verifier = new DigestVerifier(digest, options.size);
    let held: Uint8Array | undefined;
    try {
      for await (const chunk of response.body) {
        const bytes = chunk as Uint8Array;
        verifier.update(bytes);
        options.onProgress?.(verifier.length, options.size);
        if (held !== undefined) yield held;
        held = bytes;
      }
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (options.signal?.aborted) throw options.signal.reason;
      throw new RegistryError(
        'REGISTRY_UNREACHABLE',
        `Blob ${digest} stopped mid-transfer: ${(error as { code?: string }).code ?? (error as Error).message}`,
        { cause: error },
      );
    } finally {
      if (!response.body.destroyed) response.body.destroy();
    }
    verifier.verify();
    if (held !== undefined) yield held;
  }

  /** Reads a whole (small) blob, verified, with retries; refuses more than `maxBytes` (default 16 MiB). */
  async getBlobBytes(
    repo: RepositoryRef,
    digest: string,
    options: CallOptions & { maxBytes?: number; size?: number } = {},
  ): Promise<Uint8Array> {
    const { registry, repository } = toRepository(repo);
    digestAlgorithmOf(digest);
    const endpoint = this.#endpoints.for(registry);
    const { response, bytes } = await this.#getWhole(
      endpoint,
      this.#scopes(repository, false),
      { url: apiUrl(endpoint, repository, `blobs/${digest}`), signal: options.signal },
      options.maxBytes ?? 16 * 1024 * 1024,
      `Blob ${digest}`,
    );
    if (bytes === undefined) throw await errorFromResponse(response, `GET blob ${repository}@${digest}`);
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
    throw await errorFromResponse(response, `HEAD blob ${repository}@${digest}`);
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
    throw await errorFromResponse(response, `mount blob ${digest} into ${target.repository}`);
  }

  async #startUpload(endpoint: Endpoint, repository: string, signal: AbortSignal | undefined): Promise<URL> {
    const response = await this.#request(endpoint, this.#scopes(repository, true), {
      method: 'POST',
      url: apiUrl(endpoint, repository, 'blobs/uploads/'),
      idempotent: false,
      signal,
    });
    if (response.status !== 202) throw await errorFromResponse(response, `start upload to ${repository}`);
    await discard(response);
    return uploadLocation(response);
  }

  /**
   * Uploads a blob given as bytes: skipped when present, mounted when `mountFrom` has it, else one
   * monolithic PUT or PATCH chunks of `chunkSize`.
   */
  async pushBlob(repo: RepositoryRef, bytes: Uint8Array, options: PushBlobOptions = {}): Promise<Descriptor> {
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
      if (response.status !== 201) throw await errorFromResponse(response, `upload blob ${digest}`);
      await discard(response);
      options.onProgress?.(bytes.length, bytes.length);
      return descriptor;
    }
    return this.pushBlobStream({ registry, repository }, chunks(), { ...descriptor }, options);
  }

  /**
   * Uploads a blob from a stream, for content too large to hold in memory: one streamed PATCH by
   * default (download and upload overlap when the source is another registry), or PATCH chunks of
   * `chunkSize` bytes. `descriptor` gives the digest and size; the registry checks the digest.
   */
  async pushBlobStream(
    repo: RepositoryRef,
    source: AsyncIterable<Uint8Array>,
    descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
    options: PushBlobOptions = {},
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
      if (response.status !== 202)
        throw await errorFromResponse(response, `upload of blob ${descriptor.digest}`);
      await discard(response);
      location = uploadLocation(response, location);
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
      throw await errorFromResponse(response, `complete upload of blob ${descriptor.digest}`);
    await discard(response);
    return {
      mediaType: descriptor.mediaType ?? 'application/octet-stream',
      digest: descriptor.digest,
      size: descriptor.size,
    };
  }

  /**
   * Copies a blob between repositories: a mount on the same registry, else a streamed GET → PATCH
   * that never holds the blob in memory and verifies its digest on the way.
   */
  async copyBlob(
    from: RepositoryRef,
    to: RepositoryRef,
    descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
    options: PushBlobOptions = {},
  ): Promise<Descriptor> {
    const result: Descriptor = {
      mediaType: descriptor.mediaType ?? 'application/octet-stream',
      digest: descriptor.digest,
      size: descriptor.size,
    };
    if (await this.#blobExists(to, descriptor.digest, true, options)) return result;
    if (await this.mountBlob(to, descriptor.digest, from, options)) return result;
    return this.pushBlobStream(
      to,
      this.getBlob(from, descriptor.digest, { size: descriptor.size, signal: options.signal }),
      descriptor,
      options,
    );
  }

  // ---- tags and referrers --------------------------------------------------------------------------

  /** All tags of a repository, following `Link` pagination. */
  async listTags(repo: RepositoryRef, options: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    const { registry, repository } = toRepository(repo);
    const endpoint = this.#endpoints.for(registry);
    const tags: string[] = [];
    let url: URL | undefined = apiUrl(endpoint, repository, 'tags/list');
    url.searchParams.set('n', String(options.pageSize ?? TAG_PAGE_SIZE));
    for (let page = 0; url !== undefined && page < 10_000; page++) {
      const { response, bytes: body } = await this.#getWhole(
        endpoint,
        this.#scopes(repository, false),
        { url, signal: options.signal },
        16 * 1024 * 1024,
        'tag list',
      );
      if (body === undefined) throw await errorFromResponse(response, `list tags of ${repository}`);
      let parsed: { tags?: unknown };
      try {
        parsed = JSON.parse(fromUtf8(body));
      } catch {
        throw new RegistryResponseError(`Tag list of ${repository} is not JSON`);
      }
      if (parsed.tags !== null && parsed.tags !== undefined) {
        if (!Array.isArray(parsed.tags) || parsed.tags.some((t) => typeof t !== 'string'))
          throw new RegistryResponseError(`Tag list of ${repository} is malformed`);
        tags.push(...(parsed.tags as string[]));
      }
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
        return filter((parseManifest(bytes, MediaType.ociIndex) as ImageIndex).manifests);
      }
      if (
        bytes === undefined &&
        response.status !== 404 &&
        response.status !== 400 &&
        response.status !== 405
      ) {
        throw await errorFromResponse(response, `GET referrers of ${digest}`);
      }
      if (bytes === undefined) await discard(response);
      this.#referrersApi.set(endpoint.host, false);
    }
    // go-containerregistry < 0.21.6 (cosign ≤ 3.0.6) recorded the config media type — for cosign's
    // bundles, the empty type — as the entry's artifactType; keep those too and let callers read the
    // manifest to be sure.
    const index = await this.#fallbackIndex(registry, repository, digest, options.signal);
    const entries = index?.manifests ?? [];
    return options.artifactType === undefined
      ? [...entries]
      : entries.filter(
          (d) => d.artifactType === options.artifactType || d.artifactType === MediaType.ociEmpty,
        );
  }

  async #fallbackIndex(
    registry: string,
    repository: string,
    digest: string,
    signal: AbortSignal | undefined,
  ): Promise<ImageIndex | undefined> {
    try {
      const fetched = await this.getManifest(
        { registry, repository, tag: referrersFallbackTag(digest) },
        { signal, accept: [MediaType.ociIndex] },
      );
      if (!Array.isArray((fetched.manifest as ImageIndex).manifests)) {
        throw new RegistryResponseError(
          `Referrers fallback tag ${referrersFallbackTag(digest)} is not an image index`,
        );
      }
      return fetched.manifest as ImageIndex;
    } catch (error) {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    }
  }

  /**
   * Pushes a manifest that has a `subject` (a referrer) by digest. On registries without the
   * referrers API it also adds the manifest to the `sha256-<hex>` fallback index, as
   * go-containerregistry does, re-reading and retrying when another writer raced us.
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
    const tag = referrersFallbackTag(subject.digest);
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.#fallbackIndex(registry, repository, subject.digest, options.signal);
      const others = (current?.manifests ?? []).filter((d) => d.digest !== digest);
      await this.putManifest(
        { registry, repository, tag },
        encodeReferrersIndex([...others, entry]),
        MediaType.ociIndex,
        options,
      );
      const check = await this.#fallbackIndex(registry, repository, subject.digest, options.signal);
      if (check?.manifests.some((d) => d.digest === digest)) return put;
    }
    throw new RegistryError(
      'REGISTRY_CONFLICT',
      `Could not add referrer ${digest} to fallback tag ${tag}: other writers kept replacing it`,
    );
  }

  /** Closes pooled connections. The client cannot be used afterwards. */
  async close(): Promise<void> {
    await this.#transport.close();
  }
}

function uploadLocation(response: HttpResponse, base?: URL): URL {
  const location = header(response, 'location');
  if (location === undefined)
    throw new RegistryResponseError('The registry opened an upload without a Location header');
  const url = new URL(location, base ?? response.url);
  if (base !== undefined && url.origin !== base.origin)
    throw new RegistryResponseError('The registry moved an upload to another host; refusing to follow it');
  return url;
}

/** The `rel="next"` target of a `Link` header, resolved against the current URL. */
export function nextLink(link: string | undefined, current: URL): URL | undefined {
  if (link === undefined) return undefined;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  if (match === null) return undefined;
  const next = new URL(match[1] as string, current);
  return next.origin === current.origin ? next : undefined;
}
