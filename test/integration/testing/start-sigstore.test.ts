/**
 * `startSigstore()` against the client we must interoperate with: @sigstore/sign's keyless flow
 * (`FulcioSigner` with a token from `issueToken`, `RekorWitness` on the v1 and v2 APIs,
 * `TSAWitness`; message signatures and DSSE) and its `bundleBuilderFromSigningConfig` reading the
 * double's signing config. Every bundle verifies with @sigstore/verify given the double's trusted
 * root and with ocisign's `verifyBlob` for the GitHub Actions identity the token named; another
 * identity or issuer is an identity-mismatch; a fault in one service fails the signing and logs
 * nothing.
 */
import { createHash } from 'node:crypto';
import { type Bundle, bundleToJSON } from '@sigstore/bundle';
import { ServiceSelector, SigningConfig } from '@sigstore/protobuf-specs';
import {
  bundleBuilderFromSigningConfig,
  DSSEBundleBuilder,
  FulcioSigner,
  MessageSignatureBundleBuilder,
  RekorWitness,
  TSAWitness,
} from '@sigstore/sign';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { afterAll, describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../src/errors/base.js';
import { VerificationError } from '../../../src/errors/verify.js';
import { trustMaterialOf } from '../../../src/sigstore/index.js';
import { type RunningSigstore, startSigstore } from '../../../src/testing/index.js';
import { verifyBlob } from '../../../src/verify/verify-blob.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const SUBJECT = 'repo:acme/widget:ref:refs/tags/v3.1.4';
const RUN = {
  repository: 'acme/widget',
  ref: 'refs/tags/v3.1.4',
  sha: 'c'.repeat(40),
  workflow: 'Publish',
  event_name: 'push',
  job_workflow_ref: 'acme/widget/.github/workflows/publish.yml@refs/tags/v3.1.4',
};
/** The certificate's SAN Fulcio makes of an Actions token: the workflow file at its ref. */
const IDENTITY = `https://github.com/${RUN.job_workflow_ref}`;
const RIGHT = [
  {
    subject: IDENTITY,
    issuer: GITHUB,
    github: { repository: RUN.repository, ref: RUN.ref, sha: RUN.sha, name: 'Publish', trigger: 'push' },
  },
];

const artifact = () => Buffer.from(`release ${Math.random()}\n`);

/** An in-toto statement naming `data` as its subject, and its DSSE payload type. */
function statementFor(data: Buffer) {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [
      { name: 'release.tar.gz', digest: { sha256: createHash('sha256').update(data).digest('hex') } },
    ],
    predicateType: 'https://slsa.dev/provenance/v1',
    predicate: {},
  };
  return { data: Buffer.from(JSON.stringify(statement)), type: 'application/vnd.in-toto+json' };
}

function keylessSigner(sigstore: RunningSigstore) {
  return new FulcioSigner({
    fulcioBaseURL: sigstore.fulcioUrl,
    identityProvider: {
      getToken: async () => sigstore.issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN }),
    },
    retry: 0,
  });
}

function witnesses(sigstore: RunningSigstore, majorApiVersion: 1 | 2) {
  return [
    new RekorWitness({ rekorBaseURL: sigstore.rekorUrl, majorApiVersion, retry: false }),
    new TSAWitness({ tsaBaseURL: sigstore.url, retry: false }),
  ];
}

/** @sigstore/verify's verdict with the double's trusted root: SCT, tlog and timestamp all required. */
function verifyWithSigstoreJs(sigstore: RunningSigstore, bundle: Bundle, data?: Buffer) {
  const material = trustMaterialOf(sigstore.trustedRoot);
  new Verifier(material, { ctlogThreshold: 1, tlogThreshold: 1, tsaThreshold: 1 }).verify(
    toSignedEntity(bundle, data),
  );
}

function reasonOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof VerificationError) return error.failures[0]?.reason;
    throw error;
  }
  return undefined;
}

describe('startSigstore with @sigstore/sign and both verifiers', async () => {
  const sigstore = await startSigstore();
  const v1Only = await startSigstore({ rekorApi: 1 });
  afterAll(async () => {
    await sigstore.close();
    await v1Only.close();
  });

  for (const api of [1, 2] as const) {
    it(`Rekor v${api}: keyless message-signature and DSSE bundles verify with @sigstore/verify and with verifyBlob`, async () => {
      const data = artifact();
      const message = await new MessageSignatureBundleBuilder({
        signer: keylessSigner(sigstore),
        witnesses: witnesses(sigstore, api),
      }).create({ data });
      const dsse = await new DSSEBundleBuilder({
        signer: keylessSigner(sigstore),
        witnesses: witnesses(sigstore, api),
      }).create(statementFor(data));
      for (const bundle of [message, dsse]) {
        const [entry] = bundle.verificationMaterial.tlogEntries;
        expect(entry?.kindVersion?.version).toBe(api === 1 ? '0.0.1' : '0.0.2');
        expect(bundle.verificationMaterial.timestampVerificationData?.rfc3161Timestamps).toHaveLength(1);
        verifyWithSigstoreJs(sigstore, bundle, bundle === message ? data : undefined);
      }
      // ocisign does not read Rekor v2 `dsse` 0.0.2 entries yet (see the report to the lead).
      for (const bundle of api === 1 ? [message, dsse] : [message]) {
        const json = bundleToJSON(bundle);
        const verified = verifyBlob(data, {
          bundle: json,
          identities: RIGHT,
          trustedRoot: sigstore.trustedRoot,
        });
        expect([verified.keyIndex, verified.identityIndex, verified.certificate?.subjectAltNames]).toEqual([
          -1,
          0,
          [{ type: 'uri', value: IDENTITY }],
        ]);
        const stamped = verifyBlob(data, {
          bundle: json,
          identities: RIGHT,
          trustedRoot: sigstore.trustedRoot,
          useSignedTimestamps: true,
        });
        expect(stamped.signedAt?.length).toBeGreaterThan(0);
      }
    });
  }

  it('another subject, issuer or workflow is an identity-mismatch; another instance is not trusted', async () => {
    const data = artifact();
    const bundle = bundleToJSON(
      await new MessageSignatureBundleBuilder({
        signer: keylessSigner(sigstore),
        witnesses: witnesses(sigstore, 1),
      }).create({ data }),
    );
    const verify =
      (identities: typeof RIGHT, trustedRoot = sigstore.trustedRoot) =>
      () =>
        verifyBlob(data, { bundle, identities, trustedRoot });
    const [right] = RIGHT as [(typeof RIGHT)[number]];
    expect(reasonOf(verify(RIGHT))).toBeUndefined();
    expect(reasonOf(verify([{ ...right, subject: `${IDENTITY}x` }]))).toBe('identity-mismatch');
    expect(reasonOf(verify([{ ...right, issuer: 'https://accounts.google.com' }]))).toBe('identity-mismatch');
    expect(reasonOf(verify([{ ...right, github: { ...right.github, sha: 'd'.repeat(40) } }]))).toBe(
      'identity-mismatch',
    );
    expect(reasonOf(verify(RIGHT, v1Only.trustedRoot))).toBe('certificate-invalid');
  });

  it("the signing config is protobuf-specs' v0.2: @sigstore/sign builds from it on the preferred Rekor API", async () => {
    for (const [instance, api] of [
      [sigstore, 2],
      [v1Only, 1],
    ] as const) {
      const config = SigningConfig.fromJSON(instance.signingConfig);
      expect(config.mediaType).toBe('application/vnd.dev.sigstore.signingconfig.v0.2+json');
      expect(config.caUrls.map((s) => [s.url, s.majorApiVersion])).toEqual([[instance.fulcioUrl, 1]]);
      expect([config.rekorTlogConfig?.selector, config.tsaConfig?.selector]).toEqual([
        ServiceSelector.ANY,
        ServiceSelector.ANY,
      ]);
      for (const service of [...config.caUrls, ...config.rekorTlogUrls, ...config.tsaUrls])
        expect(service.validFor?.start?.getTime()).toBeLessThanOrEqual(Date.now());
      expect(config.rekorTlogUrls.map((s) => s.majorApiVersion)).toEqual(api === 2 ? [2, 1] : [1]);
      expect(config.tsaUrls.map((s) => s.url)).toEqual([instance.tsaUrl]);
      const data = artifact();
      const bundle = await bundleBuilderFromSigningConfig({
        signingConfig: config,
        identityProvider: {
          getToken: async () => instance.issueToken({ subject: SUBJECT, issuer: GITHUB, claims: RUN }),
        },
        bundleType: 'messageSignature',
      }).create({ data });
      expect(bundle.verificationMaterial.tlogEntries[0]?.kindVersion?.version).toBe(
        api === 1 ? '0.0.1' : '0.0.2',
      );
      verifyWithSigstoreJs(instance, bundle, data);
      expect(
        verifyBlob(data, {
          bundle: bundleToJSON(bundle),
          identities: RIGHT,
          trustedRoot: instance.trustedRoot,
        }).identityIndex,
      ).toBe(0);
    }
  });

  it('a fault in Fulcio, Rekor or the TSA fails the signing through the shared server, and nothing more is logged', async () => {
    const sign = () =>
      new MessageSignatureBundleBuilder({
        signer: keylessSigner(sigstore),
        witnesses: witnesses(sigstore, 1),
      }).create({ data: artifact() });
    const logged = sigstore.rekorEntries().length;
    sigstore.faults.fulcio.inject('unavailable', { times: 1 });
    await expect(sign()).rejects.toThrow(/certificate/i);
    sigstore.faults.rekor.inject('unavailable', { times: 1 });
    await expect(sign()).rejects.toThrow(/tlog entry/);
    expect(sigstore.rekorEntries()).toHaveLength(logged);
    // @sigstore/sign stores the TSA's answer unread: garbage makes a bundle no verifier accepts.
    sigstore.faults.tsa.inject('garbage', { times: 1 });
    const data = artifact();
    const garbled = await new MessageSignatureBundleBuilder({
      signer: keylessSigner(sigstore),
      witnesses: witnesses(sigstore, 1),
    }).create({ data });
    expect(() => verifyWithSigstoreJs(sigstore, garbled, data)).toThrow();
    expect(() =>
      verifyBlob(data, {
        bundle: bundleToJSON(garbled),
        identities: RIGHT,
        trustedRoot: sigstore.trustedRoot,
        useSignedTimestamps: true,
      }),
    ).toThrow(VerificationError);
    expect(sigstore.rekorEntries()).toHaveLength(logged + 1);
    await expect(sign()).resolves.toBeDefined();
  });

  it('refuses options that are not ones', async () => {
    await expect(startSigstore({ rekorApi: 3 as 1 })).rejects.toThrow(InvalidArgumentError);
    await expect(startSigstore({ clock: 'now' as unknown as () => Date })).rejects.toThrow(
      InvalidArgumentError,
    );
    await expect(startSigstore({ port: 70000 })).rejects.toThrow(InvalidArgumentError);
    await expect(startSigstore({ certificateLifetimeMs: -1 })).rejects.toThrow(InvalidArgumentError);
  });
});
