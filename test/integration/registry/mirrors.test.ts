/** Real-world names served by a local registry through `mirrors`, with credentials kept to the host that gets them. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startDockerRegistry('basic');
});
afterAll(async () => registry?.close());

describe('mirrors', () => {
  it('sends ghcr.io/acme/app:1.0 to the local registry', async () => {
    const seen: RequestInfo[] = [];
    const client = new RegistryClient({
      dockerConfig: false,
      mirrors: { 'ghcr.io': registry.url },
      credentials: { [registry.host]: { username: registry.username, password: registry.password } },
      onRequest: (i) => seen.push(i),
    });
    const img = image();
    for (const b of [img.config, ...img.layers]) await client.pushBlob('ghcr.io/acme/app', b.bytes);
    await client.putManifest('ghcr.io/acme/app:1.0', img.manifest.bytes, img.manifest.mediaType);
    expect((await client.getManifest('ghcr.io/acme/app:1.0')).digest).toBe(img.manifest.digest);
    expect(seen.every((r) => r.url.startsWith(registry.url))).toBe(true);
    await client.close();
  });

  it('does not hand credentials meant for ghcr.io to the mirror', async () => {
    const client = new RegistryClient({
      dockerConfig: false,
      mirrors: { 'ghcr.io': registry.url },
      credentials: { 'ghcr.io': { username: registry.username, password: registry.password } },
    });
    await expect(client.getManifest('ghcr.io/acme/app:1.0')).rejects.toMatchObject({ code: 'REGISTRY_AUTH' });
    await client.close();
  });
});
