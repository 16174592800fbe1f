/**
 * Real keyless classic `.sig` signatures (../shared/vectors/keyless, made with the public Sigstore
 * instance) pushed into the real registry and verified by `verifyImage` with certificate
 * identities, offline, against the public-good trusted root shipped with ocisign: cosign 3's
 * outcome for each case, a failure naming the check.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors/index.js';
import { verifyImage } from '../../../src/index.js';
import { buildSignatureImage } from '../../../src/payload/signature-image.js';
import { signatureTag } from '../../../src/payload/tags.js';
import { identityOf } from '../../helpers/fulcio-certs.js';
import { registryFixture } from '../../helpers/registry-fixture.js';
import { readVectors, SHARED_DIR } from '../../helpers/vectors.js';

const DIR = join(SHARED_DIR, 'vectors', 'keyless');
const fixture = registryFixture();

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
function readCase(id: string): { c: any; layer: any; payload: Uint8Array } {
  const dir = join(DIR, id);
  return {
    c: JSON.parse(readFileSync(join(dir, 'case.json'), 'utf8')),
    layer: JSON.parse(readFileSync(join(dir, 'layer.json'), 'utf8')),
    payload: new Uint8Array(readFileSync(join(dir, 'payload'))),
  };
}

async function pushSignature(repo: string, id: string): Promise<string> {
  const { c, layer, payload } = readCase(id);
  await fixture.client.pushBlob(repo, payload);
  const image = buildSignatureImage([layer]);
  await fixture.client.pushBlob(repo, image.config);
  await fixture.client.putManifest(
    `${repo}:${signatureTag(c.imageDigest, 'sig')}`,
    image.manifest,
    image.mediaType,
  );
  return c.imageDigest;
}

const CASES = [
  ['classic-github-actions', 'pass'],
  ['classic-github-actions-regexp-prefix-pitfall', 'pass'],
  ['classic-google-service-account', 'pass'],
  ['classic-google-sa-github-flag', 'identity-mismatch'],
] as const;

describe('verifyImage, keyless, classic .sig layers from the public Sigstore instance', () => {
  it.each(CASES)('%s: %s', async (id, expected) => {
    const repo = `${fixture.registry.host}/keyless/${id}`;
    const digest = await pushSignature(repo, id);
    const { c } = readCase(id);
    const verify = () =>
      verifyImage(`${repo}@${digest}`, {
        identities: [identityOf(c.verify)],
        registry: fixture.client,
        formats: ['simple-signing'],
      });
    if (expected === 'pass') {
      const result = await verify();
      expect(result.signatures).toEqual([
        expect.objectContaining({ format: 'simple-signing', keyIndex: -1, identityIndex: 0 }),
      ]);
      expect(result.signatures[0]?.certificate?.subjectAltNames.length).toBeGreaterThan(0);
    } else {
      const error = await verify().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerificationError);
      expect((error as VerificationError).failures[0]?.reason).toBe(expected);
    }
  });

  it('another identity is refused, naming what the certificate holds', async () => {
    const repo = `${fixture.registry.host}/keyless/other-identity`;
    const digest = await pushSignature(repo, 'classic-github-actions');
    const error = await verifyImage(`${repo}@${digest}`, {
      identities: [
        {
          subject: 'https://github.com/acme/app/.github/workflows/release.yml@refs/heads/main',
          issuer: 'https://token.actions.githubusercontent.com',
        },
      ],
      registry: fixture.client,
    }).catch((e: unknown) => e);
    expect((error as VerificationError).failures[0]).toEqual(
      expect.objectContaining({
        reason: 'identity-mismatch',
        message: expect.stringContaining('go-bazel-github-workflow'),
      }),
    );
  });

  it('a keyless signature does not count for a caller who trusts only keys', async () => {
    const repo = `${fixture.registry.host}/keyless/keys-only`;
    const digest = await pushSignature(repo, 'classic-github-actions');
    const error = await verifyImage(`${repo}@${digest}`, {
      keys: [
        readVectors<{ classicTagSignature: { publicKeyPem: string } }>('cosign/real-cosign-artifacts.json')
          .classicTagSignature.publicKeyPem,
      ],
      registry: fixture.client,
      ignoreTlog: true,
    }).catch((e: unknown) => e);
    expect((error as VerificationError).failures[0]?.reason).toBe('wrong-key');
  });
});
