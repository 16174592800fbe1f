/**
 * The OCI side of a Sigstore bundle: the referrer manifest cosign 3 pushes a bundle in
 * (byte-identical to cosign's), and the referrers fallback index for registries without the
 * referrers API, as go-containerregistry writes it.
 *
 * Pure values: pushing them, and the read-modify-write of a fallback tag under concurrent writers,
 * are the registry layer's (`registry/referrers-fallback.ts`). The bundle bytes themselves are
 * `bundle-create.ts`'s.
 */

import { utf8 } from '../internal/bytes.js';
import { BUNDLE_V03_MEDIA_TYPE } from './bundle.js';
import { sha256Digest } from './digest.js';
import { encodeGoJson } from './go-json.js';
import {
  type Descriptor,
  type ImageIndex,
  indexStruct,
  manifestStruct,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_MANIFEST,
} from './oci.js';

/** The two bytes `{}`, the empty config cosign 3 gives bundle referrers. */
export const EMPTY_JSON = utf8('{}');

/** The OCI referrer cosign 3 pushes a bundle in, ready to upload (blobs first, then the manifest by digest). */
export interface BundleReferrer {
  readonly manifest: Uint8Array;
  readonly manifestDescriptor: Descriptor;
  readonly config: Uint8Array;
  readonly configDescriptor: Descriptor;
  readonly bundle: Uint8Array;
  readonly bundleDescriptor: Descriptor;
}

/** RFC 3339 UTC to the second, as cosign writes `org.opencontainers.image.created`. */
function rfc3339Seconds(date: Date): string {
  return `${date.toISOString().slice(0, 19)}Z`;
}

/**
 * The referrer manifest for a bundle, byte-identical to cosign's: empty `{}` config whose
 * descriptor carries the (non-standard) `artifactType`, one bundle layer, the bundle annotations, the
 * subject, and a top-level `artifactType`.
 */
export function bundleReferrerManifest(input: {
  bundle: Uint8Array;
  subject: Descriptor;
  predicateType: string;
  content?: 'dsse-envelope' | 'message-signature';
  created?: Date | string;
}): BundleReferrer {
  const configDescriptor: Descriptor = {
    mediaType: OCI_EMPTY,
    size: EMPTY_JSON.length,
    digest: sha256Digest(EMPTY_JSON),
    artifactType: BUNDLE_V03_MEDIA_TYPE,
  };
  const bundleDescriptor: Descriptor = {
    mediaType: BUNDLE_V03_MEDIA_TYPE,
    size: input.bundle.length,
    digest: sha256Digest(input.bundle),
  };
  const created =
    typeof input.created === 'string' ? input.created : rfc3339Seconds(input.created ?? new Date());
  const manifest = utf8(
    encodeGoJson(
      manifestStruct({
        schemaVersion: 2,
        mediaType: OCI_MANIFEST,
        config: configDescriptor,
        layers: [bundleDescriptor],
        annotations: {
          'dev.sigstore.bundle.content': input.content ?? 'dsse-envelope',
          'dev.sigstore.bundle.predicateType': input.predicateType,
          'org.opencontainers.image.created': created,
        },
        subject: {
          mediaType: input.subject.mediaType,
          size: input.subject.size,
          digest: input.subject.digest,
        },
        artifactType: BUNDLE_V03_MEDIA_TYPE,
      }),
    ),
  );
  return {
    manifest,
    manifestDescriptor: {
      mediaType: OCI_MANIFEST,
      size: manifest.length,
      digest: sha256Digest(manifest),
      artifactType: BUNDLE_V03_MEDIA_TYPE,
    },
    config: EMPTY_JSON,
    configDescriptor,
    bundle: input.bundle,
    bundleDescriptor,
  };
}

/**
 * The referrers fallback index (tag `sha256-<hex>`) as go-containerregistry writes it: entries
 * sorted by digest, no annotations, `artifactType` from the manifest (ggcr ≥ 0.21.6, cosign ≥
 * 3.1.0) or from its config media type (`before-0.21.6`).
 */
export function encodeReferrersIndex(
  entries: ReadonlyArray<Descriptor & { configMediaType?: string }>,
  ggcr: 'current' | 'before-0.21.6' = 'current',
): Uint8Array {
  const manifests = [...entries]
    .sort((a, b) => (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0))
    .map((e) => {
      const artifactType =
        ggcr === 'current' ? (e.artifactType ?? e.configMediaType) : (e.configMediaType ?? e.artifactType);
      return {
        mediaType: e.mediaType,
        size: e.size,
        digest: e.digest,
        ...(artifactType === undefined ? {} : { artifactType }),
      };
    });
  const index: ImageIndex = { schemaVersion: 2, mediaType: OCI_INDEX, manifests };
  return utf8(encodeGoJson(indexStruct(index)));
}
