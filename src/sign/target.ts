/** Where an image and its signatures live: the resolved digest, and the repository signatures go in. */
import { type ImageReference, parseImageReference } from '../internal/reference.js';
import type { Descriptor } from '../payload/oci.js';
import type { RegistryClient } from '../registry/client.js';

export interface ResolvedImage {
  readonly reference: ImageReference;
  readonly digest: string;
  /** The manifest descriptor, when the manifest was fetched (tags, indexes). */
  readonly descriptor?: Descriptor;
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
  const descriptor = await client.resolve(reference, { signal: options.signal });
  if (reference.digest === undefined) {
    options.onWarning?.(
      `Image reference ${image} uses a tag, not a digest. Resolved it to ${descriptor.digest}; pass ${reference.registry}/${reference.repository}@${descriptor.digest} to be sure what is signed or verified.`,
    );
  }
  return { reference, digest: descriptor.digest, descriptor, signatureRepository };
}
