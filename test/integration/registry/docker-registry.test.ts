/**
 * The registry client against the real CNCF distribution registry (Debian's docker-registry), in
 * its three auth modes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, RegistryAuthError } from '../../../src/errors/index.js';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import {
  type RegistryAuthMode,
  type RunningRegistry,
  startDockerRegistry,
} from '../../helpers/docker-registry.js';
import { blob, image, index, referrer } from '../../helpers/images.js';

async function collect(iterable: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of iterable) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

describe.each(['none', 'basic', 'token'] as RegistryAuthMode[])('docker-registry with auth=%s', (mode) => {
  let registry: RunningRegistry;
  let client: RegistryClient;
  const requests: RequestInfo[] = [];

  beforeAll(async () => {
    registry = await startDockerRegistry(mode);
    client = new RegistryClient({
      dockerConfig: false,
      credentials:
        mode === 'none'
          ? {}
          : { [registry.host]: { username: registry.username, password: registry.password } },
      onRequest: (info) => requests.push(info),
    });
  });
  afterAll(async () => {
    await client?.close();
    await registry?.close();
  });

  it('pushes an image (blobs, then manifest by tag) and reads it back verified', async () => {
    const repo = `${registry.host}/acme/app`;
    const img = image();
    for (const b of [img.config, ...img.layers])
      await client.pushBlob(repo, b.bytes, { mediaType: b.mediaType });
    const pushed = await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
    expect(pushed.digest).toBe(img.manifest.digest);

    const fetched = await client.getManifest(`${repo}:v1`);
    expect(fetched.digest).toBe(img.manifest.digest);
    expect(Buffer.from(fetched.bytes).equals(Buffer.from(img.manifest.bytes))).toBe(true);
    expect(fetched.mediaType).toBe('application/vnd.oci.image.manifest.v1+json');

    const byDigest = await client.getManifest(`${repo}@${img.manifest.digest}`);
    expect(byDigest.digest).toBe(img.manifest.digest);

    const layer = img.layers[0] as ReturnType<typeof blob>;
    expect(
      Buffer.from(await collect(client.getBlob(repo, layer.digest, { size: layer.size }))).equals(
        Buffer.from(layer.bytes),
      ),
    ).toBe(true);
    expect(
      Buffer.from(await client.getBlobBytes(repo, img.config.digest)).equals(Buffer.from(img.config.bytes)),
    ).toBe(true);
    expect(await client.blobExists(repo, layer.digest)).toBe(true);
    expect(await client.blobExists(repo, blob('absent').digest)).toBe(false);
  });

  it('resolves a tag with one GET and no HEAD', async () => {
    const repo = `${registry.host}/acme/app`;
    await client.resolve(`${repo}:v1`); // warm: auth learned
    const before = requests.length;
    const descriptor = await client.resolve(`${repo}:v1`);
    const made = requests.slice(before);
    expect(descriptor.digest).toMatch(/^sha256:/);
    expect(made.map((r) => `${r.method} ${r.status}`)).toEqual(['GET 200']);
  });

  it('uploads in PATCH chunks and mounts across repositories', async () => {
    const repo = `${registry.host}/acme/chunked`;
    const big = blob(new Uint8Array(300_000).map((_, i) => i % 251));
    const progress: number[] = [];
    await client.pushBlob(repo, big.bytes, {
      chunkSize: 64 * 1024,
      onProgress: (sent) => progress.push(sent),
    });
    expect(progress.at(-1)).toBe(big.size);
    expect(progress.length).toBeGreaterThan(3);
    expect(Buffer.from(await client.getBlobBytes(repo, big.digest)).equals(Buffer.from(big.bytes))).toBe(
      true,
    );

    const other = `${registry.host}/acme/mounted`;
    expect(await client.mountBlob(other, big.digest, repo)).toBe(true);
    expect(await client.blobExists(other, big.digest)).toBe(true);
  });

  it('pushes and reads an index of platform manifests', async () => {
    const repo = `${registry.host}/acme/multi`;
    const amd = image({ architecture: 'amd64' });
    const arm = image({ architecture: 'arm64' });
    for (const img of [amd, arm]) {
      for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
      await client.putManifest(`${repo}@${img.manifest.digest}`, img.manifest.bytes, img.manifest.mediaType);
    }
    const idx = index([
      { image: amd, architecture: 'amd64' },
      { image: arm, architecture: 'arm64' },
    ]);
    await client.putManifest(`${repo}:latest`, idx.bytes, idx.mediaType);
    const fetched = await client.getManifest(`${repo}:latest`);
    expect(fetched.digest).toBe(idx.digest);
    expect(
      'manifests' in fetched.manifest && fetched.manifest.manifests.map((m) => m.platform?.architecture),
    ).toEqual(['amd64', 'arm64']);
  });

  it('lists every tag (distribution 2.8 ignores the page size; pagination is covered against startRegistry)', async () => {
    const repo = `${registry.host}/acme/tags`;
    const img = image();
    for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
    const names = Array.from({ length: 7 }, (_, i) => `t${i}`);
    for (const tag of names)
      await client.putManifest(`${repo}:${tag}`, img.manifest.bytes, img.manifest.mediaType);
    const tags = await client.listTags(repo, { pageSize: 3 });
    expect(tags.sort()).toEqual(names);
  });

  it('stores referrers under the fallback tag (this registry has no referrers API) and finds them by artifactType', async () => {
    const repo = `${registry.host}/acme/app`;
    const subject = (await client.getManifest(`${repo}:v1`)).digest;
    const subjectBlob = {
      ...blob('x'),
      digest: subject,
      size: (await client.getManifest(`${repo}:v1`)).size,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
    };
    const a = referrer(subjectBlob, 'application/vnd.dev.sigstore.bundle.v0.3+json', '{"a":1}');
    const b = referrer(subjectBlob, 'application/spdx+json', '{"b":2}');
    for (const r of [a, b]) {
      for (const x of [r.config, r.layer]) await client.pushBlob(repo, x.bytes);
      await client.pushReferrer(repo, r.manifest.bytes, r.manifest.mediaType);
    }
    const all = await client.referrers(repo, subject);
    expect(all.map((d) => d.digest).sort()).toEqual([a.manifest.digest, b.manifest.digest].sort());
    const bundles = await client.referrers(repo, subject, {
      artifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
    });
    expect(bundles.map((d) => d.digest)).toEqual([a.manifest.digest]);
    const tags = await client.listTags(repo);
    expect(tags).toContain(subject.replace(':', '-'));
    // No referrers at all: an empty list, not an error.
    expect(await client.referrers(repo, blob('nothing refers to me').digest)).toEqual([]);
  });

  it('reports a missing manifest as NotFoundError', async () => {
    await expect(client.getManifest(`${registry.host}/acme/app:nope`)).rejects.toBeInstanceOf(NotFoundError);
  });

  if (mode !== 'none') {
    it('refuses wrong credentials with RegistryAuthError, without echoing them', async () => {
      const bad = new RegistryClient({
        dockerConfig: false,
        credentials: { [registry.host]: { username: registry.username, password: 'wrong-password-xyz' } },
      });
      const error = await bad.getManifest(`${registry.host}/acme/app:v1`).catch((e: unknown) => e);
      await bad.close();
      expect(error).toBeInstanceOf(RegistryAuthError);
      expect(String((error as Error).message)).not.toContain('wrong-password-xyz');
      expect(JSON.stringify(error)).not.toContain('wrong-password-xyz');
    });
  }

  if (mode === 'token') {
    it('caches tokens per scope: a warm pull asks the token server nothing', async () => {
      const server = registry.tokenServer as NonNullable<RunningRegistry['tokenServer']>;
      await client.getManifest(`${registry.host}/acme/app:v1`);
      const before = server.requests;
      await client.getManifest(`${registry.host}/acme/app:v1`);
      await client.getManifest(`${registry.host}/acme/app:v1`);
      expect(server.requests).toBe(before);
    });

    it('exchanges a refresh token (identitytoken) at the token endpoint', async () => {
      const server = registry.tokenServer as NonNullable<RunningRegistry['tokenServer']>;
      const refreshing = new RegistryClient({
        dockerConfig: false,
        credentials: { [registry.host]: { identityToken: server.refreshToken } },
      });
      const fetched = await refreshing.getManifest(`${registry.host}/acme/app:v1`);
      await refreshing.close();
      expect(fetched.digest).toMatch(/^sha256:/);
    });

    it('reads anonymously where the token service allows it, and is refused where it does not', async () => {
      const anonymous = new RegistryClient({ dockerConfig: false });
      const repo = `${registry.host}/public/app`;
      const img = image();
      for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
      await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
      expect((await anonymous.getManifest(`${repo}:v1`)).digest).toBe(img.manifest.digest);
      await expect(anonymous.getManifest(`${registry.host}/acme/app:v1`)).rejects.toBeInstanceOf(
        RegistryAuthError,
      );
      await anonymous.close();
    });
  }
});
