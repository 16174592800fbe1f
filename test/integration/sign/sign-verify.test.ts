/** signImage and verifyImage end to end against the real docker-registry (no referrers API). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerificationError } from '../../../src/errors/index.js';
import { signImage, verifyImage } from '../../../src/index.js';
import { createSigner, exportPublicKeyPem, generateKeyPair } from '../../../src/keys/index.js';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { type BuiltImage, image, index } from '../../helpers/images.js';

let registry: RunningRegistry;
let client: RegistryClient;
const requests: RequestInfo[] = [];
let alice: Awaited<ReturnType<typeof generateKeyPair>>;
let bob: Awaited<ReturnType<typeof generateKeyPair>>;

async function push(repo: string, tag: string, img: BuiltImage = image()): Promise<BuiltImage> {
  for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
  await client.putManifest(`${repo}:${tag}`, img.manifest.bytes, img.manifest.mediaType);
  return img;
}

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i) });
  alice = await generateKeyPair();
  bob = await generateKeyPair({ algorithm: 'ecdsa-p384' });
});
afterAll(async () => {
  await client?.close();
  await registry?.close();
});

describe('classic .sig signatures', () => {
  it('signs a tag by digest (with a warning) and verifies with the key; another key fails with a reason', async () => {
    const repo = `${registry.host}/acme/app`;
    const img = await push(repo, 'v1');
    const warnings: string[] = [];
    const signed = await signImage(`${repo}:v1`, {
      signer: createSigner(alice.privateKey),
      registry: client,
      annotations: { env: 'prod' },
      onWarning: (w) => warnings.push(w),
    });
    expect(signed.digest).toBe(img.manifest.digest);
    expect(warnings.join()).toMatch(/uses a tag, not a digest/);
    const result = await verifyImage(`${repo}@${img.manifest.digest}`, {
      keys: [exportPublicKeyPem(alice.publicKey)],
      registry: client,
      ignoreTlog: true,
      annotations: { env: 'prod' },
    });
    expect(result.signatures).toHaveLength(1);
    expect(result.signatures[0]).toMatchObject({
      format: 'simple-signing',
      keyIndex: 0,
      annotations: { env: 'prod' },
    });
    const error = await verifyImage(`${repo}@${img.manifest.digest}`, {
      keys: [bob.publicKey],
      registry: client,
      ignoreTlog: true,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(VerificationError);
    expect((error as VerificationError).failures.map((f) => f.reason)).toEqual(['wrong-key']);
  });

  it('refuses annotation mismatches and, without ignoreTlog, signatures with no tlog evidence', async () => {
    const repo = `${registry.host}/acme/app`;
    const digest = (await client.resolve(`${repo}:v1`)).digest;
    const mismatch = await verifyImage(`${repo}@${digest}`, {
      keys: [alice.publicKey],
      registry: client,
      ignoreTlog: true,
      annotations: { env: 'dev' },
    }).catch((e: unknown) => e);
    expect((mismatch as VerificationError).failures[0]?.reason).toBe('annotation-mismatch');
    const noTlog = await verifyImage(`${repo}@${digest}`, {
      keys: [alice.publicKey],
      registry: client,
    }).catch((e: unknown) => e);
    expect((noTlog as VerificationError).failures[0]?.reason).toBe('tlog-missing');
  });

  it('appends a second signer, skips an exact duplicate, and supports thresholds', async () => {
    const repo = `${registry.host}/acme/two`;
    const img = await push(repo, 'v1');
    const ref = `${repo}@${img.manifest.digest}`;
    await signImage(ref, { signer: createSigner(alice.privateKey), registry: client });
    const again = await signImage(ref, { signer: createSigner(alice.privateKey), registry: client });
    expect(again.signatures[0]?.duplicate).toBe(true);
    await signImage(ref, { signer: createSigner(bob.privateKey), registry: client });
    const result = await verifyImage(ref, {
      keys: [alice.publicKey, bob.publicKey],
      registry: client,
      ignoreTlog: true,
      threshold: 2,
    });
    expect(result.signatures.map((s) => s.keyIndex).sort()).toEqual([0, 1]);
    const third = await generateKeyPair();
    await expect(
      verifyImage(ref, {
        keys: [alice.publicKey, third.publicKey],
        registry: client,
        ignoreTlog: true,
        threshold: 2,
      }),
    ).rejects.toBeInstanceOf(VerificationError);
  });

  it('keeps all 10 signatures when 10 signers write at once', async () => {
    const repo = `${registry.host}/acme/race`;
    const img = await push(repo, 'v1');
    const ref = `${repo}@${img.manifest.digest}`;
    const signers = await Promise.all(Array.from({ length: 10 }, () => generateKeyPair()));
    await Promise.all(
      signers.map((s) =>
        signImage(ref, {
          signer: createSigner(s.privateKey),
          registry: new RegistryClient({ dockerConfig: false }),
        }),
      ),
    );
    const result = await verifyImage(ref, {
      keys: signers.map((s) => s.publicKey),
      registry: client,
      ignoreTlog: true,
      threshold: 10,
    });
    expect(new Set(result.signatures.map((s) => s.keyIndex)).size).toBe(10);
  });

  it('costs two sequential requests for a digest-pinned image (the .sig manifest, then payloads in parallel)', async () => {
    const repo = `${registry.host}/acme/two`;
    const digest = (await client.resolve(`${repo}:v1`)).digest;
    await verifyImage(`${repo}@${digest}`, {
      keys: [alice.publicKey, bob.publicKey],
      registry: client,
      ignoreTlog: true,
      formats: ['simple-signing'],
    });
    const before = requests.length;
    await verifyImage(`${repo}@${digest}`, {
      keys: [alice.publicKey, bob.publicKey],
      registry: client,
      ignoreTlog: true,
      formats: ['simple-signing'],
    });
    const made = requests.slice(before);
    expect(made.filter((r) => r.url.includes('/manifests/')).length).toBe(1);
    expect(made.filter((r) => r.url.includes('/blobs/')).length).toBe(2);
    expect(made.length).toBe(3);
  });

  it('with both formats looked up, stays at two sequential steps (fallback tag and .sig in parallel); a tag adds one GET', async () => {
    const repo = `${registry.host}/acme/two`;
    const digest = (await client.resolve(`${repo}:v1`)).digest;
    const keys = [alice.publicKey, bob.publicKey];
    await verifyImage(`${repo}@${digest}`, { keys, registry: client, ignoreTlog: true });
    let before = requests.length;
    await verifyImage(`${repo}@${digest}`, { keys, registry: client, ignoreTlog: true });
    const pinned = requests.slice(before);
    // step 1 (in parallel): the referrers fallback tag (404 here) and the .sig manifest; step 2: payloads.
    expect(
      pinned
        .filter((r) => r.url.includes('/manifests/'))
        .map((r) => r.status)
        .sort(),
    ).toEqual([200, 404]);
    expect(pinned.filter((r) => r.url.includes('/blobs/')).length).toBe(2);
    before = requests.length;
    await verifyImage(`${repo}:v1`, { keys, registry: client, ignoreTlog: true, onWarning: () => {} });
    expect(requests.length - before).toBe(pinned.length + 1);
  });

  it('writes and reads signatures in an alternate repository', async () => {
    const repo = `${registry.host}/acme/alt`;
    const img = await push(repo, 'v1');
    const ref = `${repo}@${img.manifest.digest}`;
    await signImage(ref, {
      signer: createSigner(alice.privateKey),
      registry: client,
      repository: `${registry.host}/sigs/alt`,
    });
    await expect(
      verifyImage(ref, { keys: [alice.publicKey], registry: client, ignoreTlog: true }),
    ).rejects.toMatchObject({ failures: [{ reason: 'none-found' }] });
    expect(
      (
        await verifyImage(ref, {
          keys: [alice.publicKey],
          registry: client,
          ignoreTlog: true,
          repository: `${registry.host}/sigs/alt`,
        })
      ).signatures,
    ).toHaveLength(1);
  });

  it('signs an index and every platform manifest recursively; verifies a platform', async () => {
    const repo = `${registry.host}/acme/multi`;
    const amd = image({ architecture: 'amd64' });
    const arm = image({ architecture: 'arm64' });
    for (const img of [amd, arm]) await push(repo, `p-${img.manifest.digest.slice(7, 15)}`, img);
    const idx = index([
      { image: amd, architecture: 'amd64' },
      { image: arm, architecture: 'arm64' },
    ]);
    await client.putManifest(`${repo}:latest`, idx.bytes, idx.mediaType);
    const signed = await signImage(`${repo}@${idx.digest}`, {
      signer: createSigner(alice.privateKey),
      registry: client,
      recursive: true,
    });
    expect(signed.signatures.map((s) => s.digest)).toEqual([
      idx.digest,
      amd.manifest.digest,
      arm.manifest.digest,
    ]);
    const result = await verifyImage(`${repo}@${idx.digest}`, {
      keys: [alice.publicKey],
      registry: client,
      ignoreTlog: true,
      platform: { os: 'linux', architecture: 'arm64' },
    });
    expect(result.digest).toBe(arm.manifest.digest);
  });

  it('returns payload and signature without pushing in detached mode', async () => {
    const repo = `${registry.host}/acme/detached`;
    const img = await push(repo, 'v1');
    const signed = await signImage(`${repo}@${img.manifest.digest}`, {
      signer: createSigner(alice.privateKey),
      registry: client,
      upload: false,
    });
    expect(signed.signatures[0]?.location).toBeUndefined();
    expect(new TextDecoder().decode(signed.signatures[0]?.payload)).toContain(img.manifest.digest);
    await expect(
      verifyImage(`${repo}@${img.manifest.digest}`, {
        keys: [alice.publicKey],
        registry: client,
        ignoreTlog: true,
      }),
    ).rejects.toMatchObject({ failures: [{ reason: 'none-found' }] });
  });
});

describe('cosign 3 bundles', () => {
  it('pushes a bundle referrer (fallback tag on this registry) that verifies, and bundles win over .sig', async () => {
    const repo = `${registry.host}/acme/bundled`;
    const img = await push(repo, 'v1');
    const ref = `${repo}@${img.manifest.digest}`;
    await signImage(ref, {
      signer: createSigner(bob.privateKey),
      registry: client,
      format: 'simple-signing',
    });
    const signed = await signImage(ref, {
      signer: createSigner(alice.privateKey),
      registry: client,
      format: 'bundle',
      annotations: { team: 'a' },
    });
    expect(signed.signatures[0]?.location).toMatch(/@sha256:/);
    expect(await client.listTags(repo)).toContain(img.manifest.digest.replace(':', '-'));
    const result = await verifyImage(ref, {
      keys: [alice.publicKey, bob.publicKey],
      registry: client,
      ignoreTlog: true,
      annotations: { team: 'a' },
    });
    expect(result.signatures.map((s) => [s.format, s.keyIndex])).toEqual([['bundle', 0]]);
    // Pinning the classic format still finds bob's .sig signature.
    const classic = await verifyImage(ref, {
      keys: [bob.publicKey],
      registry: client,
      ignoreTlog: true,
      formats: ['simple-signing'],
    });
    expect(classic.signatures[0]?.keyIndex).toBe(0);
    // A key inside a bundle is never trusted: bob's key does not verify alice's bundle.
    await expect(
      verifyImage(ref, { keys: [bob.publicKey], registry: client, ignoreTlog: true, formats: ['bundle'] }),
    ).rejects.toMatchObject({ failures: [{ reason: 'wrong-key' }] });
  });
});
