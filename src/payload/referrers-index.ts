/**
 * The bytes of the OCI referrers fallback index — the image index under the tag `sha256-<hex>`
 * (`tags.ts`'s `referrersFallbackTag`) that lists a subject's referrers on registries without the
 * referrers API — as go-containerregistry writes it: entries sorted by digest, no annotations on
 * the index itself. It lists every kind of referrer (bundles, cosign's OCI 1.1 signature
 * referrers, anyone else's), which is why it lives here beside the other OCI document encoders
 * (`oci.ts`) and not with the bundle referrer.
 *
 * Pure values: reading the tag, and the read-modify-write of it under concurrent writers, are the
 * registry layer's (`registry/referrers-fallback.ts`).
 */
import { utf8 } from '../internal/bytes.js';
import { encodeGoJson } from './go-json.js';
import { type Descriptor, indexStruct, OCI_INDEX } from './oci.js';

/** A referrer as cosign lists it: its descriptor, and the media type of its config when known. */
export type ReferrersIndexEntry = Descriptor & { configMediaType?: string };

function byDigest(a: Descriptor, b: Descriptor): number {
  return a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0;
}

/**
 * The index bytes with each entry kept whole (annotations, platform and all): what a writer that
 * re-lists others' entries must write, so that it changes nothing but the entries it adds. For
 * entries with only mediaType, size, digest and artifactType (what cosign and ocisign write) these
 * are the bytes {@link encodeReferrersIndex} gives.
 */
export function encodeFallbackIndex(entries: readonly Descriptor[]): Uint8Array {
  const manifests = [...entries].sort(byDigest);
  return utf8(encodeGoJson(indexStruct({ schemaVersion: 2, mediaType: OCI_INDEX, manifests })));
}

/**
 * The referrers fallback index (tag `sha256-<hex>`) as go-containerregistry writes it: entries
 * sorted by digest, each reduced to mediaType, size, digest and `artifactType` — from the manifest
 * (ggcr ≥ 0.21.6, cosign ≥ 3.1.0) or from its config media type (`before-0.21.6`).
 */
export function encodeReferrersIndex(
  entries: readonly ReferrersIndexEntry[],
  ggcr: 'current' | 'before-0.21.6' = 'current',
): Uint8Array {
  return encodeFallbackIndex(
    entries.map((e) => {
      const artifactType =
        ggcr === 'current' ? (e.artifactType ?? e.configMediaType) : (e.configMediaType ?? e.artifactType);
      return {
        mediaType: e.mediaType,
        size: e.size,
        digest: e.digest,
        ...(artifactType === undefined ? {} : { artifactType }),
      };
    }),
  );
}
