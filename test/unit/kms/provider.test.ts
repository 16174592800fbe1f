import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  InvalidKeyReferenceError,
  PasswordRequiredError,
  WrongPasswordError,
} from '../../../src/errors/index.js';
import {
  createSigner,
  encryptCosignPrivateKey,
  exportPrivateKeyPem,
  generateKeyPair,
  verifySignature,
} from '../../../src/keys/index.js';
import { type KeyProvider, registerKeyProvider, resolveSigner } from '../../../src/kms/index.js';
import { type RunningKmsEmulator, startKmsEmulator } from '../../../src/testing/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-provider-'));
const data = new TextEncoder().encode('payload');
let pair: Awaited<ReturnType<typeof generateKeyPair>>;
let encryptedPath: string;
let emptyPasswordPath: string;

beforeAll(async () => {
  pair = await generateKeyPair();
  encryptedPath = join(dir, 'cosign.key');
  writeFileSync(encryptedPath, await encryptCosignPrivateKey(pair.privateKey, 'hunter2', { scryptN: 32768 }));
  emptyPasswordPath = join(dir, 'empty.key');
  writeFileSync(emptyPasswordPath, await encryptCosignPrivateKey(pair.privateKey, '', { scryptN: 32768 }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function signsAsPair(ref: string, options: Parameters<typeof resolveSigner>[1]): Promise<boolean> {
  const signer = await resolveSigner(ref, options);
  return verifySignature(pair.publicKey, data, await signer.sign(data));
}

describe('resolveSigner: files', () => {
  it('reads a cosign encrypted key with the password option', async () => {
    expect(await signsAsPair(encryptedPath, { password: 'hunter2' })).toBe(true);
  });

  it('falls back to COSIGN_PASSWORD, and an empty COSIGN_PASSWORD is a password', async () => {
    expect(await signsAsPair(encryptedPath, { env: { COSIGN_PASSWORD: 'hunter2' } })).toBe(true);
    expect(await signsAsPair(emptyPasswordPath, { env: { COSIGN_PASSWORD: '' } })).toBe(true);
    await expect(resolveSigner(encryptedPath, { env: {} })).rejects.toBeInstanceOf(PasswordRequiredError);
    await expect(resolveSigner(encryptedPath, { env: { COSIGN_PASSWORD: 'nope' } })).rejects.toBeInstanceOf(
      WrongPasswordError,
    );
  });

  it('reads file:// URLs and unencrypted PEM', async () => {
    const plain = join(dir, 'plain.pem');
    writeFileSync(plain, exportPrivateKeyPem(pair.privateKey));
    expect(await signsAsPair(`file://${plain}`, { env: {} })).toBe(true);
  });

  it('says which file is missing', async () => {
    await expect(resolveSigner(join(dir, 'absent.key'), { env: {} })).rejects.toThrow(/no such file/);
  });
});

describe('resolveSigner: env:// and schemes', () => {
  it('reads a PEM key from an environment variable', async () => {
    expect(
      await signsAsPair('env://SIGNING_KEY', { env: { SIGNING_KEY: exportPrivateKeyPem(pair.privateKey) } }),
    ).toBe(true);
    await expect(resolveSigner('env://MISSING', { env: {} })).rejects.toBeInstanceOf(
      InvalidKeyReferenceError,
    );
  });

  it('refuses unknown schemes, naming registerKeyProvider', async () => {
    await expect(resolveSigner('gcpkms://projects/p/locations/l/keyRings/r/cryptoKeys/k')).rejects.toThrow(
      /registerKeyProvider\('gcpkms'/,
    );
    await expect(resolveSigner('pkcs11:token=t;object=o')).rejects.toThrow(/pkcs11/);
  });

  it('uses registered providers (the seam for GCP KMS, Azure Key Vault, Vault transit, PKCS#11)', async () => {
    const seen: string[] = [];
    const provider: KeyProvider = {
      async signer(ref) {
        seen.push(ref);
        return createSigner(pair.privateKey);
      },
    };
    registerKeyProvider('hashivault', provider);
    expect(await signsAsPair('hashivault://my-key', {})).toBe(true);
    expect(seen).toEqual(['hashivault://my-key']);
    expect(() => registerKeyProvider('Bad://', provider)).toThrow(InvalidArgumentError);
  });
});

describe('resolveSigner: awskms://', () => {
  let kms: RunningKmsEmulator;
  beforeAll(async () => {
    kms = await startKmsEmulator();
  });
  afterAll(async () => kms.close());

  it('creates an AwsKmsSigner with provider options', async () => {
    const awskms = { region: kms.region, credentials: kms.credentials, endpointUrl: kms.endpoint };
    const { createAwsKmsKey } = await import('../../../src/kms/aws/index.js');
    const publicKey = await createAwsKmsKey('awskms:///alias/provider-test', awskms);
    const signer = await resolveSigner('awskms:///alias/provider-test', { providerOptions: { awskms } });
    expect(await verifySignature(publicKey, data, await signer.sign(data))).toBe(true);
  });

  it('refuses a malformed awskms reference', async () => {
    await expect(resolveSigner('awskms://1234abcd-12ab-34cd-56ef-1234567890ab')).rejects.toBeInstanceOf(
      InvalidKeyReferenceError,
    );
  });
});
