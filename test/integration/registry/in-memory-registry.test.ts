/** The client against `startRegistry()` from ocisign/testing: the referrers API, pagination, auth. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryAuthError } from '../../../src/errors/index.js';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import { type RunningTestRegistry, startRegistry } from '../../../src/testing/index.js';
import { image, referrer } from '../../helpers/images.js';

async function pushImage(client: RegistryClient, repo: string, tag: string) {
  const img = image();
  for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
  await client.putManifest(`${repo}:${tag}`, img.manifest.bytes, img.manifest.mediaType);
  return img;
}

describe('startRegistry (in memory) with the referrers API', () => {
  let registry: RunningTestRegistry;
  let client: RegistryClient;
  const requests: RequestInfo[] = [];
  beforeAll(async () => {
    registry = await startRegistry({ maxPageSize: 4 });
    client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i) });
  });
  afterAll(async () => {
    await client.close();
    await registry.close();
  });

  it('follows Link pagination across pages', async () => {
    const repo = `${registry.host}/acme/paged`;
    const img = await pushImage(client, repo, 't00');
    const names = Array.from({ length: 11 }, (_, i) => `t${String(i).padStart(2, '0')}`);
    for (const tag of names)
      await client.putManifest(`${repo}:${tag}`, img.manifest.bytes, img.manifest.mediaType);
    const before = requests.length;
    expect(await client.listTags(repo, { pageSize: 4 })).toEqual(names);
    expect(requests.slice(before).length).toBe(3);
  });

  it('uses the referrers API (no fallback tag) and filters by artifactType', async () => {
    const repo = `${registry.host}/acme/app`;
    const img = await pushImage(client, repo, 'v1');
    const a = referrer(img.manifest, 'application/vnd.dev.sigstore.bundle.v0.3+json', '{"a":1}');
    const b = referrer(img.manifest, 'application/spdx+json', '{"b":1}');
    for (const r of [a, b]) {
      for (const x of [r.config, r.layer]) await client.pushBlob(repo, x.bytes);
      await client.pushReferrer(repo, r.manifest.bytes, r.manifest.mediaType);
    }
    expect((await client.referrers(repo, img.manifest.digest)).map((d) => d.digest).sort()).toEqual(
      [a.manifest.digest, b.manifest.digest].sort(),
    );
    const filtered = await client.referrers(repo, img.manifest.digest, {
      artifactType: 'application/spdx+json',
    });
    expect(filtered.map((d) => d.digest)).toEqual([b.manifest.digest]);
    expect(await client.listTags(repo)).toEqual(['v1']);
  });

  it.each(['null', '[]', '"x"', '7'])(
    'refuses a manifest that is JSON but not an object (%s) with MANIFEST_INVALID, storing nothing',
    async (body) => {
      const put = await fetch(`${registry.url}/v2/acme/odd/manifests/t`, {
        method: 'PUT',
        headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
        body,
      });
      expect(put.status).toBe(400);
      expect(((await put.json()) as { errors: Array<{ code: string }> }).errors[0]?.code).toBe(
        'MANIFEST_INVALID',
      );
      expect((await fetch(`${registry.url}/v2/acme/odd/manifests/t`)).status).toBe(404);
    },
  );
});

describe.each([
  ['basic', { type: 'basic', username: 'u', password: 'p4ss' }],
  ['bearer', { type: 'bearer', username: 'u', password: 'p4ss' }],
] as const)('startRegistry with %s auth', (_name, auth) => {
  let registry: RunningTestRegistry;
  beforeAll(async () => {
    registry = await startRegistry({ auth });
  });
  afterAll(async () => registry.close());

  it('serves clients with the credentials and refuses those without', async () => {
    const good = new RegistryClient({
      dockerConfig: false,
      credentials: { [registry.host]: { username: 'u', password: 'p4ss' } },
    });
    const img = await pushImage(good, `${registry.host}/x/y`, 'v1');
    expect((await good.getManifest(`${registry.host}/x/y:v1`)).digest).toBe(img.manifest.digest);
    const anonymous = new RegistryClient({ dockerConfig: false });
    await expect(anonymous.getManifest(`${registry.host}/x/y:v1`)).rejects.toBeInstanceOf(RegistryAuthError);
    await good.close();
    await anonymous.close();
  });
});
