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
      /digest must be a digest/,
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

  const d = { mediaType: 'x', digest: `sha256:${'a'.repeat(64)}`, size: 1 };
  const OCI = 'application/vnd.oci.image.manifest.v1+json';
  const INDEX = 'application/vnd.oci.image.index.v1+json';
  it.each([
    [
      'an index with layers',
      { schemaVersion: 2, mediaType: INDEX, manifests: [], layers: [d] },
      undefined,
      /must not have config or layers/,
    ],
    [
      'an index with a config (by Content-Type)',
      { schemaVersion: 2, manifests: [], config: d },
      INDEX,
      /must not have config/,
    ],
    [
      'a manifest with manifests',
      { schemaVersion: 2, mediaType: OCI, config: d, layers: [], manifests: [] },
      undefined,
      /must not have manifests/,
    ],
    [
      'a document whose mediaType contradicts the Content-Type',
      { schemaVersion: 2, mediaType: OCI, config: d, layers: [] },
      INDEX,
      /served it as an index/,
    ],
    [
      'an artifact manifest',
      { schemaVersion: 2, mediaType: 'application/vnd.oci.artifact.manifest.v1+json', blobs: [] },
      undefined,
      /artifact manifest/,
    ],
    [
      'an unknown mediaType',
      { schemaVersion: 2, mediaType: 'application/x-evil', config: d, layers: [] },
      undefined,
      /not an image manifest or index/,
    ],
    [
      'a null layer',
      { schemaVersion: 2, config: d, layers: [null] },
      OCI,
      /\/layers\/0 must be a descriptor/,
    ],
    [
      'a sha256 digest of the wrong length',
      { schemaVersion: 2, config: { ...d, digest: 'sha256:abc' }, layers: [] },
      OCI,
      /digest/,
    ],
    ['urls that are not strings', { schemaVersion: 2, config: { ...d, urls: [1] }, layers: [] }, OCI, /urls/],
  ])('refuses %s', (_name, doc, contentType, message) => {
    expect(() => parseManifest(enc(doc), contentType)).toThrow(RegistryResponseError);
    expect(() => parseManifest(enc(doc), contentType)).toThrow(message);
  });

  it('returns only validated members, reading null optional members as absent (as Go does)', () => {
    const m = parseManifest(
      enc({
        schemaVersion: 2,
        mediaType: OCI,
        config: { ...d, annotations: null, extra: 1 },
        layers: [],
        annotations: null,
        junk: [1],
      }),
    );
    expect(m).toEqual({ schemaVersion: 2, mediaType: OCI, config: d, layers: [] });
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
