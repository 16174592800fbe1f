/**
 * `npm run demo`: the reference workflow, offline — an AWS KMS key (against the KMS emulator) signs an
 * image in a registry (the in-memory test registry); verification with the exported cosign.pub admits
 * the signed image and refuses an unsigned one. Kyverno policy evaluation joins when ocisign/policy lands.
 */
import { exportPublicKeyPem, RegistryClient, signImage, VerificationError, verifyImage } from 'ocisign';
import { AwsKmsSigner, createAwsKmsKey } from 'ocisign/kms/aws';
import { MediaType } from 'ocisign/registry';
import { startKmsEmulator, startRegistry } from 'ocisign/testing';

const kms = await startKmsEmulator();
const registry = await startRegistry();
const client = new RegistryClient({ dockerConfig: false });
const awskms = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
const keyRef = 'awskms:///alias/container-image-verification';

console.log('1. cosign generate-key-pair --kms', keyRef);
const cosignPub = exportPublicKeyPem(await createAwsKmsKey(keyRef, awskms));
console.log(cosignPub.trim());

async function pushImage(name: string): Promise<string> {
  const json = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
  const repo = `${registry.host}/demo/${name}`;
  const layer = await client.pushBlob(repo, new TextEncoder().encode(`layer of ${name}`), {
    mediaType: MediaType.ociLayer,
  });
  const config = await client.pushBlob(
    repo,
    json({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [layer.digest] } }),
    {
      mediaType: MediaType.ociConfig,
    },
  );
  await client.putManifest(
    `${repo}:v1`,
    json({ schemaVersion: 2, mediaType: MediaType.ociManifest, config, layers: [layer] }),
    MediaType.ociManifest,
  );
  return `${repo}:v1`;
}

const signed = await pushImage('signed');
const unsigned = await pushImage('unsigned');
console.log(`\n2. pushed ${signed} and ${unsigned}`);

const result = await signImage(signed, {
  signer: new AwsKmsSigner(keyRef, awskms),
  registry: client,
  onWarning: () => {},
});
console.log(
  `\n3. cosign sign --key ${keyRef} ${signed}\n   signed ${result.digest} -> ${result.signatures[0]?.location}`,
);

console.log('\n4. cosign verify --key cosign.pub (no tlog: --insecure-ignore-tlog)');
for (const image of [signed, unsigned]) {
  try {
    const verified = await verifyImage(image, {
      keys: [cosignPub],
      registry: client,
      ignoreTlog: true,
      onWarning: () => {},
    });
    console.log(`   ${image}: verified (${verified.signatures.length} signature)`);
  } catch (error) {
    if (!(error instanceof VerificationError)) throw error;
    console.log(`   ${image}: refused (${error.failures.map((f) => f.reason).join(', ')})`);
  }
}
await client.close();
await registry.close();
await kms.close();
