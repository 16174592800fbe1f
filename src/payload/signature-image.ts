/**
 * cosign's classic signature and attestation images (the `.sig` / `.att` tags, and the OCI 1.1
 * experimental referrer form): layer descriptors with their annotations, the config blob (not `{}`:
 * go-containerregistry's image config with one `diff_ids` and `history` entry per layer), and the
 * manifest — all byte-identical to what cosign pushes. Appending keeps existing descriptors as they
 * were. Pure: reading and writing registries, and verifying duplicates, happen above.
 */

import { InvalidArgumentError } from '../errors/base.js';
import { LimitExceededError, PayloadFormatError } from '../errors/payload.js';
import { utf8 } from '../internal/bytes.js';
import {
  array,
  boolean,
  isJsonObject,
  nullable,
  object,
  optional,
  own,
  readShape,
  record,
  type Shape,
  string,
  unknownValue,
} from '../internal/shape.js';
import { sha256Digest } from './digest.js';
import { goAny, goBytes, goInt64, goString, goStructOf, readGoJson } from './go-decode.js';
import { encodeGoJson, goStruct } from './go-json.js';
import { readJsonDocument } from './json-object.js';
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

/** Layer annotation keys, spelled exactly as cosign's code writes them. */
export const SignatureAnnotation = {
  signature: 'dev.cosignproject.cosign/signature',
  certificate: 'dev.sigstore.cosign/certificate',
  chain: 'dev.sigstore.cosign/chain',
  bundle: 'dev.sigstore.cosign/bundle',
  rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  predicateType: 'predicateType',
} as const;

/** Config media type of cosign's OCI 1.1 experimental signature referrers. */
export const COSIGN_SIG_ARTIFACT_TYPE = 'application/vnd.dev.cosign.artifact.sig.v1+json';
/** Media type of a DSSE envelope layer (`application/vnd.dsse.envelope.v1+json`). */
export const DSSE_MEDIA_TYPE = 'application/vnd.dsse.envelope.v1+json';

/** Go's zero `time.Time`, which ggcr writes for unset timestamps. */
const ZERO_TIME = '0001-01-01T00:00:00Z';

/** cosign's default reader limits: 1000 layers per signature image, 128 MiB per payload. */
export const DEFAULT_MAX_LAYERS = 1000;
/** cosign's default limit for one signature payload: 128 MiB. */
export const DEFAULT_MAX_PAYLOAD_BYTES = 128 * 1024 * 1024;

/** The Rekor bundle annotation: `{"SignedEntryTimestamp":…,"Payload":{"body","integratedTime","logIndex","logID"}}`. */
export interface RekorBundle {
  readonly SignedEntryTimestamp: string;
  readonly Payload: {
    readonly body: string;
    readonly integratedTime: number;
    readonly logIndex: number;
    readonly logID: string;
  };
}

/** cosign's `bundle.RekorBundle` Go struct, which `json.Unmarshal` reads the bundle annotation into. */
const rekorBundleStruct = goStructOf({
  SignedEntryTimestamp: goBytes,
  Payload: goStructOf({ body: goAny, integratedTime: goInt64, logIndex: goInt64, logID: goString }),
});

/** A Rekor bundle annotation as cosign decodes it: a missing member is its zero value. */
export interface ParsedRekorBundle {
  /** The SET's bytes, or null when the annotation has none. */
  readonly signedEntryTimestamp: Uint8Array | null;
  readonly payload: {
    /** The base64 entry body; cosign requires a string (anything else fails verification). */
    readonly body: unknown;
    readonly integratedTime: number;
    readonly logIndex: number;
    readonly logID: string;
  };
}

/**
 * Parses the `dev.sigstore.cosign/bundle` annotation as cosign does (Go `encoding/json` into its
 * `RekorBundle`: names case-insensitive, `null` and missing members zero, `1.5` for an integer or a
 * number for `logID` refused). Throws PayloadFormatError.
 */
export function parseRekorBundleAnnotation(text: string): ParsedRekorBundle {
  const b = readGoJson(
    text,
    rekorBundleStruct,
    'Rekor bundle annotation',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  return { signedEntryTimestamp: b.SignedEntryTimestamp, payload: b.Payload };
}

/** What one signature (or attestation) layer carries. */
export interface SignatureLayerInput {
  /** The signed bytes: a simple-signing payload, or a DSSE envelope for attestations. */
  readonly payload: Uint8Array;
  /** Default: simple-signing. Use DSSE_MEDIA_TYPE for attestations. */
  readonly mediaType?: string;
  /** Base64 signature; `''` for attestation layers (the signature lives in the envelope). */
  readonly signature: string;
  /** PEM leaf certificate; when given, `chain` is written too (empty when absent), as cosign does. */
  readonly certificate?: string;
  readonly chain?: string;
  readonly bundle?: RekorBundle;
  /** Base64 DER RFC 3161 TimeStampResp. */
  readonly rfc3161Timestamp?: string;
  /** Extra annotations (e.g. `predicateType` on attestation layers). */
  readonly annotations?: Readonly<Record<string, string>>;
}

/** The descriptor of one signature layer: uncompressed payload, annotations as cosign writes them. */
export function signatureLayerDescriptor(layer: SignatureLayerInput): Descriptor {
  if (!(layer.payload instanceof Uint8Array)) throw new InvalidArgumentError('payload must be a Uint8Array');
  const annotations: Record<string, string> = {
    ...layer.annotations,
    [SignatureAnnotation.signature]: layer.signature,
  };
  if (layer.certificate !== undefined) {
    annotations[SignatureAnnotation.certificate] = layer.certificate;
    annotations[SignatureAnnotation.chain] = layer.chain ?? '';
  }
  if (layer.bundle !== undefined) {
    const b = layer.bundle;
    annotations[SignatureAnnotation.bundle] = encodeGoJson(
      goStruct([
        ['SignedEntryTimestamp', b.SignedEntryTimestamp],
        [
          'Payload',
          goStruct([
            ['body', b.Payload.body],
            ['integratedTime', b.Payload.integratedTime],
            ['logIndex', b.Payload.logIndex],
            ['logID', b.Payload.logID],
          ]),
        ],
      ]),
    );
  }
  if (layer.rfc3161Timestamp !== undefined) {
    annotations[SignatureAnnotation.rfc3161Timestamp] = encodeGoJson(
      goStruct([['SignedRFC3161Timestamp', layer.rfc3161Timestamp]]),
    );
  }
  return {
    mediaType: layer.mediaType ?? 'application/vnd.dev.cosign.simplesigning.v1+json',
    size: layer.payload.length,
    digest: sha256Digest(layer.payload),
    annotations,
  };
}

/** One `history` entry of a signature image's config (one per signature layer). */
export interface HistoryEntry {
  readonly created?: string;
  readonly created_by?: string;
  readonly author?: string;
  readonly comment?: string;
  readonly empty_layer?: boolean;
}

/** The parts of an image config that survive ggcr's re-marshal through its ConfigFile struct. */
export interface SignatureConfig {
  readonly architecture: string;
  readonly author?: string;
  readonly created: string;
  readonly history: readonly HistoryEntry[];
  readonly os: string;
  readonly diffIds: readonly string[];
  readonly config: Readonly<Record<string, unknown>>;
  readonly variant?: string;
  readonly osVersion?: string;
}

/** Encodes a config blob in ggcr's ConfigFile field order. */
export function encodeSignatureConfig(config: SignatureConfig): Uint8Array {
  return utf8(
    encodeGoJson(
      goStruct([
        ['architecture', config.architecture],
        ['author', config.author || undefined],
        ['created', config.created],
        [
          'history',
          config.history.length === 0
            ? undefined
            : config.history.map((h) =>
                goStruct([
                  ['created', h.created ?? ZERO_TIME],
                  ['created_by', h.created_by || undefined],
                  ['author', h.author || undefined],
                  ['comment', h.comment || undefined],
                  ['empty_layer', h.empty_layer || undefined],
                ]),
              ),
        ],
        ['os', config.os],
        [
          'rootfs',
          goStruct([
            ['type', 'layers'],
            ['diff_ids', config.diffIds],
          ]),
        ],
        ['config', config.config],
        ['os.version', config.osVersion || undefined],
        ['variant', config.variant || undefined],
      ]),
    ),
  );
}

// Go's ConfigFile decoding reads `null` as empty, so every member here may be null.
const maybe = <T>(inner: Shape<T>) => optional(nullable(inner));
const historyShape = object({
  created: maybe(string),
  created_by: maybe(string),
  author: maybe(string),
  comment: maybe(string),
  empty_layer: maybe(boolean),
});

/** The members of ggcr's `ConfigFile` that a signature image's config keeps (others are dropped). */
const signatureConfigShape = object(
  {
    architecture: maybe(string),
    author: maybe(string),
    created: maybe(string),
    history: maybe(array(historyShape)),
    os: maybe(string),
    rootfs: maybe(object({ diff_ids: maybe(array(string)) })),
    config: maybe(record(unknownValue)),
    variant: maybe(string),
    'os.version': maybe(string),
  },
  'an image config object',
);

/** Reads an existing signature image's config (untrusted bytes) into the fields ggcr keeps. */
export function parseSignatureConfig(bytes: Uint8Array): SignatureConfig {
  const { value } = readJsonDocument(bytes, 'Signature image config');
  const doc = readShape(
    value,
    signatureConfigShape,
    'Signature image config',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  return {
    architecture: doc.architecture ?? '',
    author: doc.author ?? '',
    created: doc.created ?? ZERO_TIME,
    history: (doc.history ?? []).map(
      (h) => Object.fromEntries(Object.entries(h).filter(([, v]) => v !== null)) as HistoryEntry,
    ),
    os: doc.os ?? '',
    diffIds: doc.rootfs?.diff_ids ?? [],
    config: doc.config ?? {},
    variant: doc.variant ?? '',
    osVersion: doc['os.version'] ?? '',
  };
}

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

/**
 * The structural half of cosign's duplicate check: same payload digest and media type, and every
 * non-signature annotation of the candidate present with an equal value on the existing layer. The
 * caller must also verify the existing signature over the candidate's payload (ECDSA signatures are
 * randomized, so comparing signature bytes would never find a duplicate).
 */
export function sameSignatureLayerContent(existing: Descriptor, candidate: Descriptor): boolean {
  if (existing.digest !== candidate.digest || existing.mediaType !== candidate.mediaType) return false;
  for (const [key, value] of Object.entries(candidate.annotations ?? {})) {
    if (key === SignatureAnnotation.signature) continue;
    if (existing.annotations?.[key] !== value) return false;
  }
  return true;
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
