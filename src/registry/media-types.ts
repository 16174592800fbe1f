/**
 * The registry client's view of the OCI media types: `MediaType`, the names `ocisign/registry` has
 * always exported, and the manifest types it asks for (the Accept header). The strings themselves
 * are the payload layer's (`payload/oci.ts`), so that a media type is spelled in one place.
 */
import {
  DOCKER_CONFIG,
  DOCKER_LAYER,
  DOCKER_MANIFEST,
  DOCKER_MANIFEST_LIST,
  OCI_ARTIFACT_MANIFEST,
  OCI_CONFIG,
  OCI_EMPTY,
  OCI_INDEX,
  OCI_LAYER,
  OCI_MANIFEST,
} from '../payload/oci.js';

/** Media types of the OCI image spec and Docker's registry formats, by name. */
export const MediaType = {
  ociManifest: OCI_MANIFEST,
  ociIndex: OCI_INDEX,
  ociConfig: OCI_CONFIG,
  ociLayer: OCI_LAYER,
  ociEmpty: OCI_EMPTY,
  ociArtifactManifest: OCI_ARTIFACT_MANIFEST,
  dockerManifest: DOCKER_MANIFEST,
  dockerManifestList: DOCKER_MANIFEST_LIST,
  dockerConfig: DOCKER_CONFIG,
  dockerLayer: DOCKER_LAYER,
} as const;

/**
 * Manifest media types we read, most specific first; sent as the Accept header. Not the withdrawn
 * OCI artifact manifest (`ociArtifactManifest`), which go-containerregistry and cosign never read.
 */
export const MANIFEST_MEDIA_TYPES: readonly string[] = [
  MediaType.ociManifest,
  MediaType.ociIndex,
  MediaType.dockerManifest,
  MediaType.dockerManifestList,
];

/** The Accept header of a manifest GET or HEAD: {@link MANIFEST_MEDIA_TYPES}, comma-separated. */
export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** Whether a media type names an image index (OCI) or a manifest list (Docker). */
export function isIndexMediaType(mediaType: string | undefined): boolean {
  return mediaType === MediaType.ociIndex || mediaType === MediaType.dockerManifestList;
}
