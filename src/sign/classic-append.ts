/**
 * Appends a signature (or attestation) layer to cosign's `.sig` / `.att` image without losing
 * anyone else's. cosign reads the image, adds a layer and writes it back; two signers at once can
 * drop one layer, because a registry tag has no compare-and-swap. Here the append runs the
 * convergent protocol of `internal/convergent-add.ts`: every layer this signer has seen is kept and
 * re-added, and the call returns only after its layer (and every other layer it saw) was read back
 * twice in a row, a pause longer than any writer's read-to-write time apart. The guarantee, once
 * every concurrent ocisign signer has returned: every layer a signer reported is in the image.
 *
 * cosign's duplicate check runs on the first read: a layer with the same payload and annotations
 * whose signature verifies with our key over our payload makes ours redundant, so nothing is
 * appended (`duplicate: true`), and that layer is confirmed like our own would be. Two identical
 * signers racing may both append (as with cosign); they never leave neither.
 *
 * Deliberately not done: replacing a tag that holds something other than a signature image (an
 * index, an artifact manifest) — that fails with SigningError instead; rewriting layers others
 * wrote; undoing a concurrent deliberate removal (indistinguishable from a lost update).
 */

import { NotFoundError, RegistryError } from '../errors/registry.js';
import { SigningError } from '../errors/verify.js';
import { fromBase64 } from '../internal/bytes.js';
import { type ConvergenceTiming, convergentAdd } from '../internal/convergent-add.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import type { Descriptor, ImageManifest } from '../payload/oci.js';
import { parseSignatureConfig } from '../payload/signature-config.js';
import { buildSignatureImage } from '../payload/signature-image.js';
import { SignatureAnnotation, sameSignatureLayerContent } from '../payload/signature-layer.js';
import type { RegistryClient } from '../registry/client.js';
import { isImageIndex } from '../registry/manifest.js';
import { isTransientWriteError } from '../registry/transport/retry.js';

/** The registry calls an append needs (a `RegistryClient`, or a test double). */
export type SignatureImageStore = Pick<
  RegistryClient,
  'getManifest' | 'getBlobBytes' | 'pushBlob' | 'putManifest'
>;

/** Config blobs of signature images are tiny; refuse to read more than this for one. */
const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** What {@link appendSignature} did. */
export interface AppendResult {
  /** True when an equal signature was already there (cosign's duplicate check): nothing was added. */
  readonly duplicate: boolean;
  /** The digest of the signature image as it was confirmed (absent only if it was never readable). */
  readonly manifestDigest?: string;
}

/** A layer's identity: its payload digest and its signature (`''` for attestations, whose payloads differ). */
function layerKey(layer: Descriptor): string {
  return `${layer.digest} ${layer.annotations?.[SignatureAnnotation.signature] ?? ''}`;
}

/** Whether a failed write may have been transient (and may or may not have landed). */
function retryableWrite(error: unknown): boolean {
  if (isTransientWriteError(error)) return true;
  // Concurrent writers uploading the same config blob can make distribution refuse a manifest for
  // a moment (DIGEST_INVALID / MANIFEST_BLOB_UNKNOWN): worth a round too.
  return error instanceof RegistryError && (error.status === 400 || error.status === 404);
}

/**
 * Appends `layer` (with its `payload` blob) to the signature image at `tagRef`
 * (`registry/repo:sha256-….sig` or `.att`). `publicKey` is the signer's, for cosign's duplicate
 * check. Resolves once the layer was confirmed (see the module comment); rejects with SigningError
 * naming the tag when it could not be, and with AbortedError / OperationTimeoutError on `signal`.
 */
export async function appendSignature(
  client: SignatureImageStore,
  tagRef: string,
  layer: Descriptor,
  payload: Uint8Array,
  publicKey: PublicKey,
  options: {
    dockerMediaTypes?: boolean;
    signal?: AbortSignal | undefined;
    /** Pauses and bounds of the convergence loop (tests). */
    timing?: Partial<ConvergenceTiming>;
  },
): Promise<AppendResult> {
  const repo = tagRef.slice(0, tagRef.lastIndexOf(':'));
  const signal = options.signal;
  let digest: string | undefined;
  let created: string | undefined;
  let createdOf: string | undefined;

  const read = async (): Promise<readonly Descriptor[] | undefined> => {
    let fetched: Awaited<ReturnType<SignatureImageStore['getManifest']>>;
    try {
      fetched = await client.getManifest(tagRef, { signal });
    } catch (error) {
      if (error instanceof NotFoundError) {
        digest = undefined;
        return undefined;
      }
      throw error;
    }
    const manifest = fetched.manifest as ImageManifest;
    if (isImageIndex(fetched.manifest) || !Array.isArray(manifest.layers))
      throw new SigningError(
        `${tagRef} holds ${isImageIndex(fetched.manifest) ? 'an image index' : 'a manifest without layers'}, not a cosign signature image; refusing to replace it`,
      );
    digest = fetched.digest;
    // Keep the image's creation time (cosign's --record-creation-timestamp) when we rewrite it.
    if (createdOf !== manifest.config.digest) {
      try {
        created = parseSignatureConfig(
          await client.getBlobBytes(repo, manifest.config.digest, { signal, maxBytes: MAX_CONFIG_BYTES }),
        ).created;
      } catch (error) {
        if (signal?.aborted) throw error;
        created = undefined; // an unreadable config only loses the timestamp
      }
      createdOf = manifest.config.digest;
    }
    return manifest.layers;
  };

  const write = async (layers: readonly Descriptor[]): Promise<void> => {
    const image = buildSignatureImage(layers, {
      ...(options.dockerMediaTypes ? { dockerMediaTypes: true } : {}),
      ...(created !== undefined ? { created } : {}),
    });
    // The config blob first: a manifest may only point at what exists.
    await client.pushBlob(repo, image.config, { mediaType: image.configDescriptor.mediaType, signal });
    await client.putManifest(tagRef, image.manifest, image.mediaType, { signal });
  };

  // cosign's duplicate check: same content, and the existing signature verifies over our payload.
  const duplicateIn = (layers: readonly Descriptor[]) =>
    layers.find((existing) => {
      const sig = fromBase64(existing.annotations?.[SignatureAnnotation.signature] ?? '');
      return (
        sameSignatureLayerContent(existing, layer) &&
        sig !== undefined &&
        sig.length > 0 &&
        verifySignatureSync(publicKey, payload, sig)
      );
    });

  const result = await convergentAdd({
    store: { read, write },
    entry: layer,
    key: layerKey,
    what: `the signature image ${tagRef}`,
    entryName: `signature layer ${layer.digest}`,
    duplicateIn,
    prepare: async () => {
      await client.pushBlob(repo, payload, { mediaType: layer.mediaType, signal });
    },
    retryableWrite,
    signal,
    ...(options.timing === undefined ? {} : { timing: options.timing }),
  });
  return {
    duplicate: result.duplicate !== undefined,
    ...(digest === undefined ? {} : { manifestDigest: digest }),
  };
}
