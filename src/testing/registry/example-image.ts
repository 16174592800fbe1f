/**
 * A tiny single-layer OCI image pushed to a registry, for tests, demos and examples that need
 * something to sign. Different `content` gives a different digest.
 */
import { MediaType, type RegistryClient } from '../../registry/index.js';

/** The image {@link pushExampleImage} pushed: its digest and `repository@digest`. */
export interface PushedImage {
  /** The manifest digest. */
  readonly digest: string;
  /** `repository@digest`. */
  readonly reference: string;
}

/** Pushes a one-layer image (layer = `content`) to `reference` (`registry/repo:tag`). */
export async function pushExampleImage(
  client: RegistryClient,
  reference: string,
  options: { readonly content?: string; readonly signal?: AbortSignal } = {},
): Promise<PushedImage> {
  const colon = reference.lastIndexOf(':');
  const repository = colon > reference.lastIndexOf('/') ? reference.slice(0, colon) : reference;
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const call = options.signal === undefined ? {} : { signal: options.signal };
  const layer = await client.pushBlob(repository, new TextEncoder().encode(options.content ?? reference), {
    mediaType: MediaType.ociLayer,
    ...call,
  });
  const config = await client.pushBlob(
    repository,
    json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
    { mediaType: MediaType.ociConfig, ...call },
  );
  const manifest = json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] });
  const { digest } = await client.putManifest(reference, manifest, MediaType.ociManifest, call);
  return { digest, reference: `${repository}@${digest}` };
}
