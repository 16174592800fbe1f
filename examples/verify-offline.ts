/**
 * Gather once, judge offline: discover an image's signature evidence with a registry, stop the
 * registry, then verify the evidence with the pure judge — the same verdict `verifyImage` gives,
 * with no I/O. Useful to verify in an air-gapped step, to cache evidence, or to test policies.
 *
 * Run: npm run build && node --import tsx examples/verify-offline.ts
 */
import {
  discoverSignatures,
  generateKeyPair,
  judgeSignatures,
  RegistryClient,
  signImage,
  verifySignatureEvidence,
} from 'ocisign';
import { createSigner } from 'ocisign/keys';
import { MediaType } from 'ocisign/registry';
import { startRegistry } from 'ocisign/testing';

const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

// An image, signed in cosign 3's bundle format.
const repo = `${registry.host}/acme/app`;
const config = await client.pushBlob(repo, json({ architecture: 'amd64', os: 'linux' }), {
  mediaType: MediaType.ociConfig,
});
const image = await client.putManifest(
  `${repo}:v1`,
  json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [] }),
  MediaType.ociManifest,
);
const { privateKey, publicKey } = await generateKeyPair();
await signImage(`${repo}@${image.digest}`, {
  signer: createSigner(privateKey),
  registry: client,
  format: 'bundle',
});

// Gather: I/O only, nothing is trusted yet.
const evidence = await discoverSignatures(client, image.digest, { signatureRepository: repo });
console.log(`discovered ${evidence.bundles?.length ?? 0} bundle candidate(s) for ${evidence.digest}`);
await client.close();
await registry.close();

// Judge: pure and synchronous, the registry is gone.
const result = verifySignatureEvidence(evidence, { keys: [publicKey], ignoreTlog: true });
console.log(
  `registry stopped; judged offline: verified (${result.signatures[0]?.format}, key ${result.signatures[0]?.keyIndex})`,
);

const stranger = (await generateKeyPair()).publicKey;
const outcome = judgeSignatures(evidence, { keys: [stranger], ignoreTlog: true }).outcomes[0];
console.log(
  `with another key: ${outcome !== undefined && 'failure' in outcome ? outcome.failure.reason : 'verified'}`,
);
