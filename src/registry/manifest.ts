/**
 * OCI and Docker manifests and indexes as values: untrusted bytes parsed into typed, validated
 * documents, one schema per document type — image manifest (OCI or Docker schema 2), image index
 * (OCI index or Docker manifest list), and the referrers API's index. What a document is follows
 * its `mediaType` (else the Content-Type, else its shape), and a document that says one thing and
 * looks like the other (an index with `layers`, a manifest with `manifests`: CVE-2021-41190) is
 * refused rather than guessed at.
 *
 * Only the known members are kept in the parsed value (we never re-serialize what we fetched: the
 * bytes are the manifest). Not read: Docker schema 1, and the OCI 1.1-rc artifact manifest that
 * OCI withdrew (go-containerregistry, and so cosign, never read it either).
 */
import { RegistryResponseError } from '../errors/registry.js';
import {
  array,
  isJsonObject,
  literal,
  object,
  optionalOrNull,
  own,
  readShape,
  record,
  type Shape,
  type ShapeError,
  string,
} from '../internal/shape.js';
import {
  type Descriptor,
  descriptorSchema,
  type ImageIndex,
  type ImageManifest,
  type Manifest,
} from '../payload/oci.js';
import { malformed, parseJson } from './documents.js';
import { isIndexMediaType, MediaType } from './media-types.js';

export type { Descriptor, ImageIndex, ImageManifest, Manifest, Platform } from '../payload/oci.js';

/** Whether a manifest is an image index (OCI or Docker manifest list). */
export function isImageIndex(manifest: Manifest): manifest is ImageIndex {
  return Array.isArray((manifest as ImageIndex).manifests);
}

const stringMap = record(string);

/** An OCI content descriptor, as a registry serves it (`null` members read as absent, as in Go). */
export const descriptorShape = descriptorSchema(optionalOrNull);

const common = {
  schemaVersion: literal(2),
  mediaType: optionalOrNull(string),
  artifactType: optionalOrNull(string),
  subject: optionalOrNull(descriptorShape),
  annotations: optionalOrNull(stringMap),
};

// The casts below only drop `| undefined` from optional members: object() never sets a member to
// undefined, which is what exactOptionalPropertyTypes cannot see.

/** An image manifest: OCI, or Docker v2 schema 2. */
export const imageManifestShape = object(
  { ...common, config: descriptorShape, layers: array(descriptorShape) },
  'an image manifest',
) as Shape<ImageManifest>;

/** An image index: OCI, or a Docker manifest list. */
export const imageIndexShape = object(
  { ...common, manifests: array(descriptorShape) },
  'an image index',
) as Shape<ImageIndex>;

/** Refuses a document: RegistryResponseError `Malformed <what>: <why>`. */
function refuse(what: string, why: string): never {
  throw new RegistryResponseError(`Malformed ${what}: ${why}`);
}

/** "manifest", "index", or undefined for a media type that says neither. */
function kindOf(mediaType: string | undefined): 'manifest' | 'index' | undefined {
  if (mediaType === MediaType.ociManifest || mediaType === MediaType.dockerManifest) return 'manifest';
  if (isIndexMediaType(mediaType)) return 'index';
  return undefined;
}

function shown(value: string): string {
  return JSON.stringify(value.length > 100 ? `${value.slice(0, 100)}…` : value);
}

/**
 * Parses manifest bytes into a validated image manifest or index. `mediaType` is the Content-Type
 * the registry sent (or the descriptor's), used when the document has no `mediaType` field
 * (allowed for OCI). Throws RegistryResponseError naming the field that is wrong.
 */
export function parseManifest(bytes: Uint8Array, mediaType?: string): Manifest {
  const doc = parseJson(bytes, 'Manifest');
  if (!isJsonObject(doc)) refuse('manifest', 'it is not a JSON object');
  const schemaVersion = own(doc, 'schemaVersion');
  if (schemaVersion === 1)
    refuse('manifest', 'schemaVersion is 1 (Docker schema 1 manifests are not supported)');
  const declared = own(doc, 'mediaType');
  if (declared !== undefined && declared !== null && typeof declared !== 'string')
    refuse('manifest', 'mediaType must be a string');
  if (declared === MediaType.ociArtifactManifest || mediaType === MediaType.ociArtifactManifest) {
    refuse(
      'manifest',
      'it is an OCI artifact manifest (withdrawn from OCI 1.1), which ocisign does not read',
    );
  }
  const docKind = kindOf(typeof declared === 'string' ? declared : undefined);
  if (typeof declared === 'string' && docKind === undefined)
    refuse('manifest', `mediaType ${shown(declared)} is not an image manifest or index`);
  const servedKind = kindOf(mediaType);
  if (docKind !== undefined && servedKind !== undefined && docKind !== servedKind)
    refuse(
      'manifest',
      `the registry served it as ${servedKind === 'index' ? 'an index' : 'a manifest'}, but its mediaType says ${docKind === 'index' ? 'index' : 'manifest'}`,
    );
  const hasManifests = own(doc, 'manifests') !== undefined;
  const hasImageFields = own(doc, 'config') !== undefined || own(doc, 'layers') !== undefined;
  const kind = docKind ?? servedKind ?? (hasManifests ? 'index' : 'manifest');
  // An ambiguous document must not read as an index to one client and an image to another.
  if (kind === 'index' && hasImageFields) refuse('index', 'an index must not have config or layers');
  if (kind === 'manifest' && hasManifests) refuse('manifest', 'an image manifest must not have manifests');
  const makeError = (message: string, cause: ShapeError) => malformed(`Malformed ${message}`, cause);
  return kind === 'index'
    ? readShape(doc, imageIndexShape, 'index', makeError)
    : readShape(doc, imageManifestShape, 'manifest', makeError);
}

/** Validates one descriptor, throwing RegistryResponseError naming the field. */
export function checkDescriptor(value: unknown, what: string): Descriptor {
  return readShape(value, descriptorShape, what, (message, cause) =>
    malformed(`Malformed ${message}`, cause),
  );
}

/**
 * Parses what the referrers API answered: an OCI image index whose entries are descriptors
 * (artifact types and annotations kept). Anything else is a RegistryResponseError.
 */
export function parseReferrersIndex(bytes: Uint8Array): ImageIndex {
  const manifest = parseManifest(bytes, MediaType.ociIndex);
  if (!isImageIndex(manifest)) refuse('referrers response', 'it is not an image index');
  return manifest;
}
