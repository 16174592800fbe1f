import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  InvalidArgumentError,
  KeyFormatError,
  OcisignError,
  PasswordRequiredError,
  UnsupportedKeyError,
} from '../../../src/errors/index.js';
import {
  exportPublicKeyPem,
  importPrivateKey,
  importPublicKey,
  isPrivateKey,
  isPublicKey,
} from '../../../src/keys/index.js';
import { nodeKeyPair, pkcs8Pem, spkiDer, spkiPem } from '../../helpers/keys.js';

const p256 = nodeKeyPair({ type: 'ec', curve: 'P-256' });
const rsa = nodeKeyPair({ type: 'rsa', bits: 2048 });

async function rejection(promise: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof promise === 'function' ? promise() : promise);
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('importPrivateKey: every encoding of one key gives the same key', () => {
  it.each([
    ['EC P-256', p256, 'sec1'],
    ['RSA 2048', rsa, 'pkcs1'],
  ] as const)('%s from PKCS#8 PEM, traditional PEM and both DERs', async (_name, pair, traditional) => {
    const fromPkcs8 = await importPrivateKey(pkcs8Pem(pair.privateKey));
    const variants = [
      pair.privateKey.export({ format: 'pem', type: traditional }).toString(),
      new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })),
      new Uint8Array(pair.privateKey.export({ format: 'der', type: traditional })),
    ];
    for (const input of variants) {
      const key = await importPrivateKey(input);
      expect(key.publicKey.equals(fromPkcs8.publicKey)).toBe(true);
    }
    expect(exportPublicKeyPem(fromPkcs8.publicKey)).toBe(spkiPem(pair.publicKey));
  });
});

describe('importPrivateKey refusals (cosign import rules)', () => {
  it('reads only the first PEM block, so EC PARAMETERS before the key fails (openssl ecparam -genkey output)', async () => {
    const sec1 = p256.privateKey.export({ format: 'pem', type: 'sec1' }).toString();
    const error = await rejection(
      importPrivateKey(
        `-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n${sec1}`,
      ),
    );
    expect(error).toBeInstanceOf(KeyFormatError);
    expect((error as Error).message).toMatch(/EC PARAMETERS/);
  });

  it('refuses encrypted PKCS#8 with advice', async () => {
    const pem = p256.privateKey
      .export({ format: 'pem', type: 'pkcs8', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    const error = await rejection(importPrivateKey(pem));
    expect(error).toBeInstanceOf(UnsupportedKeyError);
    expect((error as Error).message).toMatch(/openssl pkcs8/);
  });

  it('refuses legacy OpenSSL-encrypted PEM (Proc-Type header)', async () => {
    const pem = rsa.privateKey
      .export({ format: 'pem', type: 'pkcs1', cipher: 'aes-256-cbc', passphrase: 'x' })
      .toString();
    expect(pem).toContain('Proc-Type: 4,ENCRYPTED');
    await expect(importPrivateKey(pem)).rejects.toBeInstanceOf(UnsupportedKeyError);
  });

  it('refuses OpenSSH keys with the conversion command', async () => {
    const pem =
      '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU=\n-----END OPENSSH PRIVATE KEY-----\n';
    const error = await rejection(importPrivateKey(pem));
    expect(error).toBeInstanceOf(UnsupportedKeyError);
    expect((error as Error).message).toMatch(/ssh-keygen -p -m PKCS8/);
  });

  it('refuses an RSA exponent other than 65537', async () => {
    const pair = nodeKeyPair({ type: 'rsa', bits: 2048, e: 3 });
    const error = await rejection(importPrivateKey(pkcs8Pem(pair.privateKey)));
    expect(error).toBeInstanceOf(UnsupportedKeyError);
    expect((error as Error).message).toMatch(/65537/);
  });

  it.each(['X25519', 'Ed448', 'X448'])('refuses %s keys by name', async (name) => {
    const { privateKey } = generateKeyPairSync(name.toLowerCase() as 'x25519');
    const error = await rejection(importPrivateKey(pkcs8Pem(privateKey)));
    expect(error).toBeInstanceOf(UnsupportedKeyError);
    expect((error as Error).message).toContain(name);
  });

  it('refuses a PEM type it does not know', async () => {
    await expect(
      importPrivateKey('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
    ).rejects.toThrow(/Unsupported PEM type "CERTIFICATE"/);
  });

  it('asks for a password for cosign encrypted keys', async () => {
    const pem =
      '-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n';
    await expect(importPrivateKey(pem)).rejects.toBeInstanceOf(PasswordRequiredError);
  });

  it('refuses non-string, non-bytes input with InvalidArgumentError', async () => {
    await expect(importPrivateKey(null as unknown as string)).rejects.toBeInstanceOf(InvalidArgumentError);
    expect(() => importPublicKey(42 as unknown as string)).toThrow(InvalidArgumentError);
  });
});

describe('DER strictness (Go accepts DER, not BER)', () => {
  const der = spkiDer(p256.publicKey);

  it('accepts the canonical DER', () => {
    expect(importPublicKey(der).algorithm).toBe('ecdsa-p256');
  });

  it('refuses trailing bytes', () => {
    const error = (() => {
      try {
        importPublicKey(new Uint8Array([...der, 0]));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(KeyFormatError);
    expect((error as Error).message).toMatch(/trailing/);
  });

  it('refuses ASN.1 that makes asn1js throw (a malformed GeneralizedTime, found by fuzzing)', async () => {
    const der = new Uint8Array([0x30, 0x07, 0x02, 0x01, 0x00, 0x18, 0x02, 0x41, 0x42]);
    expect(() => importPublicKey(der)).toThrow(KeyFormatError);
    await expect(importPrivateKey(der)).rejects.toBeInstanceOf(KeyFormatError);
  });

  it('refuses a non-minimal length encoding', () => {
    // 30 59 … → 30 81 59 …: the same SEQUENCE in BER long form.
    const ber = new Uint8Array([0x30, 0x81, ...der.subarray(1)]);
    expect(() => importPublicKey(ber)).toThrow(KeyFormatError);
  });

  it('refuses a compressed EC point, as Go x509 does', () => {
    const x = der.subarray(der.length - 64, der.length - 32);
    const prefix = Buffer.from('3039301306072a8648ce3d020106082a8648ce3d030107032200', 'hex');
    const compressed = new Uint8Array([...prefix, 0x02, ...x]);
    expect(() => importPublicKey(compressed)).toThrow(/uncompressed/);
  });

  it('refuses a point that is not on the curve', () => {
    const broken = der.slice();
    broken[broken.length - 1] = (broken[broken.length - 1] as number) ^ 1;
    expect(() => importPublicKey(broken)).toThrow(/not on curve P-256/);
  });
});

describe('importPublicKey', () => {
  it('reads PKCS#1 "RSA PUBLIC KEY" and writes it back', () => {
    const pkcs1 = rsa.publicKey.export({ format: 'pem', type: 'pkcs1' }).toString();
    const key = importPublicKey(pkcs1);
    expect(exportPublicKeyPem(key)).toBe(spkiPem(rsa.publicKey));
    expect(exportPublicKeyPem(key, { format: 'pkcs1' })).toBe(pkcs1);
  });

  it('refuses the pkcs1 format for a non-RSA key', () => {
    expect(() => exportPublicKeyPem(importPublicKey(spkiPem(p256.publicKey)), { format: 'pkcs1' })).toThrow(
      InvalidArgumentError,
    );
  });

  it('says so when given a private key', () => {
    expect(() => importPublicKey(pkcs8Pem(p256.privateKey))).toThrow(/holds a private key/);
  });

  it('refuses RSA-1024 like cosign', () => {
    const small = nodeKeyPair({ type: 'rsa', bits: 1024 });
    expect(() => importPublicKey(spkiPem(small.publicKey))).toThrow(UnsupportedKeyError);
  });

  it('returns the same parsed key for the same PEM text (no re-parse)', () => {
    const pem = spkiPem(p256.publicKey);
    expect(importPublicKey(pem)).toBe(importPublicKey(pem));
  });
});

describe('key objects', () => {
  it('never print the private key', async () => {
    const key = await importPrivateKey(pkcs8Pem(p256.privateKey));
    expect(JSON.stringify(key)).toBe('{"type":"private","algorithm":"ecdsa-p256"}');
    const { inspect } = await import('node:util');
    expect(inspect(key)).toBe('PrivateKey <ecdsa-p256>');
    expect(isPrivateKey(key)).toBe(true);
    expect(isPublicKey(key.publicKey)).toBe(true);
    expect(Object.isFrozen(key)).toBe(true);
  });

  it('refuse look-alike objects with a typed error', () => {
    const fake = { type: 'public', algorithm: 'ecdsa-p256' };
    const error = (() => {
      try {
        exportPublicKeyPem(fake as never);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toBeInstanceOf(OcisignError);
    expect((error as OcisignError).code).toBe('INVALID_ARGUMENT');
  });
});
