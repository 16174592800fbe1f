/**
 * The OCI vocabulary every layer shares: the media types of the OCI image spec and Docker's
 * registry formats, the standard annotation keys ocisign writes or reads, the empty `{}` blob; the
 * value types (descriptors, manifests, indexes) and their serialization in go-containerregistry's
 * struct order — the bytes cosign pushes — plus the schema of one descriptor, for code that must
 * not trust a manifest it was handed. Pure values: fetching and validating whole documents from
 * registries is the registry layer's job (which re-exports these media types as `MediaType`, with
 * the Accept header it sends). Sigstore's and cosign's own media types live beside the formats
 * that use them (`bundle.ts`, `simple-signing.ts`, `signature-image.ts`, `signature-layer.ts`).
 */
import { utf8 } from '../internal/bytes.js';
import {
  array,
  count,
  nonEmptyString,
  type OptionalShape,
  object,
  optional,
  record,
  refine,
  type Shape,
  string,
} from '../internal/shape.js';
import { goStruct } from './go-json.js';

/** An OCI content descriptor. */
export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly annotations?: Readonly<Record<string, string>>;
  readonly artifactType?: string;
  readonly platform?: Platform;
  readonly urls?: readonly string[];
  readonly data?: string;
}

/**
 * The platform of a manifest in an index: OS, architecture, variant and the rest of the OCI fields.
 */
export interface Platform {
  readonly architecture: string;
  readonly os: string;
  readonly variant?: string;
  readonly 'os.version'?: string;
  readonly 'os.features'?: readonly string[];
}

/** An image manifest (OCI or Docker v2 schema 2), including artifact manifests with `subject`. */
export interface ImageManifest {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An image index (OCI) or manifest list (Docker). */
export interface ImageIndex {
  readonly schemaVersion: 2;
  readonly mediaType?: string;
  readonly artifactType?: string;
  readonly manifests: readonly Descriptor[];
  readonly subject?: Descriptor;
  readonly annotations?: Readonly<Record<string, string>>;
}

/** An OCI image manifest or image index. */
export type Manifest = ImageManifest | ImageIndex;

/** Media type of an OCI image manifest. */
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
/** Media type of an OCI image index. */
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
/** Media type of an OCI image config. */
export const OCI_CONFIG = 'application/vnd.oci.image.config.v1+json';
/** Media type of a gzipped OCI image layer. */
export const OCI_LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
/** Media type of the OCI empty descriptor (`{}`), used as the config of artifacts. */
export const OCI_EMPTY = 'application/vnd.oci.empty.v1+json';
/** Media type of the withdrawn OCI 1.1-rc artifact manifest (blobs, no layers, no config). */
export const OCI_ARTIFACT_MANIFEST = 'application/vnd.oci.artifact.manifest.v1+json';
/** Media type of a Docker image manifest (v2 schema 2). */
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** Media type of a Docker manifest list (Docker's image index). */
export const DOCKER_MANIFEST_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
/** Media type of a Docker image config. */
export const DOCKER_CONFIG = 'application/vnd.docker.container.image.v1+json';
/** Media type of a gzipped Docker image layer. */
export const DOCKER_LAYER = 'application/vnd.docker.image.rootfs.diff.tar.gzip';

/** The two bytes `{}`: the content of an {@link OCI_EMPTY} descriptor (cosign 3's bundle referrer config). */
export const EMPTY_JSON: Uint8Array = /* @__PURE__ */ utf8('{}');

/** Standard OCI annotation keys ocisign writes or reads (the image spec's `annotations.md`). */
export const OciAnnotation = {
  /** When the content was created, RFC 3339 (cosign writes it on bundle referrers, to the second). */
  created: 'org.opencontainers.image.created',
} as const;

/** The OCI digest grammar, with the registered algorithms held to their exact form. */
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;
const EXACT: Readonly<Record<string, RegExp>> = {
  sha256: /^sha256:[0-9a-f]{64}$/,
  sha512: /^sha512:[0-9a-f]{128}$/,
};

const digestShape = /* @__PURE__ */ refine(string, (digest) => {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  const exact = Object.hasOwn(EXACT, algorithm) ? EXACT[algorithm] : undefined;
  return DIGEST.test(digest) && (exact === undefined || exact.test(digest))
    ? undefined
    : 'a digest such as "sha256:" and 64 lowercase hex characters';
});

/** How a schema reads an optional member: `optional` (null refused) or `optionalOrNull` (null is absent). */
export type OptionalMember = <T>(inner: Shape<T>) => OptionalShape<T>;

/**
 * The schema of an OCI descriptor, its optional members (and the platform's) read by `member`:
 * {@link optional} for values handed to this layer, where `null` is refused, or `optionalOrNull`
 * for documents a registry serves, which Go's decoder reads `null` in as absent. The digest follows
 * the OCI grammar, sha256 and sha512 digests their exact lowercase-hex form. The caller turns a
 * broken shape into its own layer's error (`readShape`).
 */
export function descriptorSchema(member: OptionalMember): Shape<Descriptor> {
  // The casts only drop `| undefined` from optional members: object() never sets a member to
  // undefined, which is what exactOptionalPropertyTypes cannot see.
  const platform = object({
    architecture: string,
    os: string,
    variant: member(string),
    'os.version': member(string),
    'os.features': member(array(string)),
  }) as Shape<Platform>;
  return object(
    {
      mediaType: nonEmptyString,
      digest: digestShape,
      size: count,
      annotations: member(record(string)),
      artifactType: member(string),
      platform: member(platform),
      urls: member(array(string)),
      data: member(string),
    },
    'a descriptor (an object with mediaType, digest and size)',
  ) as Shape<Descriptor>;
}

/** The schema of an OCI descriptor: what a {@link Descriptor} must be when it comes from outside. */
export const descriptorShape: Shape<Descriptor> = /* @__PURE__ */ descriptorSchema(optional);

function platformStruct(p: Platform | undefined) {
  if (p === undefined) return undefined;
  return goStruct([
    ['architecture', p.architecture],
    ['os', p.os],
    ['os.version', p['os.version'] || undefined],
    ['os.features', p['os.features']?.length ? p['os.features'] : undefined],
    ['variant', p.variant || undefined],
  ]);
}

/** A descriptor in ggcr's field order: mediaType, size, digest, data, urls, annotations, platform, artifactType. */
export function descriptorStruct(d: Descriptor) {
  return goStruct([
    ['mediaType', d.mediaType],
    ['size', d.size],
    ['digest', d.digest],
    ['data', d.data || undefined],
    ['urls', d.urls?.length ? d.urls : undefined],
    ['annotations', d.annotations && Object.keys(d.annotations).length > 0 ? d.annotations : undefined],
    ['platform', platformStruct(d.platform)],
    ['artifactType', d.artifactType || undefined],
  ]);
}

/** An image manifest in ggcr's field order: schemaVersion, mediaType, config, layers, annotations, subject, artifactType. */
export function manifestStruct(m: ImageManifest) {
  return goStruct([
    ['schemaVersion', m.schemaVersion],
    ['mediaType', m.mediaType || undefined],
    ['config', descriptorStruct(m.config)],
    ['layers', m.layers.map(descriptorStruct)],
    ['annotations', m.annotations && Object.keys(m.annotations).length > 0 ? m.annotations : undefined],
    ['subject', m.subject === undefined ? undefined : descriptorStruct(m.subject)],
    ['artifactType', m.artifactType || undefined],
  ]);
}

/** An image index in ggcr's field order: schemaVersion, mediaType, manifests, annotations, subject, artifactType. */
export function indexStruct(i: ImageIndex) {
  return goStruct([
    ['schemaVersion', i.schemaVersion],
    ['mediaType', i.mediaType || undefined],
    ['manifests', i.manifests.map(descriptorStruct)],
    ['annotations', i.annotations && Object.keys(i.annotations).length > 0 ? i.annotations : undefined],
    ['subject', i.subject === undefined ? undefined : descriptorStruct(i.subject)],
    ['artifactType', i.artifactType || undefined],
  ]);
}
