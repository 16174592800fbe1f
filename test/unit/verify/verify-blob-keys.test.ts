/**
 * `verifyBlob` with trusted keys (`cosign verify-blob --key --bundle`): bundles written by
 * sigstore-js's own signer (@sigstore/sign, an independent peer) for a message signature and a DSSE
 * statement, and cosign 3's real key-signed bundle with its public-good Rekor entry. A key inside
 * a bundle is never trusted; keys and identities together mean either.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder, MessageSignatureBundleBuilder } from '@sigstore/sign';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, VerificationError } from '../../../src/errors/index.js';
import {
  createSigner,
  exportPublicKeyPem,
  generateKeyPair,
  type PrivateKey,
  type PublicKey,
  publicKeyHint,
} from '../../../src/keys/index.js';
import { sha256Digest } from '../../../src/payload/digest.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../../../src/payload/dsse.js';
import { verifyBlob } from '../../../src/verify/verify-blob.js';
import { identityOf } from '../../helpers/fulcio-certs.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
type Json = any;
const artifact = new TextEncoder().encode('release-1.2.3.tar.gz contents\n');

/** A sigstore-js signer over our key: what a key-based `cosign sign-blob --bundle` writes. */
function sjsSigner(privateKey: PrivateKey, publicKey: PublicKey) {
  const signer = createSigner(privateKey);
  return {
    async sign(data: Buffer) {
      return {
        signature: Buffer.from(await signer.sign(new Uint8Array(data))),
        key: {
          $case: 'publicKey' as const,
          publicKey: exportPublicKeyPem(publicKey),
          hint: publicKeyHint(publicKey),
        },
      };
    },
  };
}

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(VerificationError);
    return (error as VerificationError).failures[0]?.reason;
  }
}

describe('verifyBlob with keys, on bundles @sigstore/sign wrote', async () => {
  const { privateKey, publicKey } = await generateKeyPair();
  const other = await generateKeyPair();
  const messageBundle = bundleToJSON(
    await new MessageSignatureBundleBuilder({
      signer: sjsSigner(privateKey, publicKey),
      witnesses: [],
    }).create({
      data: Buffer.from(artifact),
    }),
  );
  const statement = (digest: string) =>
    Buffer.from(
      JSON.stringify({
        _type: 'https://in-toto.io/Statement/v1',
        subject: [{ name: 'release.tar.gz', digest: { sha256: digest.slice('sha256:'.length) } }],
        predicateType: 'https://slsa.dev/provenance/v1',
        predicate: {},
      }),
    );
  const dsseBundle = async (digest: string) =>
    bundleToJSON(
      await new DSSEBundleBuilder({ signer: sjsSigner(privateKey, publicKey), witnesses: [] }).create({
        data: statement(digest),
        type: IN_TOTO_PAYLOAD_TYPE,
      }),
    );

  it('a message signature verifies with the key that made it, and names the key', () => {
    const result = verifyBlob(artifact, {
      bundle: messageBundle,
      keys: [other.publicKey, exportPublicKeyPem(publicKey)],
      ignoreTlog: true,
    });
    expect(result).toEqual({ digest: sha256Digest(artifact), keyIndex: 1 });
  });

  it('another key, another artifact, or the key the bundle carries alone are refused', () => {
    expect(
      reasonOf(() =>
        verifyBlob(artifact, { bundle: messageBundle, keys: [other.publicKey], ignoreTlog: true }),
      ),
    ).toBe('wrong-key');
    const tampered = new Uint8Array(artifact);
    tampered[0] = (tampered[0] ?? 0) ^ 1;
    expect(
      reasonOf(() => verifyBlob(tampered, { bundle: messageBundle, keys: [publicKey], ignoreTlog: true })),
    ).toBe('digest-mismatch');
  });

  it('a message signature with only the digest needs the bytes for a key; tlog evidence is required unless ignored', () => {
    expect(
      reasonOf(() =>
        verifyBlob(
          { digest: sha256Digest(artifact) },
          { bundle: messageBundle, keys: [publicKey], ignoreTlog: true },
        ),
      ),
    ).toBe('wrong-key');
    expect(reasonOf(() => verifyBlob(artifact, { bundle: messageBundle, keys: [publicKey] }))).toBe(
      'tlog-missing',
    );
  });

  it('a DSSE statement verifies when its subject is the artifact, and fails for another', async () => {
    const digest = sha256Digest(artifact);
    expect(
      verifyBlob(artifact, { bundle: await dsseBundle(digest), keys: [publicKey], ignoreTlog: true }),
    ).toEqual({
      digest,
      keyIndex: 0,
    });
    await expect(
      (async () =>
        verifyBlob(artifact, {
          bundle: await dsseBundle(`sha256:${'ab'.repeat(32)}`),
          keys: [publicKey],
          ignoreTlog: true,
        }))(),
    ).rejects.toMatchObject({ failures: [expect.objectContaining({ reason: 'digest-mismatch' })] });
  });

  it('no key and no identity is an InvalidArgumentError', () => {
    expect(() => verifyBlob(artifact, { bundle: messageBundle })).toThrow(InvalidArgumentError);
    expect(() => verifyBlob(artifact, { bundle: messageBundle, keys: [] })).toThrow(InvalidArgumentError);
  });
});

describe("verifyBlob with keys, on cosign 3's real key-signed bundle", () => {
  const real = readVectors<Json>('cosign/real-cosign-artifacts.json').newBundleReferrer;
  const publicGood = readVectors<Json>('keyless/trusted-roots/public-good-sigstore-tuf-4.0.2.json');

  it('verifies over the image digest its statement names, with the public-good Rekor entry checked', () => {
    const result = verifyBlob(
      { digest: real.subject.digest },
      { bundle: real.bundle, keys: [real.publicKeyPem], trustedRoot: publicGood },
    );
    expect(result).toEqual({ digest: real.subject.digest, keyIndex: 0 });
  });

  it('with another Rekor key the entry does not verify: tlog-invalid', async () => {
    const { publicKey } = await generateKeyPair();
    expect(
      reasonOf(() =>
        verifyBlob(
          { digest: real.subject.digest },
          { bundle: real.bundle, keys: [real.publicKeyPem], rekorPublicKeys: [publicKey] },
        ),
      ),
    ).toBe('tlog-invalid');
  });

  it('keys and identities together: a keyless bundle verifies through its identity (keyIndex -1)', async () => {
    const dir = join(SHARED_DIR, 'vectors', 'keyless', 'conf-happy-path-v0.3');
    const c = JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8'));
    const { publicKey } = await generateKeyPair();
    const result = verifyBlob(new Uint8Array(readFileSync(join(dir, c.files.artifact))), {
      bundle: readFileSync(join(dir, c.files.bundle), 'utf8'),
      keys: [publicKey],
      identities: [identityOf(c.verify)],
    });
    expect(result).toMatchObject({ keyIndex: -1, identityIndex: 0 });
  });
});
