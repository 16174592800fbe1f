/**
 * The judge on golden bytes, without any registry: real cosign output (a classic `.sig` capture and
 * a cosign 3 bundle with its public-good Rekor entry) and evidence built here with our own payload
 * encoders. Every verdict is synchronous: the judge does no I/O.
 */
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, VerificationError } from '../../../src/errors/index.js';
import { createSigner, generateKeyPair, type PrivateKey } from '../../../src/keys/index.js';
import { createBundle } from '../../../src/payload/bundle-create.js';
import { encodeDsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signDsse } from '../../../src/payload/dsse.js';
import { encodeAttestationStatement } from '../../../src/payload/intoto.js';
import type { Descriptor } from '../../../src/payload/oci.js';
import { DSSE_MEDIA_TYPE, SignatureAnnotation } from '../../../src/payload/signature-layer.js';
import {
  type ImageEvidence,
  judgeAttestations,
  judgeSignatures,
  verifyAttestationEvidence,
  verifySignatureEvidence,
} from '../../../src/verify/index.js';
import { readVectors } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const real = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json');
const enc = (s: string) => new TextEncoder().encode(s);
const DIGEST = `sha256:${'1'.repeat(64)}`;

function caught(fn: () => unknown): VerificationError {
  try {
    fn();
  } catch (error) {
    if (error instanceof VerificationError) return error;
    throw error;
  }
  throw new Error('expected a VerificationError');
}

describe('real cosign output, judged offline', () => {
  const c = real.classicTagSignature;
  const layer = JSON.parse(c.manifest).layers[0] as Descriptor;
  const classic: ImageEvidence = {
    digest: c.subjectDigest,
    classic: [{ kind: 'classic-layer', layer, payload: enc(c.payload) }],
  };

  it('a classic .sig layer verifies with the real key, synchronously', () => {
    const result = verifySignatureEvidence(classic, { keys: [c.publicKeyPem], ignoreTlog: true });
    expect(result).not.toBeInstanceOf(Promise);
    expect(result.digest).toBe(c.subjectDigest);
    expect(result.signatures).toEqual([
      expect.objectContaining({ format: 'simple-signing', keyIndex: 0, source: layer.digest }),
    ]);
  });

  it('the same layer fails with another key, another digest, or a missing annotation, each with its reason', async () => {
    const other = (await generateKeyPair()).publicKey;
    const reasons = (evidence: ImageEvidence, options: Parameters<typeof judgeSignatures>[1]) =>
      judgeSignatures(evidence, options).outcomes.map((o) => ('failure' in o ? o.failure.reason : 'ok'));
    expect(reasons(classic, { keys: [other], ignoreTlog: true })).toEqual(['wrong-key']);
    expect(reasons({ ...classic, digest: DIGEST }, { keys: [c.publicKeyPem], ignoreTlog: true })).toEqual([
      'digest-mismatch',
    ]);
    // An annotation named "digest" is still an annotation mismatch: the reason comes from the
    // claim that failed, never from words in the message.
    expect(
      reasons(classic, { keys: [c.publicKeyPem], ignoreTlog: true, annotations: { digest: 'x' } }),
    ).toEqual(['annotation-mismatch']);
    expect(reasons(classic, { keys: [c.publicKeyPem] })).toEqual(['tlog-missing']);
  });

  it('the cosign 3 bundle verifies with its Rekor entry against the public-good Rekor key', () => {
    const r = real.newBundleReferrer;
    const evidence: ImageEvidence = {
      digest: r.subject.digest,
      bundles: [{ kind: 'bundle', source: r.referrerManifestDigest, bundle: r.bundle }],
    };
    const result = verifySignatureEvidence(evidence, {
      keys: [r.publicKeyPem],
      rekorPublicKeys: [r.rekorPublicKeyPem],
    });
    expect(result.signatures).toEqual([
      expect.objectContaining({ format: 'bundle', keyIndex: 0, source: r.referrerManifestDigest }),
    ]);
    // Without Rekor keys the tlog evidence cannot be checked: it does not count.
    expect(caught(() => verifySignatureEvidence(evidence, { keys: [r.publicKeyPem] })).failures).toEqual([
      expect.objectContaining({ reason: 'tlog-missing' }),
    ]);
  });
});

async function bundleWithStatement(privateKey: PrivateKey, statement: object): Promise<Uint8Array> {
  const envelope = await signDsse(
    createSigner(privateKey),
    IN_TOTO_PAYLOAD_TYPE,
    enc(JSON.stringify(statement)),
  );
  return createBundle({ publicKeyHint: 'hint', dsseEnvelope: envelope });
}

function imageStatement(annotations: Record<string, unknown>): object {
  return {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: 'r/app', digest: { sha256: DIGEST.slice(7) }, annotations }],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  };
}

describe('bundle claims', () => {
  it('an annotation whose value is an object matches whatever the key order (as simple signing does)', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const bundle = await bundleWithStatement(privateKey, imageStatement({ build: { a: 1, b: 2 } }));
    const evidence: ImageEvidence = { digest: DIGEST, bundles: [{ kind: 'bundle', bundle }] };
    const result = verifySignatureEvidence(evidence, {
      keys: [publicKey],
      ignoreTlog: true,
      annotations: { build: { b: 2, a: 1 } },
    });
    expect(result.signatures).toHaveLength(1);
    const failure = caught(() =>
      verifySignatureEvidence(evidence, {
        keys: [publicKey],
        ignoreTlog: true,
        annotations: { build: { a: 1 } },
      }),
    );
    expect(failure.failures).toEqual([expect.objectContaining({ reason: 'annotation-mismatch' })]);
  });
});

const alice = await generateKeyPair();
const bob = await generateKeyPair();

describe('deciding over the evidence', () => {
  it('bundles, when there are any, decide alone: a failing bundle is not rescued by a passing .sig', async () => {
    const good = JSON.parse(real.classicTagSignature.manifest).layers[0] as Descriptor;
    const bundle = await bundleWithStatement(alice.privateKey, imageStatement({}));
    const evidence: ImageEvidence = {
      digest: real.classicTagSignature.subjectDigest,
      bundles: [{ kind: 'bundle', bundle }],
      classic: [{ kind: 'classic-layer', layer: good, payload: enc(real.classicTagSignature.payload) }],
    };
    const error = caught(() =>
      verifySignatureEvidence(evidence, { keys: [real.classicTagSignature.publicKeyPem], ignoreTlog: true }),
    );
    expect(error.failures.map((f) => f.reason)).toEqual(['wrong-key']);
    const classic = evidence.classic ?? [];
    expect(
      verifySignatureEvidence(
        { digest: evidence.digest, classic },
        {
          keys: [real.classicTagSignature.publicKeyPem],
          ignoreTlog: true,
        },
      ).signatures,
    ).toHaveLength(1);
  });

  it('a threshold counts distinct keys', async () => {
    const sign = (k: { privateKey: PrivateKey }) => bundleWithStatement(k.privateKey, imageStatement({}));
    const byAlice = { kind: 'bundle', bundle: await sign(alice) } as const;
    const both: ImageEvidence = {
      digest: DIGEST,
      bundles: [byAlice, { kind: 'bundle', bundle: await sign(bob) }],
    };
    const pub = [alice.publicKey, bob.publicKey];
    expect(
      verifySignatureEvidence(both, { keys: pub, threshold: 2, ignoreTlog: true }).signatures,
    ).toHaveLength(2);
    const one: ImageEvidence = { digest: DIGEST, bundles: [byAlice, byAlice] };
    const error = caught(() => verifySignatureEvidence(one, { keys: pub, threshold: 2, ignoreTlog: true }));
    expect(error.failures.at(-1)).toEqual(
      expect.objectContaining({ candidate: 'threshold', reason: 'wrong-key' }),
    );
  });

  it('unreadable and malformed candidates fail as malformed; no evidence at all is none-found', async () => {
    const evidence: ImageEvidence = {
      digest: DIGEST,
      bundles: [
        { kind: 'unreadable', candidate: 'bundle sha256:aa', message: 'the registry said 500' },
        { kind: 'bundle', candidate: 'junk', bundle: '{"mediaType":5}' },
      ],
    };
    const outcomes = judgeSignatures(evidence, { keys: [alice.publicKey], ignoreTlog: true }).outcomes;
    expect(outcomes).toEqual([
      { candidate: 'bundle sha256:aa', failure: expect.objectContaining({ reason: 'malformed' }) },
      { candidate: 'junk', failure: expect.objectContaining({ reason: 'malformed' }) },
    ]);
    const none = caught(() =>
      verifySignatureEvidence({ digest: DIGEST, location: 'r/app' }, { keys: [alice.publicKey] }),
    );
    expect(none.failures).toEqual([expect.objectContaining({ candidate: 'r/app', reason: 'none-found' })]);
  });

  it('refuses evidence it cannot read as arguments, with a typed error', () => {
    const key = alice.publicKey;
    expect(() => judgeSignatures({ digest: 'nope' }, { keys: [key] })).toThrow(InvalidArgumentError);
    expect(() =>
      judgeSignatures({ digest: DIGEST, bundles: [{ kind: 'other' } as never] }, { keys: [key] }),
    ).toThrow(InvalidArgumentError);
    expect(() => judgeSignatures({ digest: DIGEST }, { keys: [] })).toThrow(InvalidArgumentError);
  });
});

describe('attestations', () => {
  it('judges a classic .att envelope and, when bundles hold only an image signature, falls back to it', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const statement = encodeAttestationStatement({
      subjectName: 'r/app',
      digest: DIGEST,
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { builder: 'ci' },
    });
    const envelope = await signDsse(createSigner(privateKey), IN_TOTO_PAYLOAD_TYPE, statement);
    const payload = encodeDsseEnvelope(envelope);
    const layer: Descriptor = {
      mediaType: DSSE_MEDIA_TYPE,
      digest: `sha256:${'2'.repeat(64)}`,
      size: payload.length,
      annotations: { [SignatureAnnotation.predicateType]: 'https://slsa.dev/provenance/v1' },
    };
    const evidence: ImageEvidence = {
      digest: DIGEST,
      bundles: [{ kind: 'bundle', bundle: await bundleWithStatement(privateKey, imageStatement({})) }],
      classic: [{ kind: 'classic-layer', layer, payload }],
    };
    const verified = verifyAttestationEvidence(evidence, { keys: [publicKey], ignoreTlog: true });
    expect(verified).toEqual([
      expect.objectContaining({
        format: 'simple-signing',
        digest: DIGEST,
        predicateType: 'https://slsa.dev/provenance/v1',
      }),
    ]);
    const other = judgeAttestations(evidence, {
      keys: [publicKey],
      ignoreTlog: true,
      predicateType: 'spdxjson',
    });
    expect(other.outcomes.map((o) => ('failure' in o ? o.failure.reason : 'ok'))).toEqual(['malformed']);
  });
});
