import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromUtf8, toBase64, utf8 } from '../../../../src/internal/bytes.js';
import { preAuthEncoding } from '../../../../src/payload/dsse.js';
import { RekorRefusal } from '../../../../src/testing/sigstore/rekor/refusal.js';
import { canonicalizeCreateEntryRequest } from '../../../../src/testing/sigstore/rekor/v2-kinds.js';
import { parseCreateEntryRequest } from '../../../../src/testing/sigstore/rekor/v2-request.js';
import { spkiDer } from '../../../helpers/keys.js';
import { hashedRekordV2, sha256 } from '../../../helpers/sigstore-doubles.js';
import { readVectors } from '../../../helpers/vectors.js';

const ACCEPT = { acceptDsse: true };

function canonicalize(request: object, options = ACCEPT) {
  return canonicalizeCreateEntryRequest(parseCreateEntryRequest(utf8(JSON.stringify(request))), options);
}

function refusal(request: object | string, options = ACCEPT): RekorRefusal {
  try {
    const body = typeof request === 'string' ? request : JSON.stringify(request);
    canonicalizeCreateEntryRequest(parseCreateEntryRequest(utf8(body)), options);
  } catch (error) {
    if (error instanceof RekorRefusal) return error;
    throw error;
  }
  throw new Error('the request was accepted');
}

function p256(): { privateKey: KeyObject; der: Uint8Array } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, der: spkiDer(publicKey) };
}

const hashedRekord = (
  privateKey: KeyObject,
  der: Uint8Array,
  message = utf8('artifact'),
  keyDetails = 'PKIX_ECDSA_P256_SHA_256',
) =>
  hashedRekordV2({
    digest: sha256(message),
    signature: sign('sha256', message, privateKey),
    publicKeyDer: der,
    keyDetails,
  });

describe('Rekor v2 hashedrekord 0.0.2', () => {
  it('logs byte for byte the body log2025-alpha1 logged for a conformance bundle', () => {
    const bundle = readVectors<{
      verificationMaterial: {
        certificate: { rawBytes: string };
        tlogEntries: { canonicalizedBody: string }[];
      };
      messageSignature: { messageDigest: { digest: string }; signature: string };
    }>('keyless/conf-rekor2-happy-path/bundle.sigstore.json');
    const entry = canonicalize({
      hashedRekordRequestV002: {
        digest: bundle.messageSignature.messageDigest.digest,
        signature: {
          content: bundle.messageSignature.signature,
          verifier: {
            x509Certificate: { rawBytes: bundle.verificationMaterial.certificate.rawBytes },
            keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          },
        },
      },
    });
    expect(toBase64(entry.body)).toBe(bundle.verificationMaterial.tlogEntries[0]?.canonicalizedBody);
    expect([entry.kind, entry.apiVersion]).toEqual(['hashedrekord', '0.0.2']);
  });

  it('reads proto field names, enum numbers and unpadded URL-safe base64 as protojson does', () => {
    const { privateKey, der } = p256();
    const message = utf8('artifact');
    const camel = canonicalize(hashedRekord(privateKey, der, message));
    const request = hashedRekord(privateKey, der, message).hashedRekordRequestV002;
    const unpadded = (b64: string) => b64.replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');
    const snake = canonicalize({
      hashed_rekord_request_v002: {
        digest: unpadded(request.digest),
        signature: {
          content: request.signature.content,
          verifier: {
            public_key: { raw_bytes: unpadded(request.signature.verifier.publicKey.rawBytes) },
            key_details: 5,
          },
        },
      },
    });
    // Same body, except the signature: ECDSA signatures differ each time, so sign once.
    const sameSignature = canonicalize({
      hashed_rekord_request_v002: {
        digest: unpadded(request.digest),
        signature: {
          content: request.signature.content,
          verifier: { public_key: { raw_bytes: toBase64(der) }, key_details: 'PKIX_ECDSA_P256_SHA_256' },
        },
      },
    });
    expect(fromUtf8(snake.body)).toBe(fromUtf8(sameSignature.body));
    expect(JSON.parse(fromUtf8(camel.body)).spec.hashedRekordV002.data.algorithm).toBe('SHA2_256');
  });

  it('refuses what rekor-tiles refuses, each a 400 with gRPC code 3', () => {
    const { privateKey, der } = p256();
    const other = p256();
    const good = hashedRekord(privateKey, der);
    const inner = good.hashedRekordRequestV002;
    const cases: [object | string, string][] = [
      [hashedRekord(other.privateKey, der), 'invalid hashedrekord request'],
      [
        hashedRekord(privateKey, der, utf8('artifact'), 'PKIX_ECDSA_P384_SHA_384'),
        'invalid hashedrekord request',
      ],
      [hashedRekord(privateKey, der, utf8('artifact'), 'PKIX_ED25519'), 'invalid hashedrekord request'],
      [
        { hashedRekordRequestV002: { ...inner, digest: toBase64(utf8('short')) } },
        'invalid hashedrekord request',
      ],
      [{ hashedRekordRequestV002: { digest: inner.digest } }, 'invalid hashedrekord request'],
      [
        {
          hashedRekordRequestV002: {
            ...inner,
            signature: { ...inner.signature, verifier: { keyDetails: 'PKIX_ECDSA_P256_SHA_256' } },
          },
        },
        'invalid hashedrekord request',
      ],
      [
        {
          hashedRekordRequestV002: {
            ...inner,
            signature: {
              ...inner.signature,
              verifier: {
                x509Certificate: { rawBytes: toBase64(der) },
                keyDetails: 'PKIX_ECDSA_P256_SHA_256',
              },
            },
          },
        },
        'invalid hashedrekord request',
      ],
      [{}, 'invalid type, must be either hashedrekord or dsse'],
      ['', 'invalid type, must be either hashedrekord or dsse'],
    ];
    for (const [request, message] of cases) {
      const r = refusal(request);
      expect([r.status, r.code, r.message], JSON.stringify(request).slice(0, 200)).toEqual([400, 3, message]);
    }
    for (const request of [
      '{not json',
      { extra: 1 },
      { hashedRekordRequestV002: { digest: 5 } },
      { ...good, dsseRequestV002: {} },
    ]) {
      const r = refusal(request);
      expect([r.status, r.code]).toEqual([400, 3]);
      expect(r.message).toMatch(/^proto: /);
    }
  });
});

describe('Rekor v2 dsse 0.0.2 (rekor-tiles before #744)', () => {
  function dsseRequest(keys: { privateKey: KeyObject; der: Uint8Array }[], verifiers = keys) {
    const payloadType = 'application/vnd.in-toto+json';
    const payload = utf8('{"_type":"https://in-toto.io/Statement/v1"}');
    const pae = preAuthEncoding(payloadType, payload);
    return {
      dsseRequestV002: {
        envelope: {
          payload: toBase64(payload),
          payloadType,
          signatures: keys.map((k) => ({ sig: toBase64(sign('sha256', pae, k.privateKey)), keyid: '' })),
        },
        verifiers: verifiers.map((k) => ({
          publicKey: { rawBytes: toBase64(k.der) },
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
        })),
      },
    };
  }

  it('logs the payload hash and each signature with its verifier, sorted by raw signature bytes', () => {
    const keys = [p256(), p256()];
    const request = dsseRequest(keys);
    const entry = canonicalize(request);
    const spec = JSON.parse(fromUtf8(entry.body)).spec.dsseV002;
    expect(spec.payloadHash).toEqual({
      algorithm: 'SHA2_256',
      digest: toBase64(sha256(utf8('{"_type":"https://in-toto.io/Statement/v1"}'))),
    });
    const sigs = request.dsseRequestV002.envelope.signatures.map((s) => Buffer.from(s.sig, 'base64'));
    expect(spec.signatures.map((s: { content: string }) => s.content)).toEqual(
      sigs.sort(Buffer.compare).map((s) => s.toString('base64')),
    );
    expect(spec.signatures[0].verifier.keyDetails).toBe('PKIX_ECDSA_P256_SHA_256');
    expect([entry.kind, entry.apiVersion]).toEqual(['dsse', '0.0.2']);
  });

  it('refuses unverified signatures, duplicate verifiers, and — as rekor-tiles does since #744 — any DSSE request when disabled', () => {
    const [a, b] = [p256(), p256()];
    for (const request of [dsseRequest([a], [b]), dsseRequest([a, b], [a]), dsseRequest([a], [a, a])]) {
      const r = refusal(request);
      expect([r.status, r.code, r.message]).toEqual([400, 3, 'invalid dsse request']);
    }
    const off = refusal(dsseRequest([a]), { acceptDsse: false });
    expect([off.status, off.code, off.message]).toEqual([400, 3, 'invalid type, must be hashedrekord']);
  });
});
