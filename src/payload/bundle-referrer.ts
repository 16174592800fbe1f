/**
 * The OCI side of a Sigstore bundle: the referrer manifest cosign 3 pushes a bundle in
 * (byte-identical to cosign's), and the annotation keys it carries.
 *
 * Pure values: pushing them is the sign layer's, listing them in the referrers fallback index for
 * registries without the referrers API `referrers-index.ts`'s (bytes) and the registry layer's
 * (`registry/referrers-fallback.ts`, the read-modify-write). The bundle bytes themselves are
 * `bundle-create.ts`'s.
 */

import { utf8 } from '../internal/bytes.js';
import { BUNDLE_V03_MEDIA_TYPE } from './bundle.js';
import { sha256Digest } from './digest.js';
import { encodeGoJson } from './go-json.js';
import {
  type Descriptor,
  EMPTY_JSON,
  manifestStruct,
  OCI_EMPTY,
  OCI_MANIFEST,
  OciAnnotation,
} from './oci.js';

/** Annotation keys cosign 3 writes on a bundle referrer manifest. */
export const BundleAnnotation = {
  /** What the bundle holds: `dsse-envelope` or `message-signature`. */
  content: 'dev.sigstore.bundle.content',
  /** The in-toto predicate type the bundle attests. */
  predicateType: 'dev.sigstore.bundle.predicateType',
} as const;

/** The OCI referrer cosign 3 pushes a bundle in, ready to upload (blobs first, then the manifest by digest). */
export interface BundleReferrer {
  readonly manifest: Uint8Array;
  readonly manifestDescriptor: Descriptor;
  readonly config: Uint8Array;
  readonly configDescriptor: Descriptor;
  readonly bundle: Uint8Array;
  readonly bundleDescriptor: Descriptor;
}

/** RFC 3339 UTC to the second, as cosign writes {@link OciAnnotation.created}. */
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
          [BundleAnnotation.content]: input.content ?? 'dsse-envelope',
          [BundleAnnotation.predicateType]: input.predicateType,
          [OciAnnotation.created]: created,
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
