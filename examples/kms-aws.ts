/**
 * The reference workflow's key step with AWS KMS — against the KMS emulator, so it runs anywhere:
 * create a key behind an alias (cosign generate-key-pair --kms), sign through KMS, verify locally.
 *
 * Run: npm run build && node --import tsx examples/kms-aws.ts
 */
import { exportPublicKeyPem, verifySignature } from 'ocisign/keys';
import { resolveSigner } from 'ocisign/kms';
import { createAwsKmsKey } from 'ocisign/kms/aws';
import { startKmsEmulator } from 'ocisign/testing';

const kms = await startKmsEmulator();
// Against real AWS, leave these out: region and credentials come from the SDK's default chain.
const awskms = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
const ref = 'awskms:///alias/container-image-verification';

const publicKey = await createAwsKmsKey(ref, awskms);
console.log(`cosign.pub for ${ref}:\n${exportPublicKeyPem(publicKey)}`);

const signer = await resolveSigner(ref, { providerOptions: { awskms } });
const payload = new TextEncoder().encode('{"critical":{"type":"cosign container image signature"}}');
const signature = await signer.sign(payload);
console.log(
  `KMS signature (${signature.length} bytes) verifies: ${await verifySignature(publicKey, payload, signature)}`,
);
await kms.close();
