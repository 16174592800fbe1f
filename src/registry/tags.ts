/**
 * Tags and referrers of `RegistryClient`: paginated tag listing, the referrers API with the
 * `sha256-<hex>` fallback tag, and pushing referrers (keeping the fallback index up to date), over
 * a `RegistrySession`.
 *
 * The fallback index itself (reading, merging under concurrent writers) is `referrers-fallback.ts`;
 * this module only decides when to use it.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { RegistryResponseError, SizeLimitError } from '../errors/registry.js';
import { computeDigest, digestAlgorithmOf } from '../payload/digest.js';
import { parseTagList } from './documents.js';
import { apiUrl } from './endpoint.js';
import { contentType, nextLink } from './headers.js';
import { type Descriptor, parseManifest, parseReferrersIndex } from './manifest.js';
import { putManifest } from './manifests.js';
import { MediaType } from './media-types.js';
import {
  type CallOptions,
  MAX_TAG_PAGES,
  MAX_TAGS,
  type ReferrersOptions,
  type RepositoryRef,
  TAG_PAGE_LIMIT,
  TAG_PAGE_SIZE,
  toRepository,
} from './options.js';
import {
  addToFallbackIndex,
  type FallbackIndexReader,
  type FallbackIndexStore,
  readFallbackIndex,
} from './referrers-fallback.js';
import type { RegistrySession } from './session.js';
import { discard, header } from './transport/http.js';

/**
 * All tags of a repository, following `Link` pagination on the registry's origin. Each page is a
 * small document (`documentTimeoutMs`, 16 MiB); a Link back to a page already read is a
 * RegistryResponseError, and more than 1 000 000 tags or 10 000 pages a SizeLimitError.
 */
export async function listTags(
  session: RegistrySession,
  repo: RepositoryRef,
  options: CallOptions & { pageSize?: number } = {},
): Promise<string[]> {
  const { registry, repository } = toRepository(repo);
  const endpoint = session.endpoints.for(registry);
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
    const { response, bytes: body } = await session.getWhole(
      endpoint,
      session.scopes(repository, false),
      { url, signal: options.signal },
      TAG_PAGE_LIMIT,
      `Tag list of ${repository}`,
    );
    if (body === undefined) throw await session.error(response, `list tags of ${repository}`);
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
export async function referrers(
  session: RegistrySession,
  client: FallbackIndexReader,
  repo: RepositoryRef,
  digest: string,
  options: ReferrersOptions = {},
): Promise<Descriptor[]> {
  const { registry, repository } = toRepository(repo);
  digestAlgorithmOf(digest);
  const endpoint = session.endpoints.for(registry);
  const filter = (list: readonly Descriptor[]) =>
    options.artifactType === undefined
      ? [...list]
      : list.filter((d) => d.artifactType === options.artifactType);
  if (session.referrersApi.get(endpoint.host) !== false) {
    const url = apiUrl(endpoint, repository, `referrers/${digest}`);
    if (options.artifactType !== undefined) url.searchParams.set('artifactType', options.artifactType);
    const { response, bytes } = await session.getWhole(
      endpoint,
      session.scopes(repository, false),
      { url, headers: { accept: MediaType.ociIndex }, signal: options.signal },
      session.maxManifestBytes,
      'referrers index',
    );
    if (bytes !== undefined && contentType(response) === MediaType.ociIndex) {
      session.referrersApi.set(endpoint.host, true);
      return filter(parseReferrersIndex(bytes).manifests);
    }
    if (
      bytes === undefined &&
      response.status !== 404 &&
      response.status !== 400 &&
      response.status !== 405
    ) {
      throw await session.error(response, `GET referrers of ${digest}`);
    }
    if (bytes === undefined) await discard(response);
    session.referrersApi.set(endpoint.host, false);
  }
  // go-containerregistry < 0.21.6 (cosign ≤ 3.0.6) recorded the config media type — for cosign's
  // bundles, the empty type — as the entry's artifactType; keep those too and let callers read the
  // manifest to be sure.
  const index = await readFallbackIndex(client, { registry, repository }, digest, options.signal);
  const entries = index?.manifests ?? [];
  return options.artifactType === undefined
    ? [...entries]
    : entries.filter((d) => d.artifactType === options.artifactType || d.artifactType === MediaType.ociEmpty);
}

/**
 * Pushes a manifest that has a `subject` (a referrer) by digest. On registries without the
 * referrers API it also adds the manifest to the `sha256-<hex>` fallback index (after the manifest
 * exists), as go-containerregistry does, and returns only once the entry survived concurrent
 * writers: see `referrers-fallback.ts`. Rejects with SigningError naming the tag when other
 * writers kept replacing it.
 */
export async function pushReferrer(
  session: RegistrySession,
  client: FallbackIndexStore,
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
  const put = await putManifest(session, { registry, repository, digest }, bytes, mediaType, options);
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
  await addToFallbackIndex(client, { registry, repository }, subject.digest, entry, options);
  return put;
}
