/**
 * OCI and Docker manifests and indexes as values: parsing untrusted bytes into typed documents, and
 * descriptors. Unknown fields are kept (we never re-serialize what we fetched: the bytes are the
 * manifest); known fields are checked for type so callers can rely on them.
 */
import { RegistryResponseError } from '../errors/registry.js';
import { fromUtf8 } from '../internal/bytes.js';
import type { Descriptor, ImageIndex, ImageManifest, Manifest } from '../payload/oci.js';
import { isIndexMediaType, MediaType } from './media-types.js';

export type { Descriptor, ImageIndex, ImageManifest, Manifest, Platform } from '../payload/oci.js';

/** Whether a manifest is an image index (OCI or Docker manifest list). */
export function isImageIndex(manifest: Manifest): manifest is ImageIndex {
  return Array.isArray((manifest as ImageIndex).manifests);
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

function fail(what: string, why: string): never {
  throw new RegistryResponseError(`Malformed ${what}: ${why}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkStringMap(value: unknown, what: string): void {
  if (value === undefined) return;
  if (!isRecord(value) || Object.values(value).some((v) => typeof v !== 'string'))
    fail(what, 'annotations must map strings to strings');
}

/** Validates one descriptor, throwing RegistryResponseError naming the field. */
export function checkDescriptor(value: unknown, what: string): Descriptor {
  if (!isRecord(value)) fail(what, 'a descriptor must be an object');
  if (typeof value.mediaType !== 'string' || value.mediaType === '')
    fail(what, 'descriptor mediaType must be a non-empty string');
  if (typeof value.digest !== 'string' || !DIGEST.test(value.digest))
    fail(what, `descriptor digest ${JSON.stringify(value.digest)} is not a digest`);
  if (typeof value.size !== 'number' || !Number.isSafeInteger(value.size) || value.size < 0)
    fail(what, 'descriptor size must be a non-negative integer');
  checkStringMap(value.annotations, what);
  if (value.artifactType !== undefined && typeof value.artifactType !== 'string')
    fail(what, 'artifactType must be a string');
  if (value.platform !== undefined) {
    const p = value.platform;
    if (!isRecord(p) || typeof p.architecture !== 'string' || typeof p.os !== 'string')
      fail(what, 'platform needs architecture and os strings');
  }
  return value as unknown as Descriptor;
}

/**
 * Parses manifest bytes. `mediaType` is the Content-Type the registry sent (or the descriptor's),
 * used when the document has no `mediaType` field (allowed for OCI).
 */
export function parseManifest(bytes: Uint8Array, mediaType?: string): Manifest {
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(bytes));
  } catch {
    fail('manifest', 'it is not JSON');
  }
  if (!isRecord(doc)) fail('manifest', 'it is not a JSON object');
  if (doc.schemaVersion !== 2)
    fail(
      'manifest',
      `schemaVersion is ${JSON.stringify(doc.schemaVersion)}, expected 2 (schema 1 manifests are not supported)`,
    );
  if (doc.mediaType !== undefined && typeof doc.mediaType !== 'string')
    fail('manifest', 'mediaType must be a string');
  checkStringMap(doc.annotations, 'manifest');
  if (doc.subject !== undefined) checkDescriptor(doc.subject, 'manifest subject');
  const declared = (doc.mediaType as string | undefined) ?? mediaType;
  if (Array.isArray(doc.manifests) || isIndexMediaType(declared)) {
    if (!Array.isArray(doc.manifests)) fail('index', 'manifests must be an array');
    for (const [i, d] of doc.manifests.entries()) checkDescriptor(d, `index manifests[${i}]`);
    return doc as unknown as ImageIndex;
  }
  if (declared === MediaType.ociArtifactManifest) {
    // The withdrawn OCI 1.1-rc artifact manifest: blobs instead of layers, no config.
    const blobs = doc.blobs ?? [];
    if (!Array.isArray(blobs)) fail('artifact manifest', 'blobs must be an array');
    for (const [i, d] of blobs.entries()) checkDescriptor(d, `artifact manifest blobs[${i}]`);
    return doc as unknown as ImageManifest;
  }
  checkDescriptor(doc.config, 'manifest config');
  if (!Array.isArray(doc.layers)) fail('manifest', 'layers must be an array');
  for (const [i, d] of doc.layers.entries()) checkDescriptor(d, `manifest layers[${i}]`);
  return doc as unknown as ImageManifest;
}
