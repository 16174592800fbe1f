/**
 * The registry client against the in-memory test registry: push an image, resolve its tag in one
 * request, read a blob back verified, attach a referrer and find it again.
 *
 * Run: npm run build && node --import tsx examples/registry.ts
 */
import { computeDigest, MediaType, RegistryClient, type RequestInfo } from 'ocisign/registry';
import { startRegistry } from 'ocisign/testing';

const registry = await startRegistry();
const requests: RequestInfo[] = [];
const client = new RegistryClient({ dockerConfig: false, onRequest: (info) => requests.push(info) });
const repo = `${registry.host}/acme/app`;
const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

const layer = await client.pushBlob(repo, new TextEncoder().encode('hello, layer'), {
  mediaType: MediaType.ociLayer,
});
const config = await client.pushBlob(
  repo,
  json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  {
    mediaType: MediaType.ociConfig,
  },
);
const manifest = json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] });
await client.putManifest(`${repo}:v1`, manifest, MediaType.ociManifest);
console.log(`pushed ${repo}:v1 = ${computeDigest(manifest)}`);

const before = requests.length;
const resolved = await client.resolve(`${repo}:v1`);
console.log(`resolved v1 -> ${resolved.digest} in ${requests.length - before} request(s)`);

const bytes = await client.getBlobBytes(repo, layer.digest);
console.log(`layer: ${new TextDecoder().decode(bytes)}`);

const empty = await client.pushBlob(repo, json({}), { mediaType: MediaType.ociEmpty });
const note = await client.pushBlob(repo, json({ note: 'reviewed' }), { mediaType: 'application/json' });
const referrer = json({
  schemaVersion: 2,
  mediaType: MediaType.ociManifest,
  artifactType: 'application/vnd.example.review+json',
  config: { ...empty, mediaType: MediaType.ociEmpty },
  layers: [note],
  subject: resolved,
});
await client.pushReferrer(repo, referrer, MediaType.ociManifest);
const found = await client.referrers(repo, resolved.digest, {
  artifactType: 'application/vnd.example.review+json',
});
console.log(`referrers of v1: ${found.length}`);

await client.close();
await registry.close();
