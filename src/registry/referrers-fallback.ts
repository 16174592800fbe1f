/**
 * The OCI referrers fallback for registries without the referrers API (distribution 2.8, most
 * self-hosted registries): the tag `sha256-<hex>` of the subject holds an image index listing its
 * referrers. Reading it, and adding an entry to it so that concurrent writers do not erase each
 * other.
 *
 * The index is read-modify-write and such registries have no compare-and-swap: a PUT of the tag
 * replaces it, the last writer wins. Adding runs the convergent protocol of
 * `internal/convergent-add.ts` — every entry this writer has seen is kept and re-added, and the call
 * returns only after the whole set was read back twice in a row, a pause longer than any writer's
 * read-to-write time apart — so once every concurrent ocisign writer has returned, every referrer a
 * writer reported is listed (see that module for the assumptions and the argument). Writers that
 * do a single read-modify-write (cosign, go-containerregistry) can still erase entries, ours too,
 * while they run; a later ocisign writer that saw those entries puts them back.
 *
 * The referrer manifest itself is pushed (by digest) before it is listed: an index only points at
 * manifests that exist. Entries others wrote are kept as they were (annotations and all); entries
 * are sorted by digest, as go-containerregistry writes them (the bytes are
 * `payload/referrers-index.ts`'s). Deliberately not done: removing
 * entries (a concurrent deliberate removal may be undone by a writer that saw the entry), and
 * treating a tag that holds something other than an index as empty (that is an error).
 */
import { NotFoundError, RegistryResponseError } from '../errors/registry.js';
import { type ConvergenceTiming, convergentAdd } from '../internal/convergent-add.js';
import { encodeFallbackIndex } from '../payload/referrers-index.js';
import { referrersFallbackTag } from '../payload/tags.js';
import { type Descriptor, type ImageIndex, isImageIndex, type Manifest } from './manifest.js';
import { MediaType } from './media-types.js';
import { isTransientWriteError } from './transport/retry.js';

/** A repository on a registry. */
export interface FallbackRepository {
  readonly registry: string;
  readonly repository: string;
}

/** The tag the index lives under, in its repository. */
export interface FallbackTagRef extends FallbackRepository {
  readonly tag: string;
}

/** Reading the index: a manifest GET by tag (`RegistryClient` has it, as does a test double). */
export interface FallbackIndexReader {
  getManifest(
    ref: FallbackTagRef,
    options: { readonly signal: AbortSignal | undefined; readonly accept: readonly string[] },
  ): Promise<{ readonly manifest: Manifest }>;
}

/** Reading and replacing the index: a manifest GET and PUT by tag. */
export interface FallbackIndexStore extends FallbackIndexReader {
  putManifest(
    ref: FallbackTagRef,
    bytes: Uint8Array,
    mediaType: string,
    options: { readonly signal: AbortSignal | undefined },
  ): Promise<unknown>;
}

/**
 * The fallback index of `digest` (tag `sha256-<hex>`), or undefined when the tag does not exist.
 * A tag holding anything but an index is a RegistryResponseError.
 */
export async function readFallbackIndex(
  client: FallbackIndexReader,
  repo: FallbackRepository,
  digest: string,
  signal: AbortSignal | undefined,
): Promise<ImageIndex | undefined> {
  const tag = referrersFallbackTag(digest);
  try {
    const fetched = await client.getManifest(
      { registry: repo.registry, repository: repo.repository, tag },
      { signal, accept: [MediaType.ociIndex] },
    );
    if (!isImageIndex(fetched.manifest))
      throw new RegistryResponseError(`Referrers fallback tag ${tag} is not an image index`);
    return fetched.manifest;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    throw error;
  }
}

/**
 * Adds `entry` (a referrer of `subjectDigest`, already pushed) to the fallback index and returns
 * once it was confirmed. Rejects with SigningError naming the tag when other writers kept
 * replacing it within the bounds (the entry may or may not be listed then), and with AbortedError /
 * OperationTimeoutError on `signal`.
 */
export async function addToFallbackIndex(
  client: FallbackIndexStore,
  repo: FallbackRepository,
  subjectDigest: string,
  entry: Descriptor,
  options: { signal?: AbortSignal | undefined; timing?: Partial<ConvergenceTiming> } = {},
): Promise<void> {
  const tag = referrersFallbackTag(subjectDigest);
  const signal = options.signal;
  await convergentAdd<Descriptor>({
    store: {
      read: async () => (await readFallbackIndex(client, repo, subjectDigest, signal))?.manifests,
      write: async (entries) => {
        await client.putManifest(
          { registry: repo.registry, repository: repo.repository, tag },
          encodeFallbackIndex(entries),
          MediaType.ociIndex,
          { signal },
        );
      },
    },
    entry,
    key: (d) => d.digest,
    what: `the referrers fallback tag ${repo.registry}/${repo.repository}:${tag}`,
    entryName: `referrer ${entry.digest}`,
    retryableWrite: isTransientWriteError,
    signal,
    ...(options.timing === undefined ? {} : { timing: options.timing }),
  });
}
