/**
 * Blob reads of `RegistryClient`: the verified blob stream (`getBlob`, with the throughput floor),
 * whole small blobs (`getBlobBytes`) and existence checks (HEAD), over a `RegistrySession`.
 *
 * It does not upload, mount or copy blobs: that is `uploads.ts`.
 */
import { SizeLimitError } from '../errors/registry.js';
import { digestAlgorithmOf } from '../payload/digest.js';
import { DigestVerifier } from './digest.js';
import { apiUrl } from './endpoint.js';
import {
  type CallOptions,
  checkPositive,
  DEFAULT_BLOB_BYTES_LIMIT,
  type DeadlineOptions,
  type RepositoryRef,
  toRepository,
} from './options.js';
import type { RegistrySession } from './session.js';
import { bodyError, declaredLength, discard, type HttpResponse } from './transport/http.js';

/** The streamed GET of a blob: no whole-response deadline unless the caller gives one. */
export async function blobResponse(
  session: RegistrySession,
  repo: RepositoryRef,
  digest: string,
  options: CallOptions & DeadlineOptions & { size?: number | undefined },
): Promise<HttpResponse> {
  const { registry, repository } = toRepository(repo);
  digestAlgorithmOf(digest);
  const endpoint = session.endpoints.for(registry);
  const response = await session.request(endpoint, session.scopes(repository, false), {
    method: 'GET',
    url: apiUrl(endpoint, repository, `blobs/${digest}`),
    idempotent: true,
    signal: options.signal,
    deadlineMs: checkPositive(options.deadlineMs, 'deadlineMs'),
    what: `GET blob ${repository}@${digest}`,
  });
  if (response.status !== 200) throw await session.error(response, `GET blob ${repository}@${digest}`);
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
export async function* getBlob(
  session: RegistrySession,
  repo: RepositoryRef,
  digest: string,
  options: CallOptions &
    DeadlineOptions & {
      size?: number;
      onProgress?: (received: number, total: number | undefined) => void;
    } = {},
): AsyncGenerator<Uint8Array, void, undefined> {
  const response = await blobResponse(session, repo, digest, options);
  const verifier = new DigestVerifier(digest, options.size);
  const started = Date.now();
  let held: Uint8Array | undefined;
  try {
    for await (const chunk of response.body) {
      const bytes = chunk as Uint8Array;
      verifier.update(bytes);
      session.checkThroughput(`Blob ${digest}`, verifier.length, Date.now() - started);
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

/**
 * Reads a whole (small) blob — a payload, a config — verified, with retries, within
 * `documentTimeoutMs` (or `deadlineMs`); refuses more than `maxBytes` (default 16 MiB) or than
 * `size`, before reading when the declared length says so.
 */
export async function getBlobBytes(
  session: RegistrySession,
  repo: RepositoryRef,
  digest: string,
  options: CallOptions & DeadlineOptions & { maxBytes?: number; size?: number } = {},
): Promise<Uint8Array> {
  const { registry, repository } = toRepository(repo);
  digestAlgorithmOf(digest);
  const endpoint = session.endpoints.for(registry);
  const limit = Math.min(
    options.maxBytes ?? DEFAULT_BLOB_BYTES_LIMIT,
    options.size ?? Number.POSITIVE_INFINITY,
  );
  const { response, bytes } = await session.getWhole(
    endpoint,
    session.scopes(repository, false),
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
  if (bytes === undefined) throw await session.error(response, `GET blob ${repository}@${digest}`);
  DigestVerifier.check(bytes, digest, options.size);
  return bytes;
}

/** HEAD of a blob; `forPush` asks for the push scope up front so the upload that follows reuses the token. */
export async function blobExists(
  session: RegistrySession,
  repo: RepositoryRef,
  digest: string,
  forPush: boolean,
  options: CallOptions,
): Promise<boolean> {
  const { registry, repository } = toRepository(repo);
  const endpoint = session.endpoints.for(registry);
  const response = await session.request(endpoint, session.scopes(repository, forPush), {
    method: 'HEAD',
    url: apiUrl(endpoint, repository, `blobs/${digest}`),
    idempotent: true,
    signal: options.signal,
  });
  await discard(response);
  if (response.status === 200) return true;
  if (response.status === 404) return false;
  throw await session.error(response, `HEAD blob ${repository}@${digest}`);
}
