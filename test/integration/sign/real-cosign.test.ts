/**
 * Real cosign output (shared/vectors/cosign/real-cosign-artifacts.json) pushed into the real registry,
 * then verified by verifyImage with the real public key — and tampered copies rejected. The bundle's
 * Rekor signed entry timestamp is checked offline against the public-good Rekor key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors/index.js';
import { verifyImage } from '../../../src/index.js';
import { generateKeyPair, importPublicKey } from '../../../src/keys/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { readVectors } from '../../helpers/vectors.js';

// biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
const real = readVectors<Record<string, any>>('cosign/real-cosign-artifacts.json');
const enc = (s: string) => new TextEncoder().encode(s);
let registry: RunningRegistry;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  client = new RegistryClient({ dockerConfig: false });
});
afterAll(async () => {
  await client?.close();
  await registry?.close();
});

async function pushClassic(
  repo: string,
  payload: string,
  signature: string,
  manifestText?: string,
): Promise<void> {
  const c = real.classicTagSignature;
  await client.pushBlob(repo, enc(payload));
  await client.pushBlob(repo, enc(c.configBlob));
  let manifest = manifestText ?? c.manifest;
  if (signature !== c.base64Signature) manifest = manifest.replace(c.base64Signature, signature);
  await client.putManifest(
    `${repo}:${c.signatureTag}`,
    enc(manifest),
    'application/vnd.oci.image.manifest.v1+json',
  );
}

describe('the real classic .sig capture (cosign v3.0.4)', () => {
  const c = real.classicTagSignature;

  it('verifies with the real public key', async () => {
    const repo = `${registry.host}/tobby/fixture`;
    await pushClassic(repo, c.payload, c.base64Signature);
    const result = await verifyImage(`${repo}@${c.subjectDigest}`, {
      keys: [c.publicKeyPem],
      registry: client,
      ignoreTlog: true,
    });
    expect(result.signatures).toHaveLength(1);
    expect(new TextDecoder().decode(result.signatures[0]?.payload)).toBe(c.payload);
  });

  it('is refused with another key, for another digest, or with a tampered signature', async () => {
    const repo = `${registry.host}/tobby/fixture`;
    const other = await generateKeyPair();
    await expect(
      verifyImage(`${repo}@${c.subjectDigest}`, {
        keys: [other.publicKey],
        registry: client,
        ignoreTlog: true,
      }),
    ).rejects.toMatchObject({ failures: [{ reason: 'wrong-key' }] });
    const tampered = `${registry.host}/tobby/tampered`;
    const bad = `${c.base64Signature.slice(0, 20)}${c.base64Signature[20] === 'A' ? 'B' : 'A'}${c.base64Signature.slice(21)}`;
    await pushClassic(tampered, c.payload, bad);
    await expect(
      verifyImage(`${tampered}@${c.subjectDigest}`, {
        keys: [c.publicKeyPem],
        registry: client,
        ignoreTlog: true,
      }),
    ).rejects.toBeInstanceOf(VerificationError);
  });

  it('refuses a tampered payload (one byte changed, manifest updated to match)', async () => {
    const repo = `${registry.host}/tobby/tampered-payload`;
    const payload = c.payload.replace('"optional":null', '"optional":{}');
    const { createHash } = await import('node:crypto');
    const oldDigest = `sha256:${createHash('sha256').update(c.payload).digest('hex')}`;
    const newDigest = `sha256:${createHash('sha256').update(payload).digest('hex')}`;
    const manifest = c.manifest
      .replace(oldDigest, newDigest)
      .replace(`"size":${c.payload.length}`, `"size":${payload.length}`);
    await pushClassic(repo, payload, c.base64Signature, manifest);
    await expect(
      verifyImage(`${repo}@${c.subjectDigest}`, {
        keys: [c.publicKeyPem],
        registry: client,
        ignoreTlog: true,
      }),
    ).rejects.toMatchObject({ failures: [{ reason: 'wrong-key' }] });
  });

  it('refuses a signature whose payload claims another digest (a swapped layer)', async () => {
    // The same signed payload placed under another image's .sig tag: the signature verifies, the claim does not.
    const otherDigest = `sha256:${'1'.repeat(64)}`;
    const repo = `${registry.host}/tobby/swapped`;
    await client.pushBlob(repo, enc(c.payload));
    await client.pushBlob(repo, enc(c.configBlob));
    await client.putManifest(
      `${repo}:sha256-${'1'.repeat(64)}.sig`,
      enc(c.manifest),
      'application/vnd.oci.image.manifest.v1+json',
    );
    await expect(
      verifyImage(`${repo}@${otherDigest}`, { keys: [c.publicKeyPem], registry: client, ignoreTlog: true }),
    ).rejects.toMatchObject({ failures: [{ reason: 'digest-mismatch' }] });
  });
});

describe('the real cosign v3.0.4 bundle referrer', () => {
  const r = real.newBundleReferrer;
  const trustedRoot = {
    tlogs: [
      {
        baseUrl: 'https://rekor.sigstore.dev',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: Buffer.from(importPublicKey(r.rekorPublicKeyPem).toDer()).toString('base64'),
          validFor: { start: '2021-01-12T11:53:27Z' },
        },
      },
    ],
  };

  beforeAll(async () => {
    const repo = `${registry.host}/tobby/bundle`;
    await client.pushBlob(repo, enc('{}'));
    await client.pushBlob(repo, enc(r.bundle));
    await client.pushReferrer(repo, enc(r.referrerManifest), 'application/vnd.oci.image.manifest.v1+json');
  });

  it('verifies with the real key, offline SET included', async () => {
    const ref = `${registry.host}/tobby/bundle@${r.subject.digest}`;
    const result = await verifyImage(ref, { keys: [r.publicKeyPem], registry: client, trustedRoot });
    expect(result.signatures[0]).toMatchObject({ format: 'bundle', keyIndex: 0 });
    expect(
      (await verifyImage(ref, { keys: [r.publicKeyPem], registry: client, ignoreTlog: true })).signatures,
    ).toHaveLength(1);
  });

  it('verifies with the Rekor key given directly (rekorPublicKeys) instead of a trusted root', async () => {
    const ref = `${registry.host}/tobby/bundle@${r.subject.digest}`;
    const result = await verifyImage(ref, {
      keys: [r.publicKeyPem],
      registry: client,
      rekorPublicKeys: [r.rekorPublicKeyPem],
    });
    expect(result.signatures[0]).toMatchObject({ format: 'bundle' });
    const otherRekor = await generateKeyPair();
    await expect(
      verifyImage(ref, { keys: [r.publicKeyPem], registry: client, rekorPublicKeys: [otherRekor.publicKey] }),
    ).rejects.toMatchObject({ failures: [{ reason: 'tlog-invalid' }] });
  });

  it('is refused without a trusted root (tlog evidence unchecked) or with a Rekor key it was not logged by', async () => {
    const ref = `${registry.host}/tobby/bundle@${r.subject.digest}`;
    await expect(verifyImage(ref, { keys: [r.publicKeyPem], registry: client })).rejects.toMatchObject({
      failures: [{ reason: 'tlog-missing' }],
    });
    const otherRekor = await generateKeyPair();
    const wrongRoot = {
      tlogs: [
        {
          publicKey: {
            rawBytes: Buffer.from(otherRekor.publicKey.toDer()).toString('base64'),
            validFor: { start: '2021-01-12T11:53:27Z' },
          },
        },
      ],
    };
    await expect(
      verifyImage(ref, { keys: [r.publicKeyPem], registry: client, trustedRoot: wrongRoot }),
    ).rejects.toMatchObject({ failures: [{ reason: 'tlog-invalid' }] });
  });

  it("is refused when the public-good root's Rekor key window does not hold the integrated time", async () => {
    // The real public-good trusted root, its Rekor v1 key's validFor moved in memory.
    // biome-ignore lint/suspicious/noExplicitAny: shared vector files are untyped JSON
    const publicGood = readVectors<Record<string, any>>(
      'keyless/trusted-roots/public-good-sigstore-tuf-4.0.2.json',
    );
    const T = Number(JSON.parse(r.bundle).verificationMaterial.tlogEntries[0].integratedTime);
    const at = (seconds: number) => new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
    const withRekorWindows = (...windows: object[]) => {
      const root = structuredClone(publicGood);
      const rekor = root.tlogs.find((t: { baseUrl: string }) => t.baseUrl === 'https://rekor.sigstore.dev');
      root.tlogs = [
        ...windows.map((validFor) => ({ ...rekor, publicKey: { ...rekor.publicKey, validFor } })),
        ...root.tlogs.filter((t: unknown) => t !== rekor),
      ];
      return root;
    };
    const ref = `${registry.host}/tobby/bundle@${r.subject.digest}`;
    const verify = (root: unknown, rekorPublicKeys?: string[]) =>
      verifyImage(ref, {
        keys: [r.publicKeyPem],
        registry: client,
        trustedRoot: root,
        ...(rekorPublicKeys === undefined ? {} : { rekorPublicKeys }),
      });

    expect((await verify(publicGood)).signatures).toHaveLength(1);
    const ended = withRekorWindows({ start: '2021-01-12T11:53:27Z', end: at(T - 1) });
    const failure = await verify(ended).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(VerificationError);
    expect((failure as VerificationError).failures).toMatchObject([
      {
        reason: 'tlog-invalid',
        message: `the trusted root's Rekor key for log c0d23d6ad406973f… is valid from 2021-01-12T11:53:27Z to ${at(T - 1)}, not at the entry's integrated time ${at(T)} (${T})`,
      },
    ]);
    await expect(verify(withRekorWindows({ start: at(T + 1) }))).rejects.toMatchObject({
      failures: [{ reason: 'tlog-invalid' }],
    });
    // Rotation: the same key listed again from the integrated time on; boundaries inclusive.
    expect(
      (await verify(withRekorWindows({ start: '2021-01-12T11:53:27Z', end: at(T - 1) }, { start: at(T) })))
        .signatures,
    ).toHaveLength(1);
    expect(
      (await verify(withRekorWindows({ start: '2021-01-12T11:53:27Z', end: at(T) }))).signatures,
    ).toHaveLength(1);
    // The same key given directly (rekorPublicKeys) has no window.
    expect((await verify(ended, [r.rekorPublicKeyPem])).signatures).toHaveLength(1);
  });

  it('never trusts the key a bundle names: another trusted key fails', async () => {
    const other = await generateKeyPair();
    await expect(
      verifyImage(`${registry.host}/tobby/bundle@${r.subject.digest}`, {
        keys: [other.publicKey],
        registry: client,
        ignoreTlog: true,
      }),
    ).rejects.toMatchObject({
      failures: [{ reason: 'wrong-key' }],
    });
  });
});
