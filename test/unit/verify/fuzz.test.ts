/**
 * Fuzzing the verification-side parsers and checks ({@link FUZZ_RUNS} runs each), starting from real
 * cosign and Sigstore data: tlog entries and their inclusion proofs and promises, the Merkle and
 * checkpoint checks, the classic Rekor bundle annotation with its SET, and trusted roots. Each
 * returns a result or throws a typed OcisignError, never anything else, and never hangs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { importPublicKey } from '../../../src/keys/index.js';
import { parseBundle, SignatureAnnotation, type TlogEntry } from '../../../src/payload/index.js';
import { leafHash, verifyCheckpoint, verifyInclusion } from '../../../src/sigstore/tlog/merkle.js';
import { rekorKeysFromPublicKeys, rekorKeysFromTrustedRoot } from '../../../src/sigstore/tlog/rekor-keys.js';
import { verifyBundleEntry } from '../../../src/sigstore/tlog/tlog-entry.js';
import { classicTlog } from '../../../src/verify/tlog-evidence.js';
import type { TrustMaterial } from '../../../src/verify/trust.js';
import { FUZZ_RUNS, FUZZ_TIMEOUT_MS, typedOrResult } from '../../helpers/fuzz.js';
import { mutatedDocument } from '../../helpers/json-mutations.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const r = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json').newBundleReferrer;
const bundle = parseBundle(r.bundle);
const entry = bundle.tlogEntries[0] as TlogEntry;
const envelope = bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>;
const key = importPublicKey(r.publicKeyPem);
const rekorKeys = rekorKeysFromPublicKeys([r.rekorPublicKeyPem]);
const expected = { signature: envelope.signatures[0]?.sig as string, key, payload: envelope.payload };
const runs = { numRuns: FUZZ_RUNS };

describe(`verification checks on ${FUZZ_RUNS} hostile inputs each`, () => {
  it('the real entry verifies (so the mutations start from evidence that passes)', () => {
    expect(verifyBundleEntry(entry, expected, rekorKeys)).toEqual({ ok: true, message: 'ok' });
  });

  it(
    'verifyBundleEntry on mutated tlog entries (inclusion proofs, promises, bodies)',
    () => {
      fc.assert(
        fc.property(mutatedDocument([entry]), (mutated) => {
          const result = typedOrResult(() => verifyBundleEntry(mutated as TlogEntry, expected, rekorKeys));
          if (!(result instanceof Error)) expect(typeof result.ok).toBe('boolean');
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'verifyInclusion and verifyCheckpoint on arbitrary indexes, sizes, hashes and notes',
    () => {
      const proof = entry.inclusionProof as NonNullable<TlogEntry['inclusionProof']>;
      const leaf = leafHash(Buffer.from(entry.canonicalizedBody, 'base64'));
      const hashes = proof.hashes.map((h) => new Uint8Array(Buffer.from(h, 'base64')));
      const root = new Uint8Array(Buffer.from(proof.rootHash, 'base64'));
      fc.assert(
        fc.property(
          fc.bigInt({ min: -2n, max: 2n ** 64n }),
          fc.bigInt({ min: -2n, max: 2n ** 64n }),
          fc.array(fc.oneof(fc.constantFrom(...hashes), fc.uint8Array({ maxLength: 40 })), { maxLength: 70 }),
          fc.oneof(
            fc.string(),
            fc.constant(proof.checkpoint.envelope),
            fc.constant(`x\n1\n\n\n— a ${'A'.repeat(8)}\n`),
          ),
          (index, size, path, note) => {
            typedOrResult(() => verifyInclusion(leaf, index, size, path, root));
            typedOrResult(() => verifyCheckpoint(note, size, root, rekorKeys));
          },
        ),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'classic Rekor bundle annotations, through the SET check',
    () => {
      const ctx: TrustMaterial = {
        keys: [key],
        rekorKeys,
        ignoreTlog: false,
        digestAlgorithm: undefined,
        keyless: undefined,
      };
      const annotation = {
        SignedEntryTimestamp: Buffer.from(
          entry.inclusionPromise?.signedEntryTimestamp ?? '',
          'base64',
        ).toString('base64'),
        Payload: {
          body: entry.canonicalizedBody,
          integratedTime: Number(entry.integratedTime),
          logIndex: Number(entry.logIndex),
          logID: r.rekorLogIdHex,
        },
      };
      const layer = (text: string) => ({
        mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
        digest: `sha256:${'b'.repeat(64)}`,
        size: 1,
        annotations: { [SignatureAnnotation.bundle]: text },
      });
      fc.assert(
        fc.property(
          fc.oneof(
            mutatedDocument([annotation]).map((v) => JSON.stringify(v) ?? ''),
            fc.string(),
          ),
          (text) => {
            typedOrResult(() =>
              classicTlog(ctx, layer(text), {
                signature: expected.signature,
                key,
                payload: expected.payload,
              }),
            );
          },
        ),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );

  it(
    'rekorKeysFromTrustedRoot on mutated trusted roots, as objects and as text',
    () => {
      const root = JSON.parse(
        readFileSync(
          join(SHARED_DIR, 'vectors', 'keyless', 'conf-intoto-expired-certificate', 'trusted_root.json'),
          'utf8',
        ),
      ) as unknown;
      expect(rekorKeysFromTrustedRoot(root).size).toBe(1);
      fc.assert(
        fc.property(mutatedDocument([root]), fc.boolean(), (mutated, asText) => {
          typedOrResult(() => rekorKeysFromTrustedRoot(asText ? (JSON.stringify(mutated) ?? '') : mutated));
        }),
        runs,
      );
    },
    FUZZ_TIMEOUT_MS,
  );
});
