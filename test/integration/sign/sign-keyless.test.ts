/**
 * Keyless signing end to end: fulcioSigner gets a certificate for a GitHub-Actions-shaped identity
 * from startSigstore()'s Fulcio, signImage / attestImage store it with the Rekor entry (v1 and v2)
 * and a timestamp, and verification with identities passes for the right identity and fails for
 * another subject or issuer — classic layers and bundles, signatures and attestations.
 */
import { bundleFromJSON } from '@sigstore/bundle';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors/index.js';
import { attestImage, signImage, verifyImage, verifyImageAttestations } from '../../../src/index.js';
import type { Signer } from '../../../src/keys/signer.js';
import { fulcioSigner, trustMaterialOf } from '../../../src/sigstore/index.js';
import { startSigstore } from '../../../src/testing/index.js';
import { image } from '../../helpers/images.js';
import { registryFixture } from '../../helpers/registry-fixture.js';

const GITHUB = 'https://token.actions.githubusercontent.com';
const WORKFLOW = 'acme/widget/.github/workflows/release.yml@refs/tags/v2.0.0';
const IDENTITY = { issuer: GITHUB, subject: `https://github.com/${WORKFLOW}` };
const CLAIMS = {
  repository: 'acme/widget',
  ref: 'refs/tags/v2.0.0',
  sha: 'a'.repeat(40),
  workflow: 'Release',
  event_name: 'push',
  job_workflow_ref: WORKFLOW,
};

const fixture = registryFixture();
let sigstore: Awaited<ReturnType<typeof startSigstore>>;
let signer: Signer;

beforeAll(async () => {
  sigstore = await startSigstore();
  signer = await fulcioSigner({
    fulcioUrl: sigstore.fulcioUrl,
    identityToken: async () =>
      sigstore.issueToken({
        subject: 'repo:acme/widget:ref:refs/tags/v2.0.0',
        issuer: GITHUB,
        claims: CLAIMS,
      }),
    trustedRoot: sigstore.trustedRoot,
  });
});
afterAll(async () => {
  await sigstore?.close();
});

let counter = 0;
async function pushImage(): Promise<string> {
  const repo = `${fixture.registry.host}/keyless/app${++counter}`;
  const img = image();
  for (const b of [img.config, ...img.layers]) await fixture.client.pushBlob(repo, b.bytes);
  await fixture.client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
  return `${repo}@${img.manifest.digest}`;
}

const evidence = (apiVersion: 1 | 2) => ({
  tlog: { rekorUrl: sigstore.rekorUrl, apiVersion },
  timestamp: { url: sigstore.tsaUrl },
  trustedRoot: sigstore.trustedRoot,
});
const verifying = (identities: object[]) => ({
  identities,
  registry: fixture.client,
  trustedRoot: sigstore.trustedRoot,
});
const WRONG = [
  [
    'another subject',
    { ...IDENTITY, subject: 'https://github.com/acme/widget/.github/workflows/other.yml@refs/tags/v2.0.0' },
  ],
  ['another issuer', { ...IDENTITY, issuer: 'https://accounts.google.com' }],
] as const;

describe.each([
  ['classic layers, Rekor v1', 'simple-signing', 1],
  ['bundles, Rekor v1', 'bundle', 1],
  ['bundles, Rekor v2', 'bundle', 2],
] as const)('keyless %s', (_name, format, apiVersion) => {
  it('an image signature verifies for the workflow identity, and for no other', async () => {
    const ref = await pushImage();
    const signed = await signImage(ref, {
      signer,
      registry: fixture.client,
      format,
      ...evidence(apiVersion),
    });
    expect(signed.signatures[0]?.tlogEntry).toBeDefined();
    if (format === 'bundle' && apiVersion === 1) {
      // The independent peer: @sigstore/verify 3.1 (which reads no Rekor v2 DSSE entries) accepts it.
      const bundle = bundleFromJSON(JSON.parse(new TextDecoder().decode(signed.signatures[0]?.bundle)));
      const verifier = new Verifier(trustMaterialOf(sigstore.trustedRoot), {
        tlogThreshold: 1,
        ctlogThreshold: 1,
        timestampThreshold: 1,
      });
      expect(() =>
        verifier.verify(toSignedEntity(bundle), {
          subjectAlternativeName: IDENTITY.subject,
          extensions: { issuer: GITHUB },
        }),
      ).not.toThrow();
    }
    const verified = await verifyImage(ref, verifying([IDENTITY]));
    expect(verified.signatures).toHaveLength(1);
    expect(verified.signatures[0]).toMatchObject({ format });
    await expect(
      verifyImage(ref, verifying([{ issuer: GITHUB, subjectRegExp: '^https://github.com/acme/widget/' }])),
    ).resolves.toBeDefined();
    for (const [, wrong] of WRONG)
      await expect(verifyImage(ref, verifying([wrong]))).rejects.toBeInstanceOf(VerificationError);
  });

  it('an attestation verifies for the workflow identity, and for no other', async () => {
    const ref = await pushImage();
    await attestImage(ref, {
      signer,
      registry: fixture.client,
      format,
      predicateType: 'https://slsa.dev/provenance/v1',
      predicate: { buildDefinition: { buildType: 'https://actions.github.io/buildtypes/workflow/v1' } },
      ...evidence(apiVersion),
    });
    const verified = await verifyImageAttestations(ref, {
      ...verifying([IDENTITY]),
      predicateType: 'https://slsa.dev/provenance/v1',
    });
    expect(verified).toHaveLength(1);
    for (const [, wrong] of WRONG)
      await expect(
        verifyImageAttestations(ref, {
          ...verifying([wrong]),
          predicateType: 'https://slsa.dev/provenance/v1',
        }),
      ).rejects.toBeInstanceOf(VerificationError);
  });
});
