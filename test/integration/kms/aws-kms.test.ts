/**
 * AwsKmsSigner and createAwsKmsKey with the real, unmodified @aws-sdk/client-kms talking HTTP to our
 * KMS emulator (SigV4 checked). Signatures are checked with our keys layer and with `openssl dgst`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateKeyCommand,
  DisableKeyCommand,
  KMSClient,
  ScheduleKeyDeletionCommand,
} from '@aws-sdk/client-kms';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  InvalidKeyReferenceError,
  KmsAccessDeniedError,
  KmsKeyNotFoundError,
  KmsKeyUnusableError,
} from '../../../src/errors/index.js';
import { exportPublicKeyPem, verifySignature } from '../../../src/keys/index.js';
import { AwsKmsSigner, createAwsKmsKey } from '../../../src/kms/aws/index.js';
import { type RunningKmsEmulator, startKmsEmulator } from '../../../src/testing/index.js';

let kms: RunningKmsEmulator;
let client: KMSClient;
let options: { region: string; credentials: RunningKmsEmulator['credentials']; endpointUrl: string };
const dir = mkdtempSync(join(tmpdir(), 'ocisign-kms-'));
const data = new TextEncoder().encode('{"critical":{"type":"cosign container image signature"}}');

beforeAll(async () => {
  kms = await startKmsEmulator();
  options = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
  client = new KMSClient({ region: kms.region, endpoint: kms.endpoint, credentials: kms.credentials });
});
afterAll(async () => {
  client?.destroy();
  await kms?.close();
  rmSync(dir, { recursive: true, force: true });
});
beforeEach(() => kms.deny([]));

async function newKey(spec: string, usage = 'SIGN_VERIFY'): Promise<string> {
  const out = await client.send(
    new CreateKeyCommand({ KeySpec: spec as 'ECC_NIST_P256', KeyUsage: usage as 'SIGN_VERIFY' }),
  );
  return out.KeyMetadata?.KeyId as string;
}

function opensslVerifies(pem: string, digest: string, signature: Uint8Array): boolean {
  const pub = join(dir, 'k.pub');
  const sig = join(dir, 'k.sig');
  const msg = join(dir, 'k.msg');
  writeFileSync(pub, pem);
  writeFileSync(sig, signature);
  writeFileSync(msg, data);
  try {
    return /Verified OK/.test(
      execFileSync('openssl', ['dgst', `-${digest}`, '-verify', pub, '-signature', sig, msg], {
        encoding: 'utf8',
      }),
    );
  } catch {
    return false;
  }
}

describe('createAwsKmsKey (cosign generate-key-pair --kms)', () => {
  it('creates an ECC_NIST_P256 key behind the alias, then returns the same key without creating another', async () => {
    const before = kms.calls.CreateKey ?? 0;
    const first = await createAwsKmsKey('awskms:///alias/container-image-verification', options);
    expect(first.algorithm).toBe('ecdsa-p256');
    expect(kms.calls.CreateKey).toBe(before + 1);
    const again = await createAwsKmsKey('awskms:///alias/container-image-verification', options);
    expect(again.equals(first)).toBe(true);
    expect(kms.calls.CreateKey).toBe(before + 1);
  });

  it('refuses key-ID references, as cosign does', async () => {
    await expect(
      createAwsKmsKey('awskms:///1234abcd-12ab-34cd-56ef-1234567890ab', options),
    ).rejects.toBeInstanceOf(InvalidKeyReferenceError);
  });

  it('names kms:CreateKey when it is denied', async () => {
    kms.deny(['kms:CreateKey']);
    const error = await createAwsKmsKey('awskms:///alias/not-yet', options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsAccessDeniedError);
    expect((error as KmsAccessDeniedError).action).toBe('kms:CreateKey');
  });
});

describe.each([
  ['ECC_NIST_P256', 'sha256', 'ecdsa-p256'],
  ['ECC_NIST_P384', 'sha384', 'ecdsa-p384'],
  ['ECC_NIST_P521', 'sha512', 'ecdsa-p521'],
  ['RSA_2048', 'sha256', 'rsa-2048'],
  ['RSA_3072', 'sha256', 'rsa-3072'],
  ['RSA_4096', 'sha256', 'rsa-4096'],
])('signing with a %s key', (spec, digest, algorithm) => {
  it('produces signatures our keys layer and openssl verify with the exported public key', async () => {
    const keyId = await newKey(spec);
    const signer = new AwsKmsSigner(`awskms:///${keyId}`, options);
    const signature = await signer.sign(data);
    const publicKey = await signer.publicKey();
    expect(publicKey.algorithm).toBe(algorithm);
    expect(await verifySignature(publicKey, data, signature)).toBe(true);
    expect(await verifySignature(publicKey, data.subarray(1), signature)).toBe(false);
    expect(opensslVerifies(exportPublicKeyPem(publicKey), digest, signature)).toBe(true);
  });
});

describe('caching (300 s TTL like cosign)', () => {
  it('fetches the public key and metadata once for many signatures, and again after the TTL', async () => {
    const keyId = await newKey('ECC_NIST_P256');
    let now = 1_000_000;
    const signer = new AwsKmsSigner(`awskms:///${keyId}`, { ...options, now: () => now });
    const before = kms.calls.GetPublicKey ?? 0;
    for (let i = 0; i < 5; i++) await signer.sign(data);
    expect((kms.calls.GetPublicKey ?? 0) - before).toBe(1);
    now += 299_000;
    await signer.sign(data);
    expect((kms.calls.GetPublicKey ?? 0) - before).toBe(1);
    now += 2_000;
    await signer.sign(data);
    expect((kms.calls.GetPublicKey ?? 0) - before).toBe(2);
  });
});

describe('errors a person can act on', () => {
  it.each(['kms:Sign', 'kms:GetPublicKey', 'kms:DescribeKey'])(
    'denied %s names the action and the key',
    async (action) => {
      const keyId = await newKey('ECC_NIST_P256');
      kms.deny([action]);
      const error = await new AwsKmsSigner(`awskms:///${keyId}`, options).sign(data).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KmsAccessDeniedError);
      expect((error as KmsAccessDeniedError).action).toBe(action);
      expect((error as Error).message).toContain(keyId);
      expect((error as Error).message).toContain(action);
    },
  );

  it('an unknown alias is KmsKeyNotFoundError', async () => {
    await expect(
      new AwsKmsSigner('awskms:///alias/nobody-made-this', options).sign(data),
    ).rejects.toBeInstanceOf(KmsKeyNotFoundError);
  });

  it('a disabled key is refused before signing', async () => {
    const keyId = await newKey('ECC_NIST_P256');
    await client.send(new DisableKeyCommand({ KeyId: keyId }));
    const signs = kms.calls.Sign ?? 0;
    await expect(new AwsKmsSigner(`awskms:///${keyId}`, options).sign(data)).rejects.toBeInstanceOf(
      KmsKeyUnusableError,
    );
    expect(kms.calls.Sign ?? 0).toBe(signs);
  });

  it('a key pending deletion is refused', async () => {
    const keyId = await newKey('ECC_NIST_P256');
    await client.send(new ScheduleKeyDeletionCommand({ KeyId: keyId, PendingWindowInDays: 7 }));
    await expect(new AwsKmsSigner(`awskms:///${keyId}`, options).sign(data)).rejects.toBeInstanceOf(
      KmsKeyUnusableError,
    );
  });

  it('a key whose usage is not SIGN_VERIFY is refused before any Sign call', async () => {
    const keyId = await newKey('RSA_2048', 'ENCRYPT_DECRYPT');
    const signs = kms.calls.Sign ?? 0;
    const error = await new AwsKmsSigner(`awskms:///${keyId}`, options).sign(data).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsKeyUnusableError);
    expect((error as Error).message).toMatch(/SIGN_VERIFY/);
    expect(kms.calls.Sign ?? 0).toBe(signs);
  });

  it('a key spec cosign cannot use (secp256k1) is refused before signing', async () => {
    const keyId = await newKey('ECC_SECG_P256K1');
    await expect(new AwsKmsSigner(`awskms:///${keyId}`, options).sign(data)).rejects.toThrow(
      /ECC_SECG_P256K1/,
    );
  });

  it('wrong credentials (SigV4 mismatch) are an access error, without the secret in it', async () => {
    const keyId = await newKey('ECC_NIST_P256');
    const bad = new AwsKmsSigner(`awskms:///${keyId}`, {
      ...options,
      credentials: { ...kms.credentials, secretAccessKey: 'not-the-secret-123' },
    });
    const error = await bad.sign(data).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KmsAccessDeniedError);
    expect((error as Error).message).toMatch(/rejected the credentials/);
    expect((error as Error).message).not.toContain('not-the-secret-123');
  });
});

describe('throttling', () => {
  it('is retried by the SDK’s retry strategy', async () => {
    const keyId = await newKey('ECC_NIST_P256');
    const signer = new AwsKmsSigner(`awskms:///${keyId}`, options);
    await signer.publicKey();
    const before = kms.calls.Sign ?? 0;
    kms.throttle(2);
    const signature = await signer.sign(data);
    expect(await verifySignature(await signer.publicKey(), data, signature)).toBe(true);
    expect((kms.calls.Sign ?? 0) - before).toBe(3);
  });
});

describe('preflight', () => {
  it('passes with full access and names the missing action otherwise', async () => {
    const keyId = await newKey('ECC_NIST_P384');
    const signer = new AwsKmsSigner(`awskms:///${keyId}`, options);
    expect(await signer.preflight()).toMatchObject({ algorithm: 'ECDSA_SHA_384' });
    kms.deny(['kms:Sign']);
    await expect(signer.preflight()).rejects.toMatchObject({ action: 'kms:Sign' });
  });
});
