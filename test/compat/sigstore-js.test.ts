/**
 * Interop with sigstore-js, an independent Sigstore implementation: bundles we write verify with
 * @sigstore/verify given our public key, and bundles @sigstore/sign writes verify with ours.
 */
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import { createSigner, exportPublicKeyPem, generateKeyPair, publicKeyHint } from '../../src/keys/index.js';
import {
  createBundle,
  encodeCosignSignStatement,
  IN_TOTO_PAYLOAD_TYPE,
  parseBundle,
  signDsse,
  verifyDsseEnvelope,
} from '../../src/payload/index.js';

const emptyRoot = {
  mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
  tlogs: [],
  certificateAuthorities: [],
  ctlogs: [],
  timestampAuthorities: [],
};

describe('sigstore-js interop', () => {
  it('@sigstore/verify accepts a bundle we wrote, with our public key, and rejects it with another', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const statement = encodeCosignSignStatement(`sha256:${'ab'.repeat(32)}`, { env: 'prod' });
    const envelope = await signDsse(createSigner(privateKey), IN_TOTO_PAYLOAD_TYPE, statement);
    const hint = publicKeyHint(publicKey);
    const bundle = bundleFromJSON(
      JSON.parse(new TextDecoder().decode(createBundle({ publicKeyHint: hint, dsseEnvelope: envelope }))),
    );
    const trust = (key: Uint8Array) =>
      toTrustMaterial(emptyRoot as never, {
        [hint]: { rawBytes: Buffer.from(key), keyDetails: 5, validFor: { start: new Date(0) } } as never,
      });
    const verifier = new Verifier(trust(publicKey.toDer()), {
      tlogThreshold: 0,
      ctlogThreshold: 0,
      timestampThreshold: 0,
    });
    expect(() => verifier.verify(toSignedEntity(bundle))).not.toThrow();
    const other = await generateKeyPair();
    const wrong = new Verifier(trust(other.publicKey.toDer()), {
      tlogThreshold: 0,
      ctlogThreshold: 0,
      timestampThreshold: 0,
    });
    expect(() => wrong.verify(toSignedEntity(bundle))).toThrow();
  });

  it('we verify a bundle @sigstore/sign wrote with a key-based signer', async () => {
    const { privateKey, publicKey } = await generateKeyPair();
    const signer = createSigner(privateKey);
    const builder = new DSSEBundleBuilder({
      signer: {
        async sign(data: Buffer) {
          return {
            signature: Buffer.from(await signer.sign(new Uint8Array(data))),
            key: {
              $case: 'publicKey',
              publicKey: exportPublicKeyPem(publicKey),
              hint: publicKeyHint(publicKey),
            },
          };
        },
      },
      witnesses: [],
    });
    const statement = encodeCosignSignStatement(`sha256:${'cd'.repeat(32)}`);
    const bundle = await builder.create({ data: Buffer.from(statement), type: IN_TOTO_PAYLOAD_TYPE });
    const parsed = parseBundle(JSON.stringify(bundleToJSON(bundle)));
    expect(parsed.publicKeyHint).toBe(publicKeyHint(publicKey));
    expect(
      verifyDsseEnvelope(parsed.dsseEnvelope as NonNullable<typeof parsed.dsseEnvelope>, publicKey),
    ).toEqual([0]);
    const other = await generateKeyPair();
    expect(
      verifyDsseEnvelope(parsed.dsseEnvelope as NonNullable<typeof parsed.dsseEnvelope>, other.publicKey),
    ).toEqual([]);
  });
});
