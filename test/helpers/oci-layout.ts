/** Writes an image to an OCI image layout directory (for skopeo's `oci:` transport). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuiltImage } from './images.js';

export function writeOciLayout(dir: string, img: BuiltImage, tag: string): void {
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const b of [img.config, ...img.layers, img.manifest])
    writeFileSync(join(dir, 'blobs', 'sha256', b.digest.slice(7)), b.bytes);
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: img.manifest.mediaType,
          digest: img.manifest.digest,
          size: img.manifest.size,
          annotations: { 'org.opencontainers.image.ref.name': tag },
        },
      ],
    }),
  );
}
