import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, LimitExceededError } from '../../../src/errors/index.js';
import {
  buildSignatureImage,
  predicateTypeFor,
  sameSignatureLayerContent,
  signatureLayerDescriptor,
  signatureLayersOf,
  signatureTag,
} from '../../../src/payload/index.js';

const layer = (n: number) =>
  signatureLayerDescriptor({ payload: new TextEncoder().encode(`payload ${n}`), signature: `sig${n}` });

describe('limits', () => {
  it('refuses to build or read more layers than allowed', () => {
    const layers = Array.from({ length: 5 }, (_, i) => layer(i));
    expect(() => buildSignatureImage(layers, { maxLayers: 4 })).toThrow(LimitExceededError);
    const image = buildSignatureImage(layers);
    expect(() => signatureLayersOf(image.manifestValue, { maxLayers: 4 })).toThrow(/at most 4/);
    expect(signatureLayersOf(image.manifestValue)).toHaveLength(5);
  });

  it('refuses layers declared over the payload size limit', () => {
    const image = buildSignatureImage([layer(1)]);
    expect(() => signatureLayersOf(image.manifestValue, { maxPayloadBytes: 3 })).toThrow(
      /COSIGN_MAX_ATTACHMENT_SIZE/,
    );
  });
});

describe('duplicate detection (structural half)', () => {
  it('ignores the signature annotation but not others', () => {
    const a = layer(1);
    const resigned = signatureLayerDescriptor({
      payload: new TextEncoder().encode('payload 1'),
      signature: 'other',
    });
    expect(sameSignatureLayerContent(a, resigned)).toBe(true);
    const withCert = signatureLayerDescriptor({
      payload: new TextEncoder().encode('payload 1'),
      signature: 'x',
      certificate: 'PEM',
    });
    expect(sameSignatureLayerContent(a, withCert)).toBe(false);
    expect(sameSignatureLayerContent(a, layer(2))).toBe(false);
  });
});

describe('small helpers', () => {
  it('maps cosign --type names and URIs', () => {
    expect(predicateTypeFor('slsaprovenance')).toBe('https://slsa.dev/provenance/v0.2');
    expect(predicateTypeFor('https://example.com/p/v1')).toBe('https://example.com/p/v1');
    expect(() => predicateTypeFor('nonsense')).toThrow(InvalidArgumentError);
  });

  it('refuses bad digests in tags', () => {
    expect(() => signatureTag('sha256:abc')).toThrow(/64 lowercase hex/);
  });
});
