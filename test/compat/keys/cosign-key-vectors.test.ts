/**
 * cosign's own test keys and our byte-exact encryption vectors (shared/vectors/cosign/encrypted-keys.json
 * and import-keys.json): every one must pass.
 */
import { describe, expect, it } from 'vitest';
import { KeyFormatError, UnsupportedKeyError, WrongPasswordError } from '../../../src/errors/index.js';
import {
  decryptDocument,
  encryptPkcs8WithParameters,
  inspectEncryptedDocument,
} from '../../../src/keys/encrypted.js';
import {
  encryptCosignPrivateKey,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  importPrivateKey,
} from '../../../src/keys/index.js';
import { decodeFirstPemBlock } from '../../../src/keys/pem.js';
import { readVectors } from '../../helpers/vectors.js';

interface EncryptedVector {
  id: string;
  pem?: string;
  password?: string;
  input?: {
    pkcs8DerHex: string;
    password: string;
    saltHex: string;
    nonceHex: string;
    scrypt: { N: 32768 | 65536 | 131072 };
    pemType: string;
  };
  expected: {
    pemType?: string;
    innerJson?: string;
    kdf?: { N: number; r: number; p: number };
    saltBytes?: number;
    nonceBytes?: number;
    plaintextDerHex?: string;
    plaintextFormat?: 'pkcs8' | 'sec1';
    cosignLoadPrivateKey?: 'ok' | 'error';
    publicKeyPem: string;
    pem?: string;
  };
}

interface ImportVector {
  id: string;
  pem: string;
  expected: { result: 'accept' | 'reject'; publicKeyPem?: string; outputPemType?: string; error?: string };
}

const encrypted = readVectors<{ vectors: EncryptedVector[] }>('cosign/encrypted-keys.json').vectors;
const imports = readVectors<{ vectors: ImportVector[] }>('cosign/import-keys.json').vectors;
const hex = (s: string) => new Uint8Array(Buffer.from(s, 'hex'));
const pemBody = (pem: string) =>
  Buffer.from(decodeFirstPemBlock(pem)?.bytes ?? new Uint8Array()).toString('utf8');
const derOfPem = (pem: string) =>
  Buffer.from(decodeFirstPemBlock(pem)?.bytes ?? new Uint8Array()).toString('hex');

describe('cosign encrypted keys (encrypted-keys.json)', () => {
  const repoKeys = encrypted.filter((v) => v.pem !== undefined);
  const ownKeys = encrypted.filter((v) => v.input !== undefined);

  it('has the vectors we expect to test', () => {
    expect(repoKeys.length).toBe(3);
    expect(ownKeys.length).toBe(2);
  });

  describe.each(repoKeys)('$id', (v) => {
    const pem = v.pem as string;
    const password = v.password as string;

    it('has the PEM type, inner JSON and KDF parameters cosign wrote', () => {
      const block = decodeFirstPemBlock(pem);
      expect(block?.type).toBe(v.expected.pemType);
      expect(pemBody(pem)).toBe(v.expected.innerJson);
      const info = inspectEncryptedDocument(block?.bytes ?? new Uint8Array());
      expect(info).toEqual({
        scryptN: v.expected.kdf?.N,
        saltBytes: v.expected.saltBytes,
        nonceBytes: v.expected.nonceBytes,
      });
    });

    it('decrypts with the password to the recorded plaintext', async () => {
      const plaintext = await decryptDocument(decodeFirstPemBlock(pem)?.bytes ?? new Uint8Array(), password);
      expect(Buffer.from(plaintext).toString('hex')).toBe(v.expected.plaintextDerHex);
    });

    it('loads exactly when cosign loads it, with the recorded public key', async () => {
      if (v.expected.cosignLoadPrivateKey === 'ok') {
        const key = await importPrivateKey(pem, { password });
        expect(exportPublicKeyPem(key.publicKey)).toBe(v.expected.publicKeyPem);
        // Our PKCS#8 re-encoding is Go's: identical to the plaintext cosign encrypted.
        expect(derOfPem(exportPrivateKeyPem(key))).toBe(v.expected.plaintextDerHex);
      } else {
        await expect(importPrivateKey(pem, { password })).rejects.toBeInstanceOf(KeyFormatError);
      }
    });

    it('refuses a wrong password with WrongPasswordError', async () => {
      await expect(importPrivateKey(pem, { password: `${password}!` })).rejects.toBeInstanceOf(
        WrongPasswordError,
      );
    });

    it('re-encrypts byte-for-byte from its plaintext, salt and nonce', async () => {
      const doc = JSON.parse(v.expected.innerJson as string);
      const reproduced = await encryptPkcs8WithParameters(
        hex(v.expected.plaintextDerHex as string),
        password,
        {
          scryptN: doc.kdf.params.N,
          label: (v.expected.pemType as string).includes('COSIGN') ? 'COSIGN' : 'SIGSTORE',
          salt: new Uint8Array(Buffer.from(doc.kdf.salt, 'base64')),
          nonce: new Uint8Array(Buffer.from(doc.cipher.nonce, 'base64')),
        },
      );
      expect(reproduced).toBe(pem);
    });
  });

  describe.each(ownKeys)('$id', (v) => {
    const input = v.input as NonNullable<EncryptedVector['input']>;

    it('our encoder reproduces the expected PEM byte-for-byte', async () => {
      const pem = await encryptPkcs8WithParameters(hex(input.pkcs8DerHex), input.password, {
        scryptN: input.scrypt.N,
        label: 'SIGSTORE',
        salt: hex(input.saltHex),
        nonce: hex(input.nonceHex),
      });
      expect(pem).toBe(v.expected.pem);
      if (v.expected.innerJson !== undefined) expect(pemBody(pem)).toBe(v.expected.innerJson);
    });

    it('decrypts back to the key and its public key', async () => {
      const key = await importPrivateKey(v.expected.pem as string, { password: input.password });
      expect(exportPublicKeyPem(key.publicKey)).toBe(v.expected.publicKeyPem);
      expect(derOfPem(exportPrivateKeyPem(key))).toBe(input.pkcs8DerHex);
    });
  });
});

/** How we refuse each key cosign refuses: our error class and the words cosign uses. */
const REJECTIONS: Record<string, [typeof KeyFormatError | typeof UnsupportedKeyError, RegExp]> = {
  invalidrsawithpubkey: [KeyFormatError, /unsupported private key/],
  invalidrsasmallkey: [UnsupportedKeyError, /key size not supported: 1024/],
  invalidrsalargekey: [UnsupportedKeyError, /key size not supported: 5120/],
  invalidecp224: [UnsupportedKeyError, /ECDSA curve P-224 not allowed/],
  invalidecunsupported: [UnsupportedKeyError, /secp256k1 not allowed/],
  'pgp-block': [KeyFormatError, /not a PKCS#8, SEC1 or PKCS#1 private key|invalid pem block/],
};

describe('cosign import-key-pair inputs (import-keys.json)', () => {
  it.each(imports.filter((v) => v.expected.result === 'accept'))(
    'accepts $id with the recorded public key',
    async (v) => {
      const key = await importPrivateKey(v.pem);
      expect(exportPublicKeyPem(key.publicKey)).toBe(v.expected.publicKeyPem);
      const reencrypted = await encryptCosignPrivateKey(key, 'pw', { scryptN: 32768 });
      expect(decodeFirstPemBlock(reencrypted)?.type).toBe(v.expected.outputPemType);
      const again = await importPrivateKey(reencrypted, { password: 'pw' });
      expect(again.publicKey.equals(key.publicKey)).toBe(true);
    },
  );

  it.each(imports.filter((v) => v.expected.result === 'reject'))('rejects $id as cosign does', async (v) => {
    const rejection = REJECTIONS[v.id];
    expect(rejection, `no expectation written for ${v.id}`).toBeDefined();
    const [errorClass, message] = rejection as NonNullable<typeof rejection>;
    const error = await importPrivateKey(v.pem).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(errorClass);
    expect((error as Error).message).toMatch(message);
  });

  it('rejects a real armored PGP private key block as an invalid PEM block', async () => {
    const pgp = [
      '-----BEGIN PGP PRIVATE KEY BLOCK-----',
      'Version: GnuPG v2',
      '',
      'lQOYBF8AAAABCADQzl7PD2rz0Vg1Ul6M3SQ2PnKVgnxTtcBXE8qNZQpOxA==',
      '=Xk8V',
      '-----END PGP PRIVATE KEY BLOCK-----',
      '',
    ].join('\n');
    await expect(importPrivateKey(pgp)).rejects.toThrow(/invalid pem block/);
    await expect(importPrivateKey(pgp)).rejects.toBeInstanceOf(KeyFormatError);
  });
});
