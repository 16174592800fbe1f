import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OcisignError, RegistryResponseError } from '../../../src/errors/index.js';
import { isImageIndex, parseManifest } from '../../../src/registry/index.js';
import { image, index } from '../../helpers/images.js';

const enc = (v: unknown) => new TextEncoder().encode(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseManifest', () => {
  it('reads image manifests and indexes', () => {
    const img = image();
    const m = parseManifest(img.manifest.bytes);
    expect(isImageIndex(m)).toBe(false);
    const idx = parseManifest(index([{ image: img, architecture: 'arm64' }]).bytes);
    expect(isImageIndex(idx)).toBe(true);
  });

  it('uses the Content-Type when the document has no mediaType (OCI allows that)', () => {
    const doc = { schemaVersion: 2, manifests: [] };
    expect(isImageIndex(parseManifest(enc(doc), 'application/vnd.oci.image.index.v1+json'))).toBe(true);
  });

  it.each([
    ['not JSON', '{', /not JSON/],
    ['schema 1', { schemaVersion: 1 }, /schemaVersion/],
    ['no config', { schemaVersion: 2, layers: [] }, /config/],
    [
      'bad digest',
      { schemaVersion: 2, config: { mediaType: 'x', digest: 'nope', size: 1 }, layers: [] },
      /not a digest/,
    ],
    [
      'negative size',
      {
        schemaVersion: 2,
        config: { mediaType: 'x', digest: `sha256:${'a'.repeat(64)}`, size: -1 },
        layers: [],
      },
      /size/,
    ],
    [
      'layers not array',
      {
        schemaVersion: 2,
        config: { mediaType: 'x', digest: `sha256:${'a'.repeat(64)}`, size: 1 },
        layers: {},
      },
      /layers/,
    ],
    ['annotation not string', { schemaVersion: 2, manifests: [], annotations: { a: 1 } }, /annotations/],
    [
      'platform without os',
      {
        schemaVersion: 2,
        manifests: [
          {
            mediaType: 'x',
            digest: `sha256:${'a'.repeat(64)}`,
            size: 1,
            platform: { architecture: 'amd64' },
          },
        ],
      },
      /platform/,
    ],
  ])('refuses %s', (_name, doc, message) => {
    expect(() => parseManifest(enc(doc))).toThrow(RegistryResponseError);
    expect(() => parseManifest(enc(doc))).toThrow(message);
  });

  it('never throws anything but OcisignError on random or mutated input', () => {
    const valid = JSON.stringify(JSON.parse(Buffer.from(image().manifest.bytes).toString()));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          fc.json().map((j) => enc(j)),
          fc
            .tuple(fc.nat(), fc.string({ maxLength: 4 }))
            .map(([at, s]) =>
              enc(valid.slice(0, at % valid.length) + s + valid.slice((at % valid.length) + 1)),
            ),
        ),
        (bytes) => {
          try {
            parseManifest(bytes);
          } catch (error) {
            if (!(error instanceof OcisignError)) throw error;
          }
        },
      ),
      { numRuns: 1500 },
    );
  });
});
