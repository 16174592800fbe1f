/**
 * cosign's classic signature and attestation images (the `.sig` / `.att` tags, and the OCI 1.1
 * experimental referrer form) as a whole: the manifest built from its layers and config, appending
 * a layer while keeping existing descriptors as they were (byte-identical to what cosign pushes),
 * and reading the layers of a fetched one within cosign's reader limits.
 *
 * Pure: reading and writing registries, and verifying duplicates, happen above. One layer's
 * descriptor is `signature-layer.ts`'s, the config blob `signature-config.ts`'s.
 */

import { InvalidArgumentError } from '../errors/base.js';
import { LimitExceededError, PayloadFormatError } from '../errors/payload.js';
import { utf8 } from '../internal/bytes.js';
import { array, isJsonObject, own, readShape } from '../internal/shape.js';
import { sha256Digest } from './digest.js';
import { encodeGoJson } from './go-json.js';
import {
  type Descriptor,
  DOCKER_CONFIG,
  DOCKER_MANIFEST,
  descriptorShape,
  type ImageManifest,
  manifestStruct,
  OCI_ARTIFACT_MANIFEST,
  OCI_CONFIG,
  OCI_MANIFEST,
} from './oci.js';
import {
  encodeSignatureConfig,
  parseSignatureConfig,
  type SignatureConfig,
  ZERO_TIME,
} from './signature-config.js';

/** Config media type of cosign's OCI 1.1 experimental signature referrers. */
export const COSIGN_SIG_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
/** cosign's default reader limits: 1000 layers per signature image, 128 MiB per payload. */
export const DEFAULT_MAX_LAYERS = 1000;
/** cosign's default limit for one signature payload: 128 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 128 * 1024 * 1024;

/** A built signature image: the config blob and manifest bytes, with the manifest's value. */
export interface SignatureImage {
  readonly config: Uint8Array;
  readonly configDescriptor: Descriptor;
  readonly manifest: Uint8Array;
  readonly manifestValue: ImageManifest;
  readonly mediaType: string;
}

/**
 * How to build a signature image: Docker or OCI media types, and the OCI 1.1 experimental form.
 */
export interface SignatureImageOptions {
  /** Docker media types (`COSIGN_DOCKER_MEDIA_TYPES=1`) instead of OCI. */
  readonly dockerMediaTypes?: boolean;
  /** The OCI 1.1 experimental referrer form: cosign's artifact config type and this subject. */
  readonly subject?: Descriptor;
  /** With `subject`: also write top-level artifactType, as cosign ≥ 3.1.2 does. Default true. */
  readonly artifactType?: boolean;
  /** Top-level `created` (cosign's deprecated --record-creation-timestamp); default Go's zero time. */
  readonly created?: string;
  /** Refuse more layers than this (cosign reads at most 1000). */
  readonly maxLayers?: number;
}

/**
 * Builds a signature image from its layers, as cosign appends them onto an empty image. `base` is an
 * existing config to extend (its diff_ids/history must match `layers` minus the new ones).
 */
export function buildSignatureImage(
  layers: readonly Descriptor[],
  options: SignatureImageOptions = {},
  base?: SignatureConfig,
): SignatureImage {
  const maxLayers = options.maxLayers ?? DEFAULT_MAX_LAYERS;
  if (layers.length > maxLayers)
    throw new LimitExceededError(
      `A signature image may hold at most ${maxLayers} layers; this one would have ${layers.length}`,
    );
  const kept = base?.diffIds.length ?? 0;
  if (kept > layers.length)
    throw new InvalidArgumentError('The base config has more diff_ids than there are layers');
  const added = layers.slice(kept);
  const config = encodeSignatureConfig({
    architecture: base?.architecture ?? '',
    ...(base?.author ? { author: base.author } : {}),
    created: base?.created ?? options.created ?? ZERO_TIME,
    history: [...(base?.history ?? []), ...added.map(() => ({ created: ZERO_TIME }))],
    os: base?.os ?? '',
    diffIds: [...(base?.diffIds ?? []), ...added.map((l) => l.digest)],
    config: base?.config ?? {},
    ...(base?.variant ? { variant: base.variant } : {}),
    ...(base?.osVersion ? { osVersion: base.osVersion } : {}),
  });
  const docker = options.dockerMediaTypes === true;
  const mediaType = docker ? DOCKER_MANIFEST : OCI_MANIFEST;
  const configDescriptor: Descriptor = {
    mediaType: options.subject !== undefined ? COSIGN_SIG_ARTIFACT_TYPE : docker ? DOCKER_CONFIG : OCI_CONFIG,
    size: config.length,
    digest: sha256Digest(config),
  };
  const manifestValue: ImageManifest = {
    schemaVersion: 2,
    mediaType,
    config: configDescriptor,
    layers,
    ...(options.subject !== undefined ? { subject: options.subject } : {}),
    ...(options.subject !== undefined && options.artifactType !== false
      ? { artifactType: COSIGN_SIG_ARTIFACT_TYPE }
      : {}),
  };
  return {
    config,
    configDescriptor,
    manifest: utf8(encodeGoJson(manifestStruct(manifestValue))),
    manifestValue,
    mediaType,
  };
}

/**
 * Appends one layer to an existing signature image (or starts one when `existing` is undefined),
 * keeping existing layer descriptors as they were, as `mutate.Append` does.
 */
export function appendSignatureLayer(
  existing: { manifest: ImageManifest; config?: Uint8Array } | undefined,
  layer: Descriptor,
  options: SignatureImageOptions = {},
): SignatureImage {
  const layers = [...(existing?.manifest.layers ?? []), layer];
  const base = existing?.config === undefined ? undefined : parseSignatureConfig(existing.config);
  if (base !== undefined && base.diffIds.length !== layers.length - 1) {
    throw new PayloadFormatError(
      `The existing signature image has ${layers.length - 1} layers but its config lists ${base.diffIds.length}`,
    );
  }
  const docker = existing?.manifest.mediaType === DOCKER_MANIFEST;
  return buildSignatureImage(layers, { ...(docker ? { dockerMediaTypes: true } : {}), ...options }, base);
}

/** Reader limits, as cosign applies them (`COSIGN_MAX_ATTACHMENT_SIZE`, 1000 layers). */
export interface PayloadLimits {
  /** Largest layer payload read. Default 128 MiB. */
  readonly maxPayloadBytes?: number;
  /** Most layers read from one signature image. Default 1000. */
  readonly maxLayers?: number;
}

/**
 * The layers of a fetched signature or attestation image, after cosign's reader limits: refuses
 * more than `maxLayers` layers or any layer declared larger than `maxPayloadBytes`
 * (LimitExceededError), and anything that is not an image manifest with a list of descriptors — an
 * image index, an index that also lists layers, an artifact manifest, a malformed layer
 * (PayloadFormatError).
 */
export function signatureLayersOf(
  manifest: ImageManifest,
  limits: PayloadLimits = {},
): readonly Descriptor[] {
  const maxLayers = limits.maxLayers ?? DEFAULT_MAX_LAYERS;
  const maxBytes = limits.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES;
  if (!isJsonObject(manifest)) throw new PayloadFormatError('The signature image manifest is not an object');
  if (own(manifest, 'manifests') !== undefined)
    throw new PayloadFormatError('The signature tag holds an image index, not a signature image');
  if (own(manifest, 'mediaType') === OCI_ARTIFACT_MANIFEST || own(manifest, 'blobs') !== undefined)
    throw new PayloadFormatError('The signature tag holds an OCI artifact manifest, not a signature image');
  const declared = own(manifest, 'layers');
  if (Array.isArray(declared) && declared.length > maxLayers) {
    throw new LimitExceededError(
      `The signature image has ${declared.length} layers; at most ${maxLayers} are read (as in cosign)`,
    );
  }
  const layers = readShape(
    declared,
    array(descriptorShape),
    'Signature image manifest layers',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  for (const layer of layers) {
    if (layer.size > maxBytes) {
      throw new LimitExceededError(
        `Signature layer ${layer.digest} is ${layer.size} bytes, over the ${maxBytes}-byte limit (cosign: COSIGN_MAX_ATTACHMENT_SIZE)`,
      );
    }
  }
  return layers;
}
