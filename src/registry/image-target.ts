/**
 * Where an image and its signatures live, as signing and verification both need to know before
 * anything else: the image's digest (a tag resolved with one GET) and the repository signatures are
 * read from and written to (the image's own, or cosign's `COSIGN_REPOSITORY` alternate). Also the
 * one place that lends a caller's client or makes (and closes) a fresh one.
 *
 * Deliberately not here: anything about the signatures themselves (tags, referrers, payloads).
 */
import { type ImageReference, parseImageReference } from '../internal/reference.js';
import type { Descriptor } from '../payload/oci.js';
import { type FetchedManifest, RegistryClient } from './client.js';

/** An image resolved to a digest, and where its signatures live. */
export interface ResolvedImage {
  readonly reference: ImageReference;
  readonly digest: string;
  /** The manifest descriptor, when the manifest was fetched (tags, or `fetchManifest`). */
  readonly descriptor?: Descriptor;
  /** The manifest itself, when it was fetched. */
  readonly fetched?: FetchedManifest;
  /** Where `.sig` tags and referrers are read and written (the image's, or the alternate repository). */
  readonly signatureRepository: Pick<ImageReference, 'registry' | 'repository'>;
}

/** The repository signatures of `reference` live in: its own, or the `alternate` one. */
export function signatureRepositoryOf(
  reference: ImageReference,
  alternate?: string,
): Pick<ImageReference, 'registry' | 'repository'> {
  if (alternate === undefined) return { registry: reference.registry, repository: reference.repository };
  const alt = parseImageReference(alternate);
  return { registry: alt.registry, repository: alt.repository };
}

/** The registry reads resolving an image needs (a `RegistryClient`, or a test double). */
export type ManifestReader = Pick<RegistryClient, 'getManifest'>;

/**
 * Resolves `image` to a digest. A digest-pinned reference costs nothing (unless `fetchManifest`);
 * a tag costs one GET, which also gives the manifest, and a warning says a tag was resolved, as
 * cosign warns.
 */
export async function resolveImage(
  client: ManifestReader,
  image: string,
  options: {
    readonly repository?: string | undefined;
    readonly signal?: AbortSignal | undefined;
    readonly onWarning?: ((message: string) => void) | undefined;
    readonly fetchManifest?: boolean;
  },
): Promise<ResolvedImage> {
  const reference = parseImageReference(image);
  const signatureRepository = signatureRepositoryOf(reference, options.repository);
  if (reference.digest !== undefined && options.fetchManifest !== true)
    return { reference, digest: reference.digest, signatureRepository };
  // One GET serves both: it resolves the tag and gives the manifest (no HEAD, no second fetch).
  const fetched = await client.getManifest(reference, { signal: options.signal });
  const descriptor: Descriptor = { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size };
  if (reference.digest === undefined) {
    options.onWarning?.(
      `Image reference ${image} uses a tag, not a digest. Resolved it to ${descriptor.digest}; pass ${reference.registry}/${reference.repository}@${descriptor.digest} to be sure what is signed or verified.`,
    );
  }
  return { reference, digest: descriptor.digest, descriptor, fetched, signatureRepository };
}

/** Runs `fn` with the caller's client, or with a fresh one that is closed afterwards. */
export async function withRegistry<T>(
  registry: RegistryClient | undefined,
  fn: (client: RegistryClient) => Promise<T>,
): Promise<T> {
  const client = registry ?? new RegistryClient();
  try {
    return await fn(client);
  } finally {
    if (registry === undefined) await client.close();
  }
}
