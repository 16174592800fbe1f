/** Property tests: payload parsers return a value or throw OcisignError; encoders round-trip. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { OcisignError } from '../../../src/errors/index.js';
import { createSigner, generateKeyPair, publicKeyHint } from '../../../src/keys/index.js';
import {
  createBundle,
  encodeCosignSignStatement,
  encodeSimpleSigningPayload,
  IN_TOTO_PAYLOAD_TYPE,
  parseBundle,
  parseDsseEnvelope,
  parseSignatureConfig,
  parseSimpleSigningPayload,
  parseStatement,
  signDsse,
  verifyDsseEnvelope,
} from '../../../src/payload/index.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS } from '../../helpers/fuzz.js';

const parsers: Record<string, (b: Uint8Array) => unknown> = {
  parseSimpleSigningPayload,
  parseDsseEnvelope,
  parseStatement,
  parseBundle,
  parseSignatureConfig,
};

function onlyOcisignErrors(run: () => unknown): void {
  try {
    run();
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
  }
}

describe('payload parsers on hostile input', () => {
  it.each(Object.keys(parsers))(
    '%s returns a value or throws OcisignError',
    (name) => {
      const parse = parsers[name] as (b: Uint8Array) => unknown;
      fc.assert(
        fc.property(
          fc.oneof(
            fc.uint8Array({ maxLength: 300 }),
            fc.jsonValue().map((v) => new TextEncoder().encode(JSON.stringify(v))),
          ),
          (bytes) => {
            onlyOcisignErrors(() => parse(bytes));
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});

describe('round trips', () => {
  it(
    'random annotation maps survive encode → parse',
    () => {
      const digest = `sha256:${'d'.repeat(64)}`;
      fc.assert(
        fc.property(
          fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 8 }),
          (annotations) => {
            const bytes = encodeSimpleSigningPayload({
              dockerReference: 'r.example/app',
              manifestDigest: digest,
              annotations,
            });
            const parsed = parseSimpleSigningPayload(bytes);
            const normalize = (v: unknown) => JSON.parse(JSON.stringify(v));
            expect(normalize(parsed.annotations)).toEqual(normalize(annotations));
            expect(parsed.manifestDigest).toBe(digest);
          },
        ),
        { numRuns: FUZZ_RUNS },
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it('a DSSE bundle we create parses and verifies with the signer’s key, and the hint is only a hint', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const statement = encodeCosignSignStatement(`sha256:${'e'.repeat(64)}`, { env: 'prod' });
    const envelope = await signDsse(createSigner(privateKey), IN_TOTO_PAYLOAD_TYPE, statement);
    const bundle = parseBundle(
      createBundle({ publicKeyHint: publicKeyHint(publicKey), dsseEnvelope: envelope }),
    );
    expect(
      verifyDsseEnvelope(bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>, publicKey),
    ).toEqual([0]);
    const other = await generateKeyPair();
    expect(
      verifyDsseEnvelope(bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>, other.publicKey),
    ).toEqual([]);
    expect(bundle.publicKeyHint).toBe(publicKeyHint(publicKey));
  });
});

describe('bundle validation by version', () => {
  const base = {
    verificationMaterial: { publicKey: { hint: 'x' } },
    messageSignature: { signature: 'AAAA' },
  };
  const tlog = {
    logIndex: '1',
    logId: { keyId: 'a2V5' },
    kindVersion: { kind: 'hashedrekord', version: '0.0.1' },
    integratedTime: '1',
    canonicalizedBody: 'e30=',
  };
  const parse = (doc: object) => parseBundle(new TextEncoder().encode(JSON.stringify(doc)));

  it.each([
    [
      'an unknown media type',
      { ...base, mediaType: 'application/vnd.dev.sigstore.bundle.v0.4+json' },
      /Unsupported/,
    ],
    [
      'v0.3 with a certificate chain',
      {
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: { x509CertificateChain: { certificates: [{ rawBytes: 'AAAA' }] } },
        messageSignature: { signature: 'AAAA' },
      },
      /single certificate/,
    ],
    [
      'v0.1 tlog entry without promise',
      {
        ...base,
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
        verificationMaterial: { publicKey: { hint: 'x' }, tlogEntries: [tlog] },
      },
      /inclusion promise/,
    ],
    [
      'v0.2 tlog entry without proof',
      {
        ...base,
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.2',
        verificationMaterial: { publicKey: { hint: 'x' }, tlogEntries: [tlog] },
      },
      /inclusion proof/,
    ],
    [
      'both content kinds',
      {
        ...base,
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        dsseEnvelope: { payload: '', payloadType: 'x', signatures: [] },
      },
      /exactly one of dsseEnvelope/,
    ],
    [
      'no verification material',
      { mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json', messageSignature: { signature: 'AAAA' } },
      /verificationMaterial/,
    ],
  ])('refuses %s', (_name, doc, message) => {
    expect(() => parse(doc)).toThrow(message);
  });

  it('accepts v0.1 with a promise and v0.3 with a proof', () => {
    const promise = { ...tlog, inclusionPromise: { signedEntryTimestamp: 'AAAA' } };
    expect(
      parse({
        ...base,
        mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
        verificationMaterial: { publicKey: { hint: 'x' }, tlogEntries: [promise] },
      }).version,
    ).toBe('0.1');
    const proof = {
      ...tlog,
      inclusionProof: {
        logIndex: '1',
        rootHash: 'AAAA',
        treeSize: '2',
        hashes: [],
        checkpoint: { envelope: 'c' },
      },
    };
    expect(
      parse({
        ...base,
        mediaType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
        verificationMaterial: { publicKey: { hint: 'x' }, tlogEntries: [proof] },
      }).tlogEntries,
    ).toHaveLength(1);
  });
});
