/**
 * AwsKmsSigner against a KMS endpoint that answers with hostile shapes (a proxy, an emulator, a
 * compromised endpoint): every malformed DescribeKey / GetPublicKey answer is a typed
 * KmsKeyUnusableError naming the response and the field, never a TypeError, and a key spec named
 * after an Object.prototype member is an unknown spec, not a table hit.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { KmsKeyUnusableError } from '../../../src/errors/kms.js';
import { AwsKmsSigner, type KmsClientLike } from '../../../src/kms/aws/index.js';

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const spki = new Uint8Array(publicKey.export({ type: 'spki', format: 'der' }));
const data = new TextEncoder().encode('payload');
const REF = 'awskms:///alias/hostile';
const GOOD_METADATA = {
  KeySpec: 'ECC_NIST_P256',
  KeyUsage: 'SIGN_VERIFY',
  KeyState: 'Enabled',
  SigningAlgorithms: ['ECDSA_SHA_256'],
};

/** A client answering DescribeKey and GetPublicKey with the given (possibly hostile) values. */
function client(describe: unknown, getPublicKey: unknown = { PublicKey: spki }): KmsClientLike {
  return {
    async send(command) {
      const name = (command as object).constructor.name;
      if (name === 'DescribeKeyCommand') return describe;
      if (name === 'GetPublicKeyCommand') return getPublicKey;
      if (name === 'SignCommand') return { Signature: new Uint8Array([0x30, 0x00]) };
      throw new Error(`unexpected ${name}`);
    },
  };
}

async function failure(kms: KmsClientLike): Promise<unknown> {
  return new AwsKmsSigner(REF, { client: kms }).sign(data).catch((e: unknown) => e);
}

describe('AwsKmsSigner: hostile DescribeKey responses', () => {
  it.each([
    [
      'SigningAlgorithms is a string',
      { KeyMetadata: { ...GOOD_METADATA, SigningAlgorithms: 'ECDSA_SHA_256' } },
      /SigningAlgorithms/,
    ],
    [
      'SigningAlgorithms is an object',
      { KeyMetadata: { ...GOOD_METADATA, SigningAlgorithms: { length: 1 } } },
      /SigningAlgorithms/,
    ],
    [
      'SigningAlgorithms holds a number',
      { KeyMetadata: { ...GOOD_METADATA, SigningAlgorithms: [7] } },
      /SigningAlgorithms\/0/,
    ],
    ['KeySpec is a number', { KeyMetadata: { ...GOOD_METADATA, KeySpec: 256 } }, /KeySpec/],
    ['KeyMetadata is a string', { KeyMetadata: 'ECC_NIST_P256' }, /KeyMetadata/],
    ['KeyMetadata is an array', { KeyMetadata: [GOOD_METADATA] }, /KeyMetadata/],
    ['the response is null', null, /DescribeKey/],
    ['the response is a string', 'ok', /DescribeKey/],
  ])('%s: KmsKeyUnusableError naming the field', async (_name, response, field) => {
    const error = await failure(client(response));
    expect(error).toBeInstanceOf(KmsKeyUnusableError);
    expect((error as Error).message).toMatch(field);
    expect((error as KmsKeyUnusableError).keyId).toBe('alias/hostile');
  });

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
    'KeySpec %j is an unknown spec, not an Object.prototype member',
    async (spec) => {
      const error = await failure(client({ KeyMetadata: { ...GOOD_METADATA, KeySpec: spec } }));
      expect(error).toBeInstanceOf(KmsKeyUnusableError);
      expect((error as Error).message).toMatch(/cannot make cosign-compatible signatures/);
    },
  );

  it('a KeySpec only inherited from the prototype is not read', async () => {
    const metadata = Object.create({ KeySpec: 'ECC_NIST_P256' }) as Record<string, unknown>;
    Object.assign(metadata, { KeyUsage: 'SIGN_VERIFY', KeyState: 'Enabled' });
    const error = await failure(client({ KeyMetadata: metadata }));
    expect(error).toBeInstanceOf(KmsKeyUnusableError);
  });

  it('Go-style nulls read as absent, and a well-formed key still signs', async () => {
    const signer = new AwsKmsSigner(REF, {
      client: client({ KeyMetadata: { ...GOOD_METADATA, SigningAlgorithms: null, Enabled: null } }),
    });
    await expect(signer.sign(data)).resolves.toBeInstanceOf(Uint8Array);
  });
});

describe('AwsKmsSigner: hostile GetPublicKey responses', () => {
  it.each([
    ['PublicKey is base64 text', { PublicKey: Buffer.from(spki).toString('base64') }, /PublicKey/],
    ['PublicKey is an array of numbers', { PublicKey: [...spki] }, /PublicKey/],
    ['the response is null', null, /GetPublicKey/],
    ['PublicKey is missing', {}, /no public key/],
  ])('%s: KmsKeyUnusableError', async (_name, response, message) => {
    const error = await failure(client({ KeyMetadata: GOOD_METADATA }, response));
    expect(error).toBeInstanceOf(KmsKeyUnusableError);
    expect((error as Error).message).toMatch(message);
  });
});
