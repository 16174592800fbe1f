/** skopeo (Debian's package) as a peer OCI client against the real docker-registry. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';
import { writeOciLayout } from '../../helpers/oci-layout.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-skopeo-'));
let registry: RunningRegistry;
let client: RegistryClient;

function skopeo(...args: string[]): string {
  return execFileSync('skopeo', ['--insecure-policy', ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 60_000,
  });
}

beforeAll(async () => {
  registry = await startDockerRegistry('basic');
  client = new RegistryClient({
    dockerConfig: false,
    credentials: { [registry.host]: { username: registry.username, password: registry.password } },
  });
});
afterAll(async () => {
  await client?.close();
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('skopeo interop', () => {
  it('reads an image skopeo pushed, with identical digests', async () => {
    const img = image({ layerBytes: 50_000 });
    const layout = join(dir, 'source');
    writeOciLayout(layout, img, 'v1');
    skopeo(
      'copy',
      '--preserve-digests',
      '--dest-tls-verify=false',
      '--dest-creds',
      `${registry.username}:${registry.password}`,
      `oci:${layout}:v1`,
      `docker://${registry.host}/from-skopeo/app:v1`,
    );
    const fetched = await client.getManifest(`${registry.host}/from-skopeo/app:v1`);
    expect(fetched.digest).toBe(img.manifest.digest);
    const layer = img.layers[0] as { digest: string; bytes: Uint8Array };
    expect(
      Buffer.from(await client.getBlobBytes(`${registry.host}/from-skopeo/app`, layer.digest)).equals(
        Buffer.from(layer.bytes),
      ),
    ).toBe(true);
  });

  it('skopeo inspects and copies an image we pushed', async () => {
    const img = image({ layerBytes: 50_000 });
    const repo = `${registry.host}/from-ocisign/app`;
    for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
    await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
    const creds = `${registry.username}:${registry.password}`;
    const inspected = JSON.parse(
      skopeo('inspect', '--tls-verify=false', '--creds', creds, `docker://${repo}:v1`),
    );
    expect(inspected.Digest).toBe(img.manifest.digest);
    const raw = skopeo('inspect', '--raw', '--tls-verify=false', '--creds', creds, `docker://${repo}:v1`);
    expect(raw).toBe(Buffer.from(img.manifest.bytes).toString('utf8'));
    const out = join(dir, 'copied');
    skopeo(
      'copy',
      '--preserve-digests',
      '--src-tls-verify=false',
      '--src-creds',
      creds,
      `docker://${repo}:v1`,
      `oci:${out}:v1`,
    );
    const blobs = readdirSync(join(out, 'blobs', 'sha256'));
    for (const b of [img.config, ...img.layers, img.manifest]) expect(blobs).toContain(b.digest.slice(7));
  });
});
