/** Where an image and its signatures live: the resolved digest, and the repository signatures go in. */
import { type ImageReference, parseImageReference } from '../internal/reference.js';
import { importPublicKey } from '../keys/import.js';
import { isPublicKey, type PublicKey } from '../keys/key-objects.js';
import type { BundleReferrer } from '../payload/bundle-referrer.js';
import type { Descriptor } from '../payload/oci.js';
import { OCI_MANIFEST } from '../payload/oci.js';
import { type FetchedManifest, RegistryClient } from '../registry/client.js';

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

export function signatureRepositoryOf(
  reference: ImageReference,
  alternate?: string,
): Pick<ImageReference, 'registry' | 'repository'> {
  if (alternate === undefined) return { registry: reference.registry, repository: reference.repository };
  const alt = parseImageReference(alternate);
  return { registry: alt.registry, repository: alt.repository };
}

/**
 * Resolves `image` to a digest. A tag costs one GET (the manifest); a warning says that a tag was
 * signed by digest, as cosign warns.
 */
export async function resolveImage(
  client: RegistryClient,
  image: string,
  options: {
    repository?: string | undefined;
    signal?: AbortSignal | undefined;
    onWarning?: ((message: string) => void) | undefined;
    fetchManifest?: boolean;
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

/** Trusted keys as parsed `PublicKey`s (PEM strings are parsed once and memoized). */
export function trustedKeys(keys: ReadonlyArray<PublicKey | string>): PublicKey[] {
  return keys.map((k) => (isPublicKey(k) ? k : importPublicKey(k)));
}

/** Uploads a bundle referrer: the `{}` config, the bundle blob, then the manifest (and fallback index). */
export async function pushBundleReferrer(
  client: RegistryClient,
  repository: string,
  referrer: BundleReferrer,
  signal: AbortSignal | undefined,
): Promise<string> {
  await client.pushBlob(repository, referrer.config, {
    mediaType: referrer.configDescriptor.mediaType,
    signal,
  });
  await client.pushBlob(repository, referrer.bundle, {
    mediaType: referrer.bundleDescriptor.mediaType,
    signal,
  });
  return (await client.pushReferrer(repository, referrer.manifest, OCI_MANIFEST, { signal })).digest;
}
