/**
 * Option types and limits of `RegistryClient`: the constants its defaults come from, the option
 * interfaces its methods take, and the small argument helpers every part of the client shares.
 *
 * It holds declarations only: no I/O, no state, nothing that talks to a registry.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { type ImageReference, parseImageReference } from '../internal/reference.js';
import type { CredentialProvider, Credentials } from './auth/credentials.js';
import type { Manifest } from './manifest.js';
import type { RequestInfo } from './transport/http.js';
import type { RetryOptions } from './transport/retry.js';

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
export const TAG_PAGE_SIZE = 1000;
/** Most tags one listTags call collects (a hostile registry could page forever): ~100 MB of names. */
export const MAX_TAGS = 1_000_000;
/**
 * Largest tag-list page read (16 MiB): a page of {@link TAG_PAGE_SIZE} names is at most ~130 KB,
 * but registries that ignore `n` send every tag in one page — 16 MiB holds ~100 000 long names —
 * and a page past this is refused instead of buffered.
 */
export const TAG_PAGE_LIMIT = 16 * 1024 * 1024;
/** Most tag-list pages one listTags call follows (1 000 000 tags at 100 a page). */
export const MAX_TAG_PAGES = 10_000;
/**
 * Largest blob `getBlobBytes` reads unless told otherwise (16 MiB): it buffers the whole blob, and
 * is meant for small documents (configs, signature payloads, bundles); larger content is streamed
 * with `getBlob`. Callers that follow cosign's 128 MiB payload limit pass `maxBytes` themselves.
 */
export const DEFAULT_BLOB_BYTES_LIMIT = 16 * 1024 * 1024;

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
export function checkPositive(value: number | undefined, name: string): number | undefined {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value > 0))
    throw new InvalidArgumentError(
      `${name} must be a positive number of milliseconds (or bytes), got ${String(value)}`,
    );
  return value;
}

/** A repository reference, parsed when given as a string. */
export function toRepository(ref: RepositoryRef): Pick<ImageReference, 'registry' | 'repository'> {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}

/** An image reference, parsed when given as a string. */
export function toReference(ref: string | ImageReference): ImageReference {
  return typeof ref === 'string' ? parseImageReference(ref) : ref;
}
