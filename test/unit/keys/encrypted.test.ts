import { describe, expect, it } from 'vitest';
import { InvalidArgumentError, KeyFormatError, WrongPasswordError } from '../../../src/errors/index.js';
import { encryptCosignPrivateKey, generateKeyPair, importPrivateKey } from '../../../src/keys/index.js';
import { decodeFirstPemBlock, encodePem } from '../../../src/keys/pem.js';

const { privateKey } = await generateKeyPair();
const good = await encryptCosignPrivateKey(privateKey, 'pw', { scryptN: 32768 });
const goodDoc = JSON.parse(Buffer.from(decodeFirstPemBlock(good)?.bytes ?? []).toString('utf8'));

function withDocument(doc: unknown, type = 'ENCRYPTED SIGSTORE PRIVATE KEY'): string {
  return encodePem(type, new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc)));
}

function mutate(change: (doc: typeof goodDoc) => void): string {
  const doc = structuredClone(goodDoc);
  change(doc);
  return withDocument(doc);
}

describe('writing cosign encrypted keys', () => {
  it('writes SIGSTORE with N=65536 by default', async () => {
    const pem = await encryptCosignPrivateKey(privateKey, 'secret');
    const doc = JSON.parse(Buffer.from(decodeFirstPemBlock(pem)?.bytes ?? []).toString('utf8'));
    expect(decodeFirstPemBlock(pem)?.type).toBe('ENCRYPTED SIGSTORE PRIVATE KEY');
    expect(doc.kdf.params).toEqual({ N: 65536, r: 8, p: 1 });
    expect(Buffer.from(doc.kdf.salt, 'base64')).toHaveLength(32);
    expect(Buffer.from(doc.cipher.nonce, 'base64')).toHaveLength(24);
    const again = await importPrivateKey(pem, { password: 'secret' });
    expect(again.publicKey.equals(privateKey.publicKey)).toBe(true);
  });

  it('writes the COSIGN label and N=32768 for old cosign on request', async () => {
    const pem = await encryptCosignPrivateKey(privateKey, 'pw', { label: 'COSIGN', scryptN: 32768 });
    expect(decodeFirstPemBlock(pem)?.type).toBe('ENCRYPTED COSIGN PRIVATE KEY');
    expect(goodDoc.kdf.params.N).toBe(32768);
  });

  it('uses a fresh salt and nonce every time', async () => {
    const a = await encryptCosignPrivateKey(privateKey, 'pw', { scryptN: 32768 });
    expect(a).not.toBe(good);
  });

  it('accepts the empty password, as COSIGN_PASSWORD="" does', async () => {
    const pem = await encryptCosignPrivateKey(privateKey, '', { scryptN: 32768 });
    await expect(importPrivateKey(pem, { password: '' })).resolves.toBeDefined();
    await expect(importPrivateKey(pem, { password: '\n' })).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('refuses scrypt parameters cosign cannot read', async () => {
    await expect(
      encryptCosignPrivateKey(privateKey, 'pw', { scryptN: 1024 as 32768 }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(
      encryptCosignPrivateKey(privateKey, 'pw', { label: 'OTHER' as 'COSIGN' }),
    ).rejects.toBeInstanceOf(InvalidArgumentError);
  });
});

describe('reading hostile cosign encrypted keys', () => {
  it.each([
    [
      'a huge scrypt N (would exhaust memory)',
      mutate((d) => (d.kdf.params.N = 2 ** 40)),
      /unsupported scrypt parameters/,
    ],
    ['N = 16384', mutate((d) => (d.kdf.params.N = 16384)), /unsupported scrypt parameters/],
    ['r = 16', mutate((d) => (d.kdf.params.r = 16)), /unsupported scrypt parameters/],
    ['p = 2', mutate((d) => (d.kdf.params.p = 2)), /unsupported scrypt parameters/],
    ['a string N', mutate((d) => (d.kdf.params.N = '32768')), /unsupported scrypt parameters/],
    ['another KDF', mutate((d) => (d.kdf.name = 'pbkdf2')), /key derivation function/],
    ['another cipher', mutate((d) => (d.cipher.name = 'aes-gcm')), /unsupported cipher/],
    [
      'a 12-byte nonce',
      mutate((d) => (d.cipher.nonce = Buffer.alloc(12).toString('base64'))),
      /nonce must be 24 bytes/,
    ],
    ['a nonce that is not base64', mutate((d) => (d.cipher.nonce = '***')), /nonce is missing or not base64/],
    ['no salt', mutate((d) => delete d.kdf.salt), /salt is missing/],
    ['a truncated ciphertext', mutate((d) => (d.ciphertext = 'AAAA')), /truncated/],
    ['a body that is not JSON', withDocument('not json'), /not the JSON document/],
    ['a JSON array', withDocument('[]'), /key derivation function/],
  ])('refuses %s with KeyFormatError', async (_name, pem, message) => {
    const error = await importPrivateKey(pem, { password: 'pw' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KeyFormatError);
    expect((error as Error).message).toMatch(message);
  });

  it('reads field names case-insensitively, as Go encoding/json does', async () => {
    const doc = JSON.stringify(goodDoc)
      .replace('"kdf"', '"KDF"')
      .replace('"params"', '"Params"')
      .replace('"ciphertext"', '"CipherText"');
    const key = await importPrivateKey(withDocument(doc), { password: 'pw' });
    expect(key.publicKey.equals(privateKey.publicKey)).toBe(true);
  });

  it('detects a flipped ciphertext byte as a wrong password, never garbage', async () => {
    const pem = mutate((d) => {
      const bytes = Buffer.from(d.ciphertext, 'base64');
      bytes[20] = (bytes[20] as number) ^ 1;
      d.ciphertext = bytes.toString('base64');
    });
    await expect(importPrivateKey(pem, { password: 'pw' })).rejects.toBeInstanceOf(WrongPasswordError);
  });

  it('reads the COSIGN label too', async () => {
    const pem = good.replaceAll('SIGSTORE', 'COSIGN');
    await expect(importPrivateKey(pem, { password: 'pw' })).resolves.toBeDefined();
  });
});
