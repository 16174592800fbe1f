/** HTTPS registries: a custom CA is trusted when given, and nothing else is. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryError } from '../../../src/errors/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';

let registry: RunningRegistry;
beforeAll(async () => {
  registry = await startDockerRegistry('basic', { tls: true });
});
afterAll(async () => registry?.close());

describe('HTTPS with a custom CA', () => {
  const credentials = () => ({
    [registry.host]: { username: registry.username, password: registry.password },
  });

  it('pushes and pulls over TLS when the CA is given', async () => {
    const client = new RegistryClient({
      dockerConfig: false,
      ca: registry.caPem as string,
      credentials: credentials(),
      mirrors: { 'registry.test': registry.url },
    });
    const img = image();
    for (const b of [img.config, ...img.layers]) await client.pushBlob('registry.test/acme/tls', b.bytes);
    await client.putManifest('registry.test/acme/tls:v1', img.manifest.bytes, img.manifest.mediaType);
    expect((await client.getManifest('registry.test/acme/tls:v1')).digest).toBe(img.manifest.digest);
    await client.close();
  });

  it('refuses the self-signed certificate without the CA, with a typed error', async () => {
    const client = new RegistryClient({
      dockerConfig: false,
      credentials: credentials(),
      mirrors: { 'registry.test': registry.url },
      retry: { retries: 0 },
    });
    const error = await client.getManifest('registry.test/acme/tls:v1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as Error).message).toMatch(/SELF_SIGNED|certificate|UNABLE_TO_VERIFY/i);
    await client.close();
  });
});
