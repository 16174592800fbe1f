/**
 * Sign an image in both cosign formats and verify it — against the in-memory test registry, so it
 * runs anywhere. Against a real registry, drop startRegistry and use your image reference.
 *
 * Run: npm run build && node --import tsx examples/sign-verify.ts
 */
import { generateKeyPair, RegistryClient, signImage, VerificationError, verifyImage } from 'ocisign';
import { createSigner } from 'ocisign/keys';
import { MediaType } from 'ocisign/registry';
import { startRegistry } from 'ocisign/testing';

const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

// An image to sign.
const repo = `${registry.host}/acme/app`;
const layer = await client.pushBlob(repo, new TextEncoder().encode('layer'), {
  mediaType: MediaType.ociLayer,
});
const config = await client.pushBlob(
  repo,
  json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
  { mediaType: MediaType.ociConfig },
);
await client.putManifest(
  `${repo}:v1`,
  json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] }),
  MediaType.ociManifest,
);

const { privateKey, publicKey } = await generateKeyPair();
const signed = await signImage(`${repo}:v1`, {
  signer: createSigner(privateKey),
  registry: client,
  format: 'both',
  annotations: { env: 'prod' },
  onWarning: () => {},
});
console.log(`signed ${signed.digest} in ${signed.signatures.length} formats`);

const result = await verifyImage(`${repo}@${signed.digest}`, {
  keys: [publicKey],
  registry: client,
  ignoreTlog: true,
  annotations: { env: 'prod' },
});
console.log(`verified: ${result.signatures.map((s) => s.format).join(', ')}`);

const stranger = await generateKeyPair();
try {
  await verifyImage(`${repo}@${signed.digest}`, {
    keys: [stranger.publicKey],
    registry: client,
    ignoreTlog: true,
  });
} catch (error) {
  if (error instanceof VerificationError)
    console.log(`with another key: ${error.failures.map((f) => f.reason).join(', ')}`);
}
await client.close();
await registry.close();
