/**
 * Manifest operations of `RegistryClient`: GET (digest-checked and parsed), HEAD, PUT and DELETE
 * of manifests and indexes, as module functions over a `RegistrySession`.
 *
 * It does not resolve tags with HEAD (see the client's notes), push referrers or maintain the
 * referrers fallback index: that is `tags.ts`.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { DigestMismatchError, RegistryResponseError } from '../errors/registry.js';
import type { ImageReference } from '../internal/reference.js';
import { computeDigest, digestAlgorithmOf } from '../payload/digest.js';
import { apiUrl } from './endpoint.js';
import { contentDigest, contentType } from './headers.js';
import { type Descriptor, parseManifest } from './manifest.js';
import { MANIFEST_ACCEPT, MediaType } from './media-types.js';
import { type CallOptions, type FetchedManifest, toReference } from './options.js';
import type { RegistrySession } from './session.js';
import { declaredLength, discard, header } from './transport/http.js';

/**
 * Fetches a manifest or index by tag or digest, checked against its digest (the reference's digest,
 * else the registry's `Docker-Content-Digest` when that is a well-formed digest; a malformed one
 * is ignored, the bytes' own sha256 is their digest), within `documentTimeoutMs`, and parsed into a
 * validated image manifest or index.
 */
export async function getManifest(
  session: RegistrySession,
  ref: string | ImageReference,
  options: CallOptions & { accept?: readonly string[] } = {},
): Promise<FetchedManifest> {
  const reference = toReference(ref);
  const endpoint = session.endpoints.for(reference.registry);
  const id = reference.digest ?? reference.tag ?? 'latest';
  const { response, bytes } = await session.getWhole(
    endpoint,
    session.scopes(reference.repository, false),
    {
      url: apiUrl(endpoint, reference.repository, `manifests/${id}`),
      headers: { accept: options.accept?.join(', ') ?? MANIFEST_ACCEPT },
      signal: options.signal,
    },
    session.maxManifestBytes,
    `Manifest ${reference.repository}:${id}`,
  );
  if (bytes === undefined) throw await session.error(response, `GET manifest ${reference.repository}:${id}`);
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
  const type = contentType(response);
  const manifest = parseManifest(bytes, type);
  const mediaType = manifest.mediaType ?? type ?? MediaType.ociManifest;
  return { digest, mediaType, size: bytes.length, bytes, manifest };
}

/** HEAD of a manifest: its descriptor, or undefined when it does not exist. */
export async function headManifest(
  session: RegistrySession,
  ref: string | ImageReference,
  options: CallOptions = {},
): Promise<Descriptor | undefined> {
  const reference = toReference(ref);
  const endpoint = session.endpoints.for(reference.registry);
  const id = reference.digest ?? reference.tag ?? 'latest';
  const response = await session.request(endpoint, session.scopes(reference.repository, false), {
    method: 'HEAD',
    url: apiUrl(endpoint, reference.repository, `manifests/${id}`),
    headers: { accept: MANIFEST_ACCEPT },
    idempotent: true,
    signal: options.signal,
  });
  await discard(response);
  if (response.status === 404) return undefined;
  if (response.status !== 200)
    throw await session.error(response, `HEAD manifest ${reference.repository}:${id}`);
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
export async function putManifest(
  session: RegistrySession,
  ref: string | ImageReference,
  bytes: Uint8Array,
  mediaType: string,
  options: CallOptions = {},
): Promise<Descriptor & { subjectAccepted: boolean }> {
  const reference = toReference(ref);
  if (bytes.length > session.maxManifestBytes)
    throw new InvalidArgumentError(
      `Manifest is ${bytes.length} bytes, over the ${session.maxManifestBytes}-byte limit registries accept`,
    );
  const digest = computeDigest(
    bytes,
    reference.digest === undefined ? 'sha256' : digestAlgorithmOf(reference.digest),
  );
  if (reference.digest !== undefined && reference.digest !== digest) {
    throw new InvalidArgumentError(`Manifest bytes hash to ${digest}, not ${reference.digest}`);
  }
  const id = reference.tag ?? digest;
  const endpoint = session.endpoints.for(reference.registry);
  const response = await session.request(endpoint, session.scopes(reference.repository, true), {
    method: 'PUT',
    url: apiUrl(endpoint, reference.repository, `manifests/${id}`),
    headers: { 'content-type': mediaType },
    body: bytes,
    idempotent: true,
    signal: options.signal,
  });
  if (response.status !== 201 && response.status !== 200)
    throw await session.error(response, `PUT manifest ${reference.repository}:${id}`);
  const subjectAccepted = header(response, 'oci-subject') !== undefined;
  await discard(response);
  return { mediaType, digest, size: bytes.length, subjectAccepted };
}

/** Deletes a manifest by digest (registries refuse tag deletes). */
export async function deleteManifest(
  session: RegistrySession,
  ref: string | ImageReference,
  options: CallOptions = {},
): Promise<void> {
  const reference = toReference(ref);
  if (reference.digest === undefined)
    throw new InvalidArgumentError('deleteManifest needs a digest reference (repo@sha256:…)');
  const endpoint = session.endpoints.for(reference.registry);
  const response = await session.request(
    endpoint,
    session.scopes(reference.repository, true, [`repository:${reference.repository}:delete`]),
    {
      method: 'DELETE',
      url: apiUrl(endpoint, reference.repository, `manifests/${reference.digest}`),
      idempotent: true,
      signal: options.signal,
    },
  );
  if (response.status !== 202 && response.status !== 200)
    throw await session.error(response, `DELETE manifest ${reference.repository}@${reference.digest}`);
  await discard(response);
}
