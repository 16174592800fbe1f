/**
 * Blob uploads of `RegistryClient`: cross-repository mounts, monolithic and chunked uploads from
 * bytes or streams, and registry-to-registry copies, over a `RegistrySession`.
 *
 * The functions here apply no total deadline themselves: the client wraps them in
 * `RegistrySession.withDeadline`. Reading blobs is `blobs.ts`.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { RegistryResponseError } from '../errors/registry.js';
import { concatBytes } from '../internal/bytes.js';
import { computeDigest } from '../payload/digest.js';
import { blobExists, getBlob } from './blobs.js';
import { apiUrl, type Endpoint } from './endpoint.js';
import type { Descriptor } from './manifest.js';
import { type CallOptions, type PushBlobOptions, type RepositoryRef, toRepository } from './options.js';
import type { RegistrySession } from './session.js';
import { discard, type HttpResponse, header, parseUrl } from './transport/http.js';

/** Cross-repository mount within one registry; true when the registry mounted it. */
export async function mountBlob(
  session: RegistrySession,
  repo: RepositoryRef,
  digest: string,
  from: RepositoryRef,
  options: CallOptions = {},
): Promise<boolean> {
  const target = toRepository(repo);
  const source = toRepository(from);
  if (source.registry !== target.registry) return false;
  const endpoint = session.endpoints.for(target.registry);
  const url = apiUrl(endpoint, target.repository, 'blobs/uploads/');
  url.searchParams.set('mount', digest);
  url.searchParams.set('from', source.repository);
  const response = await session.request(
    endpoint,
    session.scopes(target.repository, true, [`repository:${source.repository}:pull`]),
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
  throw await session.error(response, `mount blob ${digest} into ${target.repository}`);
}

/** Opens an upload session (POST) and returns where it continues, checked by `uploadLocation`. */
export async function startUpload(
  session: RegistrySession,
  endpoint: Endpoint,
  repository: string,
  signal: AbortSignal | undefined,
): Promise<URL> {
  const response = await session.request(endpoint, session.scopes(repository, true), {
    method: 'POST',
    url: apiUrl(endpoint, repository, 'blobs/uploads/'),
    idempotent: false,
    signal,
  });
  if (response.status !== 202) throw await session.error(response, `start upload to ${repository}`);
  await discard(response);
  return uploadLocation(response, (host) => session.endpoints.allowsPlainHttp(host));
}

/**
 * Uploads a blob given as bytes: skipped when present, mounted when `mountFrom` has it, else one
 * monolithic PUT or PATCH chunks of `chunkSize`. No total deadline of its own.
 */
export async function pushBlob(
  session: RegistrySession,
  repo: RepositoryRef,
  bytes: Uint8Array,
  options: PushBlobOptions,
): Promise<Descriptor> {
  const { registry, repository } = toRepository(repo);
  const digest = computeDigest(bytes);
  const descriptor: Descriptor = {
    mediaType: options.mediaType ?? 'application/octet-stream',
    digest,
    size: bytes.length,
  };
  if (await blobExists(session, { registry, repository }, digest, true, options)) return descriptor;
  if (
    options.mountFrom !== undefined &&
    (await mountBlob(session, { registry, repository }, digest, options.mountFrom, options))
  )
    return descriptor;
  const chunkSize = options.chunkSize ?? bytes.length;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let offset = 0; offset < bytes.length; offset += Math.max(1, chunkSize))
      yield bytes.subarray(offset, offset + Math.max(1, chunkSize));
  }
  if (chunkSize >= bytes.length) {
    const endpoint = session.endpoints.for(registry);
    const location = await startUpload(session, endpoint, repository, options.signal);
    location.searchParams.set('digest', digest);
    const response = await session.request(endpoint, session.scopes(repository, true), {
      method: 'PUT',
      url: location,
      headers: { 'content-type': 'application/octet-stream' },
      body: bytes,
      idempotent: false,
      signal: options.signal,
    });
    if (response.status !== 201) throw await session.error(response, `upload blob ${digest}`);
    await discard(response);
    options.onProgress?.(bytes.length, bytes.length);
    return descriptor;
  }
  return pushBlobStream(session, { registry, repository }, chunks(), { ...descriptor }, options);
}

/**
 * Uploads a blob from a stream: one streamed PATCH, or PATCH chunks of `chunkSize`, then the
 * closing PUT with the digest. No total deadline of its own.
 */
export async function pushBlobStream(
  session: RegistrySession,
  repo: RepositoryRef,
  source: AsyncIterable<Uint8Array>,
  descriptor: Pick<Descriptor, 'digest' | 'size'> & { mediaType?: string },
  options: PushBlobOptions,
): Promise<Descriptor> {
  const { registry, repository } = toRepository(repo);
  const endpoint = session.endpoints.for(registry);
  const scopes = session.scopes(repository, true);
  let location = await startUpload(session, endpoint, repository, options.signal);
  let sent = 0;
  const patch = async (body: Uint8Array | AsyncIterable<Uint8Array>, range?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
    if (range !== undefined) headers['content-range'] = range;
    if (body instanceof Uint8Array) headers['content-length'] = String(body.length);
    const response = await session.request(endpoint, scopes, {
      method: 'PATCH',
      url: location,
      headers,
      body,
      idempotent: false,
      signal: options.signal,
    });
    if (response.status !== 202) throw await session.error(response, `upload of blob ${descriptor.digest}`);
    await discard(response);
    location = uploadLocation(response, (host) => session.endpoints.allowsPlainHttp(host), location);
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
    throw new InvalidArgumentError(`Blob stream gave ${sent} bytes; the descriptor says ${descriptor.size}`);
  location.searchParams.set('digest', descriptor.digest);
  const response = await session.request(endpoint, scopes, {
    method: 'PUT',
    url: location,
    headers: { 'content-length': '0' },
    idempotent: false,
    signal: options.signal,
  });
  if (response.status !== 201)
    throw await session.error(response, `complete upload of blob ${descriptor.digest}`);
  await discard(response);
  return {
    mediaType: descriptor.mediaType ?? 'application/octet-stream',
    digest: descriptor.digest,
    size: descriptor.size,
  };
}

/**
 * Copies a blob between repositories: skipped when present, a mount on the same registry, else a
 * streamed, verified GET into `pushBlobStream`. No total deadline of its own.
 */
export async function copyBlob(
  session: RegistrySession,
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
  if (await blobExists(session, to, descriptor.digest, true, options)) return result;
  if (await mountBlob(session, to, descriptor.digest, from, options)) return result;
  return pushBlobStream(
    session,
    to,
    getBlob(session, from, descriptor.digest, { size: descriptor.size, signal: options.signal }),
    descriptor,
    options,
  );
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
