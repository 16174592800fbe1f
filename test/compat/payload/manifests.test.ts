/**
 * shared/vectors/cosign/pae.json, signature-manifests.json and real-cosign-artifacts.json: PAE
 * bytes, signature images, attestation images, bundles and referrers, byte for byte; real cosign
 * signatures verify over the stored bytes.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { importPublicKey, publicKeyHint, verifySignature } from '../../../src/keys/index.js';
import {
  appendSignatureLayer,
  buildSignatureImage,
  bundleReferrerManifest,
  DSSE_MEDIA_TYPE,
  encodeAttestationStatement,
  encodeCosignSignStatement,
  encodeDsseEnvelope,
  encodeReferrersIndex,
  type ImageManifest,
  OCI_MANIFEST,
  parseBundle,
  parseDsseEnvelope,
  parseStatement,
  preAuthEncoding,
  signatureLayerDescriptor,
  statementCoversDigest,
  verifyDsseEnvelope,
} from '../../../src/payload/index.js';
import { readVectors } from '../../helpers/vectors.js';

const text = (b: Uint8Array) => Buffer.from(b).toString('utf8');
const sha = (b: Uint8Array | string) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const enc = (s: string) => new TextEncoder().encode(s);

interface PaeVector {
  id: string;
  payloadType: string;
  payloadHex: string;
  expected: { paeHex: string; paeLength: number; paeSha256: string };
}

describe('DSSE PAE (pae.json)', () => {
  it.each(readVectors<{ vectors: PaeVector[] }>('cosign/pae.json').vectors)('$id', (v) => {
    const pae = preAuthEncoding(v.payloadType, new Uint8Array(Buffer.from(v.payloadHex, 'hex')));
    expect(Buffer.from(pae).toString('hex')).toBe(v.expected.paeHex);
    expect(pae.length).toBe(v.expected.paeLength);
    expect(createHash('sha256').update(pae).digest('hex')).toBe(v.expected.paeSha256);
  });
});

type Expected = {
  config: string;
  configDigest: string;
  configSize: number;
  manifest: string;
  manifestDigest: string;
  manifestSize: number;
};
// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const sm = readVectors<Record<string, any>>('cosign/signature-manifests.json');
const signer = importPublicKey(sm.signerPublicKeyPem);

function layersOf(v: { layers: Array<{ payload: string; base64Signature: string }> }) {
  return v.layers.map((l) =>
    signatureLayerDescriptor({ payload: enc(l.payload), signature: l.base64Signature }),
  );
}

function checkImage(image: { config: Uint8Array; manifest: Uint8Array }, expected: Expected) {
  expect(text(image.config)).toBe(expected.config);
  expect(sha(image.config)).toBe(expected.configDigest);
  expect(image.config.length).toBe(expected.configSize);
  expect(text(image.manifest)).toBe(expected.manifest);
  expect(sha(image.manifest)).toBe(expected.manifestDigest);
  expect(image.manifest.length).toBe(expected.manifestSize);
}

describe('classic .sig images (signature-manifests.json tagSignatures)', () => {
  it('one signature', async () => {
    const v = sm.tagSignatures.oneSignature;
    checkImage(buildSignatureImage(layersOf(v)), v.expected);
    for (const l of v.layers)
      expect(
        await verifySignature(
          signer,
          enc(l.payload),
          new Uint8Array(Buffer.from(l.base64Signature, 'base64')),
        ),
      ).toBe(true);
  });

  it('a second signature appended onto the first image', async () => {
    const v = sm.tagSignatures.twoSignaturesAppended;
    const [first, second] = layersOf(v) as [
      ReturnType<typeof signatureLayerDescriptor>,
      ReturnType<typeof signatureLayerDescriptor>,
    ];
    const one = buildSignatureImage([first]);
    const existing = JSON.parse(text(one.manifest)) as ImageManifest;
    const two = appendSignatureLayer({ manifest: existing, config: one.config }, second);
    checkImage(two, v.expected);
    // Existing layer descriptors stay exactly as they were.
    expect(JSON.parse(text(two.manifest)).layers[0]).toEqual(existing.layers[0]);
    for (const l of v.layers)
      expect(
        await verifySignature(
          signer,
          enc(l.payload),
          new Uint8Array(Buffer.from(l.base64Signature, 'base64')),
        ),
      ).toBe(true);
  });

  it('Docker media types (COSIGN_DOCKER_MEDIA_TYPES=1)', () => {
    checkImage(
      buildSignatureImage(layersOf(sm.tagSignatures.oneSignature), { dockerMediaTypes: true }),
      sm.tagSignatures.dockerMediaTypes.expected,
    );
  });

  it('layer annotation keys and order with certificate, chain, Rekor bundle and timestamp', () => {
    const v = sm.tagSignatures.annotationKeyOrder;
    const layer = sm.tagSignatures.oneSignature.layers[0];
    const descriptor = signatureLayerDescriptor({
      payload: enc(layer.payload),
      signature: layer.base64Signature,
      certificate: '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----\n',
      bundle: {
        SignedEntryTimestamp: 'MEUCIQ...',
        Payload: {
          body: 'eyJ...',
          integratedTime: 1700000000,
          logIndex: 12345,
          logID: 'c0d23d6ad406973f9559f3ba2d1ca01f84147d8ffc5b8445c224f98b9591801d',
        },
      },
      rfc3161Timestamp: 'MIIC...',
    });
    checkImage(buildSignatureImage([descriptor]), v.expected);
  });
});

describe('OCI 1.1 experimental signature referrers', () => {
  const subject = {
    mediaType: OCI_MANIFEST,
    size: 1234,
    digest: 'sha256:63a8f958ba90aaf70d073648346c80b0069d47c0844e28edcabef0ab48c062f9',
  };
  it('before cosign 3.1.2 (no top-level artifactType)', () => {
    checkImage(
      buildSignatureImage(layersOf(sm.tagSignatures.oneSignature), { subject, artifactType: false }),
      sm.oci11ExperimentalSignature.beforeV3_1_2,
    );
  });
  it('from cosign 3.1.2', () => {
    checkImage(
      buildSignatureImage(layersOf(sm.tagSignatures.oneSignature), { subject }),
      sm.oci11ExperimentalSignature.fromV3_1_2,
    );
  });
});

describe('attestations', () => {
  const a = sm.tagAttestation;
  const digest = 'sha256:63a8f958ba90aaf70d073648346c80b0069d47c0844e28edcabef0ab48c062f9';
  const input = {
    subjectName: 'registry.example.com/ns/app',
    digest,
    predicateType: 'https://cosign.sigstore.dev/attestation/v1',
    predicate: { Data: 'hello\n', Timestamp: '2025-01-02T03:04:05Z' },
  };

  it('encodes statements in both orders cosign has used', () => {
    expect(text(encodeAttestationStatement(input, 'in-toto-golang'))).toBe(a.statement_v2x_to_v3_0_5);
    expect(text(encodeAttestationStatement(input, 'protojson'))).toBe(a.statement_from_v3_0_6);
  });

  it('parses both envelope shapes, re-encodes them exactly, and verifies over the stored payload', () => {
    for (const [raw, form] of [
      [a.envelope_v2x_to_v3_0_6, 'legacy'],
      [a.envelope_from_v3_1_0, 'current'],
    ] as const) {
      const envelope = parseDsseEnvelope(raw);
      expect(text(encodeDsseEnvelope(envelope, form))).toBe(raw);
      expect(verifyDsseEnvelope(envelope, signer)).toEqual([0]);
      const statement = parseStatement(envelope.payload);
      expect(statementCoversDigest(statement, digest)).toBe(true);
      expect(statementCoversDigest(statement, `sha256:${'0'.repeat(64)}`)).toBe(false);
      // a tampered payload does not verify
      const tampered = { ...envelope, payload: new Uint8Array([...envelope.payload, 0x20]) };
      expect(verifyDsseEnvelope(tampered, signer)).toEqual([]);
    }
  });

  it('builds the .att image for the old envelope', () => {
    const layer = signatureLayerDescriptor({
      payload: enc(a.envelope_v2x_to_v3_0_6),
      mediaType: DSSE_MEDIA_TYPE,
      signature: '',
      annotations: { predicateType: 'https://cosign.sigstore.dev/attestation/v1' },
    });
    checkImage(buildSignatureImage([layer]), a.manifestForOldEnvelope);
  });
});

describe('cosign 3 bundles and referrers', () => {
  const b = sm.newBundleReferrerNoTlog;

  it('the statements cosign sign --new-bundle-format signs, per version', () => {
    const forms: Record<string, 'v2.6' | 'v3.0.3' | 'v3.0.5'> = {
      'v2.6.0 - v3.0.2': 'v2.6',
      'v3.0.3 - v3.0.4': 'v3.0.3',
      '>= v3.0.5': 'v3.0.5',
    };
    for (const f of sm.newBundleSignStatements.forms) {
      expect(
        text(
          encodeCosignSignStatement(
            sm.newBundleSignStatements.subjectDigest,
            f.annotations ?? null,
            forms[f.versions],
          ),
        ),
      ).toBe(f.statement);
    }
  });

  it('our own signature over the v3.0.5 statement: PAE, envelope bytes and verification', async () => {
    const o = sm.newBundleSignStatements.ownSignatureOverV305Form;
    const statement = enc(o.statement);
    expect(text(encodeCosignSignStatement(sm.newBundleSignStatements.subjectDigest, null, 'v3.0.5'))).toBe(
      o.statement,
    );
    const signature = new Uint8Array(Buffer.from(o.base64Signature, 'base64'));
    expect(await verifySignature(signer, preAuthEncoding(o.pae_payloadType, statement), signature)).toBe(
      true,
    );
    const envelope = parseDsseEnvelope(o.dsseEnvelope);
    expect(text(encodeDsseEnvelope(envelope, 'current'))).toBe(o.dsseEnvelope);
    expect(verifyDsseEnvelope(envelope, signer)).toEqual([0]);
  });

  it('parses the bundle, verifies its DSSE over stored bytes, and rebuilds the referrer byte for byte', () => {
    const bundleBytes = enc(b.bundle);
    const bundle = parseBundle(bundleBytes);
    expect(bundle.version).toBe('0.3');
    expect(bundle.publicKeyHint).toBe(publicKeyHint(signer));
    expect(
      verifyDsseEnvelope(bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>, signer),
    ).toEqual([0]);
    const referrer = bundleReferrerManifest({
      bundle: bundleBytes,
      subject: b.subject,
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      created: '2026-01-01T00:00:00Z',
    });
    expect(text(referrer.manifest)).toBe(b.expected.manifest);
    expect(referrer.manifestDescriptor.digest).toBe(b.expected.manifestDigest);
    expect(referrer.manifestDescriptor.size).toBe(b.expected.manifestSize);
    expect(referrer.bundleDescriptor.digest).toBe(b.expected.bundleDigest);
    const entry = { ...referrer.manifestDescriptor, configMediaType: 'application/vnd.oci.empty.v1+json' };
    expect(text(encodeReferrersIndex([entry]))).toBe(b.expected.fallbackIndexGgcrFromV0_21_6);
    expect(text(encodeReferrersIndex([entry], 'before-0.21.6'))).toBe(
      b.expected.fallbackIndexGgcrBeforeV0_21_6,
    );
  });
});

describe('real cosign output (real-cosign-artifacts.json)', () => {
  // biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
  const real = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json');

  it('re-encodes the classic capture: payload digest, config and manifest', async () => {
    const c = real.classicTagSignature;
    const payload = enc(c.payload);
    expect(sha(payload)).toBe(c.payloadDigest);
    const image = buildSignatureImage([signatureLayerDescriptor({ payload, signature: c.base64Signature })]);
    expect(text(image.config)).toBe(c.configBlob);
    expect(image.configDescriptor.digest).toBe(c.configDigest);
    expect(text(image.manifest)).toBe(c.manifest);
    expect(
      await verifySignature(
        importPublicKey(c.publicKeyPem),
        payload,
        new Uint8Array(Buffer.from(c.base64Signature, 'base64')),
      ),
    ).toBe(true);
  });

  it('parses the cosign v3.0.4 bundle referrer and verifies its signature over stored bytes', () => {
    const r = real.newBundleReferrer;
    const bundleText: string = r.bundle;
    const bundle = parseBundle(bundleText);
    expect(sha(bundleText)).toBe(r.bundleDigest);
    // cosign v3.0.4 signed the v3.0.3-form statement; our encoder produces the same bytes.
    expect(text(bundle.dsseEnvelope?.payload ?? new Uint8Array())).toBe(r.statement);
    expect(text(encodeCosignSignStatement(r.subject.digest, {}, 'v3.0.3'))).toBe(r.statement);
    const referrer = bundleReferrerManifest({
      bundle: enc(bundleText),
      subject: r.subject,
      predicateType: 'https://sigstore.dev/cosign/sign/v1',
      created: JSON.parse(r.referrerManifest).annotations['org.opencontainers.image.created'],
    });
    expect(text(referrer.manifest)).toBe(r.referrerManifest);
    expect(referrer.manifestDescriptor.digest).toBe(r.referrerManifestDigest);
    expect(
      text(
        encodeReferrersIndex(
          [{ ...referrer.manifestDescriptor, configMediaType: 'application/vnd.oci.empty.v1+json' }],
          'before-0.21.6',
        ),
      ),
    ).toBe(r.fallbackIndex);
    const key = importPublicKey(r.publicKeyPem);
    expect(bundle.publicKeyHint).toBe(r.publicKeyHint);
    expect(verifyDsseEnvelope(bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>, key)).toEqual([
      0,
    ]);
    expect(bundle.tlogEntries.length).toBeGreaterThan(0);
    expect(bundle.rfc3161Timestamps.length).toBeGreaterThan(0);
  });

  it('verifies the old-style blob attestation envelope', () => {
    const e = real.blobAttestationEnvelope;
    const envelope = parseDsseEnvelope(e.envelope);
    expect(verifyDsseEnvelope(envelope, importPublicKey(e.publicKeyPem))).toEqual([0]);
  });
});
