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
 *
 * This file is the facade: the work is done by module functions over one `RegistrySession`
 * (`session.ts`) — manifests in `manifests.ts`, blob reads in `blobs.ts`, uploads in `uploads.ts`,
 * tags and referrers in `tags.ts` — and the option types and limits live in `options.ts`.
 */
import type { ImageReference } from '../internal/reference.js';
import { blobExists, getBlob, getBlobBytes } from './blobs.js';
import type { Descriptor } from './manifest.js';
import { deleteManifest, getManifest, headManifest, putManifest } from './manifests.js';
import type {
  CallOptions,
  DeadlineOptions,
  FetchedManifest,
  PushBlobOptions,
  ReferrersOptions,
  RegistryClientOptions,
  RepositoryRef,
} from './options.js';
import { RegistrySession } from './session.js';
import { listTags, pushReferrer, referrers } from './tags.js';
import { copyBlob, mountBlob, pushBlob, pushBlobStream } from './uploads.js';

export type {
  CallOptions,
  DeadlineOptions,
  FetchedManifest,
  PushBlobOptions,
  ReferrersOptions,
  RegistryClientOptions,
  RepositoryRef,
} from './options.js';
export { DEFAULT_CHUNK_SIZE, DEFAULT_MANIFEST_LIMIT, DEFAULT_MIN_BLOB_BYTES_PER_SECOND } from './options.js';

/**
 * An OCI distribution client: references, auth (basic, bearer, Docker config and credential
 * helpers), manifests, verified blob streams, uploads, tags and referrers — over pooled keep-alive
 * connections with retries, timeouts and size limits.
 */
export class RegistryClient {
  readonly #session: RegistrySession;

  constructor(options: RegistryClientOptions = {}) {
    this.#session = new RegistrySession(options);
  }

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
    return getManifest(this.#session, ref, options);
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
    return headManifest(this.#session, ref, options);
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
    return putManifest(this.#session, ref, bytes, mediaType, options);
  }

  /** Deletes a manifest by digest (registries refuse tag deletes). */
  async deleteManifest(ref: string | ImageReference, options: CallOptions = {}): Promise<void> {
    return deleteManifest(this.#session, ref, options);
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
    yield* getBlob(this.#session, repo, digest, options);
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
    return getBlobBytes(this.#session, repo, digest, options);
  }

  /** Whether the repository has the blob (HEAD). */
  async blobExists(repo: RepositoryRef, digest: string, options: CallOptions = {}): Promise<boolean> {
    return blobExists(this.#session, repo, digest, false, options);
  }

  /** Cross-repository mount within one registry; true when the registry mounted it. */
  async mountBlob(
    repo: RepositoryRef,
    digest: string,
    from: RepositoryRef,
    options: CallOptions = {},
  ): Promise<boolean> {
    return mountBlob(this.#session, repo, digest, from, options);
  }

  /**
   * Uploads a blob given as bytes: skipped when present, mounted when `mountFrom` has it, else one
   * monolithic PUT or PATCH chunks of `chunkSize`. `deadlineMs` bounds the whole upload.
   */
  async pushBlob(repo: RepositoryRef, bytes: Uint8Array, options: PushBlobOptions = {}): Promise<Descriptor> {
    return this.#session.withDeadline(options, 'Blob upload', (o) => pushBlob(this.#session, repo, bytes, o));
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
    return this.#session.withDeadline(options, `Upload of blob ${descriptor.digest}`, (o) =>
      pushBlobStream(this.#session, repo, source, descriptor, o),
    );
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
    return this.#session.withDeadline(options, `Copy of blob ${descriptor.digest}`, (o) =>
      copyBlob(this.#session, from, to, descriptor, o),
    );
  }

  /**
   * All tags of a repository, following `Link` pagination on the registry's origin. Each page is a
   * small document (`documentTimeoutMs`, 16 MiB); a Link back to a page already read is a
   * RegistryResponseError, and more than 1 000 000 tags or 10 000 pages a SizeLimitError.
   */
  async listTags(repo: RepositoryRef, options: CallOptions & { pageSize?: number } = {}): Promise<string[]> {
    return listTags(this.#session, repo, options);
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
    return referrers(this.#session, this, repo, digest, options);
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
    return pushReferrer(this.#session, this, repo, bytes, mediaType, options);
  }

  /**
   * Aborts every request in flight — their callers get an `AbortedError` — and closes the pooled
   * connections, promptly, whatever a registry is doing. The client cannot be used afterwards:
   * later calls reject with `AbortedError`.
   */
  async close(): Promise<void> {
    await this.#session.close();
  }
}
