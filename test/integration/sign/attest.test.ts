/** attestImage and verifyImageAttestations against the real docker-registry, both storage formats. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attestImage, signImage, verifyImageAttestations } from '../../../src/index.js';
import { createSigner, generateKeyPair } from '../../../src/keys/index.js';
import { RegistryClient, type RequestInfo } from '../../../src/registry/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';

let registry: RunningRegistry;
let client: RegistryClient;
const requests: RequestInfo[] = [];
let key: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  client = new RegistryClient({ dockerConfig: false, onRequest: (i) => requests.push(i) });
  key = await generateKeyPair();
});
afterAll(async () => {
  await client?.close();
  await registry?.close();
});

describe.each(['simple-signing', 'bundle'] as const)('attestations stored as %s', (format) => {
  it('verify, filter by predicate type, and refuse other keys', async () => {
    const repo = `${registry.host}/acme/att-${format}`;
    const img = image();
    for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
    await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
    const ref = `${repo}@${img.manifest.digest}`;
    const signer = createSigner(key.privateKey);
    await attestImage(ref, {
      signer,
      registry: client,
      format,
      predicateType: 'slsaprovenance1',
      predicate: { buildDefinition: { buildType: 'x' } },
    });
    await attestImage(ref, {
      signer,
      registry: client,
      format,
      predicateType: 'https://example.com/review/v1',
      predicate: { approved: true },
    });
    if (format === 'bundle') await signImage(ref, { signer, registry: client, format: 'bundle' });

    const all = await verifyImageAttestations(ref, {
      keys: [key.publicKey],
      registry: client,
      ignoreTlog: true,
    });
    expect(all.map((a) => a.predicateType).sort()).toEqual([
      'https://example.com/review/v1',
      'https://slsa.dev/provenance/v1',
    ]);
    // The digest each statement was verified against: the one a policy pins, never subject[0].
    expect(all.map((a) => a.digest)).toEqual([img.manifest.digest, img.manifest.digest]);

    const before = requests.length;
    const slsa = await verifyImageAttestations(ref, {
      keys: [key.publicKey],
      registry: client,
      ignoreTlog: true,
      predicateType: 'slsaprovenance1',
    });
    expect(slsa).toHaveLength(1);
    expect(slsa[0]?.statement.predicate).toEqual({ buildDefinition: { buildType: 'x' } });
    // The other attestation's blob was never fetched: filtered by annotation first.
    const blobGets = requests.slice(before).filter((r) => r.url.includes('/blobs/')).length;
    expect(blobGets).toBe(1);

    const other = await generateKeyPair();
    await expect(
      verifyImageAttestations(ref, { keys: [other.publicKey], registry: client, ignoreTlog: true }),
    ).rejects.toMatchObject({ code: 'VERIFICATION_FAILED' });
    await expect(
      verifyImageAttestations(ref, {
        keys: [key.publicKey],
        registry: client,
        ignoreTlog: true,
        predicateType: 'cyclonedx',
      }),
    ).rejects.toMatchObject({ failures: [{ reason: 'none-found' }] });
  });
});
