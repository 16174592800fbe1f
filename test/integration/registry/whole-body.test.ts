/**
 * Small documents are read whole by the exchange itself (transport/whole-body.ts), not through a
 * body stream: the bytes, the limits and the failures must be exactly what the stream gave —
 * a body without Content-Length refused as soon as it passes the limit (not at a timeout), an
 * error body still read for the registry's message, a body cut mid-transfer a typed error.
 */
import { describe, expect, it } from 'vitest';
import { NotFoundError, RegistryError, SizeLimitError } from '../../../src/errors/index.js';
import { hostileTestbed, sha256Digest } from '../../helpers/malicious-registry.js';

const testbed = hostileTestbed({ timeoutMs: 5000, bodyTimeoutMs: 5000 }, { closeWithinMs: 2000 });

const manifest = JSON.stringify({
  schemaVersion: 2,
  mediaType: 'application/vnd.oci.image.manifest.v1+json',
  config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256Digest('{}'), size: 2 },
  layers: [],
});

describe('small documents read whole', () => {
  it('returns the bytes as served, checked against their digest', async () => {
    const registry = await testbed.server(() => ({
      headers: {
        'content-type': 'application/vnd.oci.image.manifest.v1+json',
        'docker-content-digest': sha256Digest(manifest),
      },
      body: manifest,
    }));
    const got = await testbed.client().getManifest(`${registry.host}/app:v1`);
    expect(new TextDecoder().decode(got.bytes)).toBe(manifest);
    expect(got.digest).toBe(sha256Digest(manifest));
  });

  it('refuses a body without Content-Length as soon as it passes the limit, without waiting for the rest', async () => {
    const big = 'x'.repeat(4096);
    // Headers, then 4 KiB with no length and no end: only the limit can stop the read.
    const registry = await testbed.server(() => ({ body: big, stallBody: true }));
    const c = testbed.client({ maxManifestBytes: 1024 });
    const started = Date.now();
    await expect(c.getManifest(`${registry.host}/app:v1`)).rejects.toBeInstanceOf(SizeLimitError);
    await expect(
      c.getBlobBytes(`${registry.host}/app`, sha256Digest(big), { maxBytes: 1024 }),
    ).rejects.toThrow(SizeLimitError);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("still reads an error response's body for the registry's words", async () => {
    const registry = await testbed.server(() => ({
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'no such manifest here' }] }),
    }));
    const error = await testbed
      .client()
      .getManifest(`${registry.host}/app:v1`)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain('MANIFEST_UNKNOWN');
    expect((error as Error).message).toContain('no such manifest here');
  });

  it('types a body that stops before its declared length', async () => {
    const registry = await testbed.server(() => ({
      headers: { 'content-length': String(manifest.length + 100) },
      body: manifest,
      stallBody: true,
    }));
    const c = testbed.client({ bodyTimeoutMs: 300 });
    const error = await c.getManifest(`${registry.host}/app:v1`).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
  });
});
