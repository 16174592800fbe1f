/** Signing images with an AWS KMS key (the real SDK against our emulator), verifying with its public key. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signImage, verifyImage } from '../../../src/index.js';
import { exportPublicKeyPem } from '../../../src/keys/index.js';
import { AwsKmsSigner, createAwsKmsKey } from '../../../src/kms/aws/index.js';
import { RegistryClient } from '../../../src/registry/index.js';
import { type RunningKmsEmulator, startKmsEmulator } from '../../../src/testing/index.js';
import { type RunningRegistry, startDockerRegistry } from '../../helpers/docker-registry.js';
import { image } from '../../helpers/images.js';

let registry: RunningRegistry;
let kms: RunningKmsEmulator;
let client: RegistryClient;

beforeAll(async () => {
  registry = await startDockerRegistry('none');
  kms = await startKmsEmulator();
  client = new RegistryClient({ dockerConfig: false });
});
afterAll(async () => {
  await client?.close();
  await kms?.close();
  await registry?.close();
});

describe('the reference workflow with AWS KMS', () => {
  it.each(['simple-signing', 'bundle'] as const)(
    'signs with awskms:///alias/… in the %s format and verifies with cosign.pub',
    async (format) => {
      const options = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
      const ref = `awskms:///alias/container-image-verification-${format}`;
      const cosignPub = exportPublicKeyPem(await createAwsKmsKey(ref, options));
      const repo = `${registry.host}/acme/kms-${format}`;
      const img = image();
      for (const b of [img.config, ...img.layers]) await client.pushBlob(repo, b.bytes);
      await client.putManifest(`${repo}:v1`, img.manifest.bytes, img.manifest.mediaType);
      await signImage(`${repo}@${img.manifest.digest}`, {
        signer: new AwsKmsSigner(ref, options),
        registry: client,
        format,
      });
      const result = await verifyImage(`${repo}:v1`, {
        keys: [cosignPub],
        registry: client,
        ignoreTlog: true,
      });
      expect(result.digest).toBe(img.manifest.digest);
      expect(result.signatures[0]?.format).toBe(format);
    },
  );
});
