/** Builds small OCI images, indexes and artifacts in memory for registry tests. */
import { createHash, randomBytes } from 'node:crypto';

export interface BuiltBlob {
  readonly bytes: Uint8Array;
  readonly digest: string;
  readonly size: number;
  readonly mediaType: string;
}

export function blob(
  bytes: Uint8Array | string,
  mediaType = 'application/vnd.oci.image.layer.v1.tar+gzip',
): BuiltBlob {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  return {
    bytes: data,
    digest: `sha256:${createHash('sha256').update(data).digest('hex')}`,
    size: data.length,
    mediaType,
  };
}

export interface BuiltImage {
  readonly config: BuiltBlob;
  readonly layers: BuiltBlob[];
  readonly manifest: BuiltBlob;
}

export function image(
  options: { architecture?: string; layerBytes?: number; seed?: string } = {},
): BuiltImage {
  const layer = blob(new Uint8Array(randomBytes(options.layerBytes ?? 1024)));
  const config = blob(
    JSON.stringify({
      architecture: options.architecture ?? 'amd64',
      os: 'linux',
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
      config: {},
      seed: options.seed ?? '',
    }),
    'application/vnd.oci.image.config.v1+json',
  );
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
    }),
    'application/vnd.oci.image.manifest.v1+json',
  );
  return { config, layers: [layer], manifest };
}

export function index(manifests: Array<{ image: BuiltImage; architecture: string }>): BuiltBlob {
  return blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: manifests.map((m) => ({
        mediaType: m.image.manifest.mediaType,
        digest: m.image.manifest.digest,
        size: m.image.manifest.size,
        platform: { architecture: m.architecture, os: 'linux' },
      })),
    }),
    'application/vnd.oci.image.index.v1+json',
  );
}

/** An artifact manifest (OCI image manifest with artifactType and subject), like cosign 3's bundles. */
export function referrer(
  subject: BuiltBlob,
  artifactType: string,
  payload: string,
): { manifest: BuiltBlob; layer: BuiltBlob; config: BuiltBlob } {
  const config = blob('{}', 'application/vnd.oci.empty.v1+json');
  const layer = blob(payload, 'application/json');
  const manifest = blob(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      artifactType,
      config: { mediaType: config.mediaType, digest: config.digest, size: config.size },
      layers: [{ mediaType: layer.mediaType, digest: layer.digest, size: layer.size }],
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    }),
    'application/vnd.oci.image.manifest.v1+json',
  );
  return { manifest, layer, config };
}
