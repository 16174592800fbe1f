/** Offline transparency-log checks against real Rekor data from a cosign v3.0.4 bundle. */
import { describe, expect, it } from 'vitest';
import { importPublicKey } from '../../../../src/keys/index.js';
import { parseBundle } from '../../../../src/payload/index.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from '../../../../src/sigstore/tlog/merkle.js';
import { rekorKeysFromTrustedRoot } from '../../../../src/sigstore/tlog/rekor-keys.js';
import { verifyBundleEntry } from '../../../../src/sigstore/tlog/tlog-entry.js';
import { readVectors } from '../../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const r = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json').newBundleReferrer;
const b64 = (s: string) => new Uint8Array(Buffer.from(s, 'base64'));
const bundle = parseBundle(r.bundle);
const entry = bundle.tlogEntries[0] as NonNullable<(typeof bundle.tlogEntries)[0]>;
const proof = entry.inclusionProof as NonNullable<typeof entry.inclusionProof>;
const rekorKeys = rekorKeysFromTrustedRoot({
  tlogs: [
    {
      publicKey: {
        rawBytes: Buffer.from(importPublicKey(r.rekorPublicKeyPem).toDer()).toString('base64'),
        validFor: { start: '2021-01-12T11:53:27Z' }, // as the public-good trusted root has it
      },
    },
  ],
});
const leaf = leafHash(b64(entry.canonicalizedBody));
const hashes = proof.hashes.map(b64);
const root = b64(proof.rootHash);

describe('Merkle inclusion (RFC 9162)', () => {
  it('computes the leaf hash and verifies the proof with the shard-local index', () => {
    expect(Buffer.from(leaf).toString('hex')).toBe(r.inclusionProof.leafHash);
    expect(verifyInclusion(leaf, BigInt(proof.logIndex), BigInt(proof.treeSize), hashes, root)).toBe(true);
  });

  it('fails with the global index, a changed hash, a much larger tree, or an index outside the tree', () => {
    expect(verifyInclusion(leaf, BigInt(entry.logIndex), BigInt(proof.treeSize), hashes, root)).toBe(false);
    const changed = hashes.map((h, i) => (i === 3 ? h.map((x, j) => (j === 0 ? x ^ 1 : x)) : h));
    expect(verifyInclusion(leaf, BigInt(proof.logIndex), BigInt(proof.treeSize), changed, root)).toBe(false);
    // (A neighbouring tree size can share the path: the signed checkpoint is what pins the size.)
    expect(verifyInclusion(leaf, BigInt(proof.logIndex), BigInt(proof.treeSize) * 2n, hashes, root)).toBe(
      false,
    );
    expect(verifyInclusion(leaf, BigInt(proof.logIndex), BigInt(proof.logIndex), hashes, root)).toBe(false);
  });
});

describe('checkpoints', () => {
  it('verifies the signed note with the Rekor key and rejects a tampered one', () => {
    expect(verifyCheckpoint(proof.checkpoint.envelope, BigInt(proof.treeSize), root, rekorKeys).ok).toBe(
      true,
    );
    const tampered = proof.checkpoint.envelope.replace(proof.treeSize, String(BigInt(proof.treeSize) + 1n));
    expect(verifyCheckpoint(tampered, BigInt(proof.treeSize) + 1n, root, rekorKeys).ok).toBe(false);
  });
});

describe('bundle tlog entries', () => {
  const key = importPublicKey(r.publicKeyPem);
  const envelope = bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>;
  const expected = { signature: envelope.signatures[0]?.sig as string, key, payload: envelope.payload };

  it('accept the real entry: body matches, SET and inclusion proof verify', () => {
    expect(verifyBundleEntry(entry, expected, rekorKeys)).toEqual({ ok: true, message: 'ok' });
  });

  it('reject an entry for other content or another key', () => {
    expect(verifyBundleEntry(entry, { ...expected, payload: new Uint8Array([1]) }, rekorKeys).ok).toBe(false);
    expect(verifyBundleEntry(entry, { ...expected, signature: 'AAAA' }, rekorKeys).ok).toBe(false);
  });

  it('reject a forged integrated time (the SET covers it)', () => {
    expect(
      verifyBundleEntry(
        { ...entry, integratedTime: String(Number(entry.integratedTime) + 1) },
        expected,
        rekorKeys,
      ).message,
    ).toMatch(/signed entry timestamp/);
  });
});

describe('trusted roots', () => {
  it('a trusted root given as text that is not JSON, or without tlogs, is an InvalidArgumentError', async () => {
    const { InvalidArgumentError } = await import('../../../../src/errors/index.js');
    expect(() => rekorKeysFromTrustedRoot('{"tlogs": [')).toThrow(InvalidArgumentError);
    expect(() => rekorKeysFromTrustedRoot('{"tlogs": [')).toThrow(/trustedRoot is not JSON/);
    expect(() => rekorKeysFromTrustedRoot('{}')).toThrow(InvalidArgumentError);
  });
});
