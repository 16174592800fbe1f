/**
 * Interop with sigstore-js, an independent Sigstore implementation: bundles we write verify with
 * @sigstore/verify given our public key, and bundles @sigstore/sign writes verify with ours; and
 * both judge a real bundle the same against trusted roots whose Rekor key window was moved.
 */
import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
// @sigstore/bundle's own dependency: the protobuf-specs messages sigstore-js verifies with.
import { PublicKeyDetails, TrustedRoot } from '@sigstore/protobuf-specs';
import { DSSEBundleBuilder } from '@sigstore/sign';
import { toSignedEntity, toTrustMaterial, Verifier } from '@sigstore/verify';
import { describe, expect, it } from 'vitest';
import {
  createSigner,
  exportPublicKeyPem,
  generateKeyPair,
  importPublicKey,
  publicKeyHint,
} from '../../src/keys/index.js';
import {
  createBundle,
  encodeCosignSignStatement,
  IN_TOTO_PAYLOAD_TYPE,
  parseBundle,
  signDsse,
  verifyDsseEnvelope,
} from '../../src/payload/index.js';
import { rekorKeysFromTrustedRoot } from '../../src/sigstore/tlog/rekor-keys.js';
import { verifyBundleEntry } from '../../src/sigstore/tlog/tlog-entry.js';
import { readVectors } from '../helpers/vectors.js';

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

describe('Rekor key validity windows: @sigstore/verify and ocisign agree', () => {
  // biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
  type Json = Record<string, any>;
  const r = readVectors<Json>('cosign/real-cosign-artifacts.json').newBundleReferrer;
  const publicGood = readVectors<Json>('keyless/trusted-roots/public-good-sigstore-tuf-4.0.2.json');
  const T = Number(JSON.parse(r.bundle).verificationMaterial.tlogEntries[0].integratedTime);
  const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
  const FROM_2021 = '2021-01-12T11:53:27Z';

  /** The public-good root with the Rekor v1 log listed once per window given. */
  function withRekorWindows(...windows: Json[]): Json {
    const root = structuredClone(publicGood);
    const rekor = root.tlogs.find((t: Json) => t.baseUrl === 'https://rekor.sigstore.dev');
    root.tlogs = [
      ...windows.map((validFor) => ({ ...rekor, publicKey: { ...rekor.publicKey, validFor } })),
      ...root.tlogs.filter((t: Json) => t !== rekor),
    ];
    return root;
  }

  /** @sigstore/verify's verdict: 'pass', or its error code. Its TSA check runs too (the bundle has one). */
  function sigstoreJs(root: Json): string {
    const signer = {
      rawBytes: Buffer.from(importPublicKey(r.publicKeyPem).toDer()),
      keyDetails: PublicKeyDetails.PKIX_ECDSA_P256_SHA_256,
      validFor: { start: new Date(0) },
    };
    const trust = toTrustMaterial(TrustedRoot.fromJSON(root), { [r.publicKeyHint]: signer });
    const verifier = new Verifier(trust, { tlogThreshold: 1, ctlogThreshold: 0, timestampThreshold: 1 });
    try {
      verifier.verify(toSignedEntity(bundleFromJSON(JSON.parse(r.bundle))));
      return 'pass';
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  }

  function ocisign(root: Json): string {
    const bundle = parseBundle(r.bundle);
    const envelope = bundle.dsseEnvelope as NonNullable<typeof bundle.dsseEnvelope>;
    const expected = {
      signature: envelope.signatures[0]?.sig as string,
      key: importPublicKey(r.publicKeyPem),
      payload: envelope.payload,
    };
    const check = verifyBundleEntry(bundle.tlogEntries[0] as never, expected, rekorKeysFromTrustedRoot(root));
    return check.ok ? 'pass' : check.message;
  }

  // Each row: windows of the Rekor v1 key, and whether the entry's SET may count.
  it.each([
    [
      'start is inclusive',
      [
        [[{ start: FROM_2021 }], true],
        [[{ start: at(T) }], true],
        [[{ start: at(T + 1) }], false],
      ],
    ],
    [
      'end is inclusive',
      [
        [[{ start: FROM_2021, end: at(T) }], true],
        [[{ start: FROM_2021, end: at(T - 1) }], false],
        [[{ start: FROM_2021, end: '2026-08-12T20:53:27.999Z' }], false],
      ],
    ],
    [
      'a rotated key counts where one of its windows holds the time',
      [
        [[{ start: FROM_2021, end: at(T - 1) }, { start: at(T) }], true],
        [[{ start: at(T) }, { start: FROM_2021, end: at(T - 1) }], true],
        [[{ start: FROM_2021, end: at(T - 1) }, { start: at(T + 60) }], false],
      ],
    ],
  ] as [string, [Json[], boolean][]][])('%s', (_, rows) => {
    for (const [windows, passes] of rows) {
      const root = withRekorWindows(...windows);
      expect(sigstoreJs(root), JSON.stringify(windows)).toBe(
        passes ? 'pass' : 'TLOG_INCLUSION_PROMISE_ERROR',
      );
      const ours = ocisign(root);
      if (passes) expect(ours, JSON.stringify(windows)).toBe('pass');
      else
        expect(ours).toMatch(
          /^the trusted root's Rekor key for log c0d23d6ad406973f… is valid .*, not at the entry's integrated time 2026-08-12T20:53:28Z/,
        );
    }
  });

  it('differ on a Rekor key without validFor.start: ocisign refuses the root, as sigstore-go; @sigstore/verify 3.1.1 trusts it from 1970', () => {
    const root = withRekorWindows({ end: '2030-01-01T00:00:00Z' });
    expect(sigstoreJs(root)).toBe('pass');
    expect(() => ocisign(root)).toThrow(/validFor\.start must be set/);
  });
});
