/**
 * Interoperability with the openssl CLI, a real peer we did not write: keys and signatures must
 * cross in both directions for every supported key type, on both of our crypto backends.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { nobleBackend } from '../../../src/keys/backend/noble.js';
import {
  createSigner,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  importPrivateKey,
  importPublicKey,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  verifySignature,
} from '../../../src/keys/index.js';
import { privateRecord, publicRecord } from '../../../src/keys/key-objects.js';
import { signatureScheme } from '../../../src/keys/signature-scheme.js';

const dir = mkdtempSync(join(tmpdir(), 'ocisign-openssl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function file(name: string, content: string | Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const GENPKEY: Record<KeyAlgorithm, string[]> = {
  'ecdsa-p256': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'],
  'ecdsa-p384': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-384'],
  'ecdsa-p521': ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521'],
  'rsa-2048': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048'],
  'rsa-3072': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:3072'],
  'rsa-4096': ['-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096'],
  ed25519: ['-algorithm', 'ED25519'],
};

const DIGEST: Record<KeyAlgorithm, string | undefined> = {
  'ecdsa-p256': 'sha256',
  'ecdsa-p384': 'sha384',
  'ecdsa-p521': 'sha512',
  'rsa-2048': 'sha256',
  'rsa-3072': 'sha256',
  'rsa-4096': 'sha256',
  ed25519: undefined,
};

/** openssl verifies `signature` over `data` with the PEM public key; returns whether it said OK. */
function opensslVerifies(
  algorithm: KeyAlgorithm,
  publicPem: string,
  data: Uint8Array,
  signature: Uint8Array,
  tag: string,
): boolean {
  const pub = file(`${tag}.pub.pem`, publicPem);
  const dataPath = file(`${tag}.data`, data);
  const sigPath = file(`${tag}.sig`, signature);
  const digest = DIGEST[algorithm];
  try {
    const out =
      digest === undefined
        ? openssl(
            'pkeyutl',
            '-verify',
            '-pubin',
            '-inkey',
            pub,
            '-rawin',
            '-in',
            dataPath,
            '-sigfile',
            sigPath,
          )
        : openssl('dgst', `-${digest}`, '-verify', pub, '-signature', sigPath, dataPath);
    return /Verified OK|Signature Verified Successfully/.test(out);
  } catch {
    return false;
  }
}

function opensslSigns(algorithm: KeyAlgorithm, keyPath: string, data: Uint8Array, tag: string): Uint8Array {
  const dataPath = file(`${tag}.data`, data);
  const sigPath = join(dir, `${tag}.ossl.sig`);
  const digest = DIGEST[algorithm];
  if (digest === undefined)
    openssl('pkeyutl', '-sign', '-inkey', keyPath, '-rawin', '-in', dataPath, '-out', sigPath);
  else openssl('dgst', `-${digest}`, '-sign', keyPath, '-out', sigPath, dataPath);
  return new Uint8Array(readFileSync(sigPath));
}

const data = new TextEncoder().encode('interop payload ✓');

const opensslKeys = new Map<KeyAlgorithm, string>();

/** A key made by `openssl genpkey` (once per algorithm), as a file path. */
function opensslKey(algorithm: KeyAlgorithm): string {
  let keyPath = opensslKeys.get(algorithm);
  if (keyPath === undefined) {
    keyPath = join(dir, `${algorithm}.ossl.key`);
    openssl('genpkey', ...GENPKEY[algorithm], '-out', keyPath);
    opensslKeys.set(algorithm, keyPath);
  }
  return keyPath;
}

describe.each(KEY_ALGORITHMS)('openssl ↔ ocisign: %s', (algorithm) => {
  it('openssl reads the keys we export, and derives the same public key', async () => {
    const { privateKey, publicKey } = await generateKeyPair({ algorithm });
    const privPath = file(`${algorithm}.ours.key`, exportPrivateKeyPem(privateKey));
    expect(openssl('pkey', '-in', privPath, '-pubout')).toBe(exportPublicKeyPem(publicKey));
    const pubPath = file(`${algorithm}.ours.pub`, exportPublicKeyPem(publicKey));
    expect(openssl('pkey', '-pubin', '-in', pubPath)).toBe(exportPublicKeyPem(publicKey));
  });

  it('we import keys openssl generates (PKCS#8 and the traditional form) with openssl’s public key', async () => {
    const keyPath = opensslKey(algorithm);
    const expectedPub = openssl('pkey', '-in', keyPath, '-pubout');
    const fromPkcs8 = await importPrivateKey(readFileSync(keyPath, 'utf8'));
    expect(exportPublicKeyPem(fromPkcs8.publicKey)).toBe(expectedPub);
    expect(exportPublicKeyPem(importPublicKey(expectedPub))).toBe(expectedPub);
    if (algorithm.startsWith('ecdsa')) {
      const sec1 = openssl('ec', '-in', keyPath);
      expect(sec1).toContain('BEGIN EC PRIVATE KEY');
      expect(exportPublicKeyPem((await importPrivateKey(sec1)).publicKey)).toBe(expectedPub);
    }
    if (algorithm.startsWith('rsa')) {
      const pkcs1 = openssl('rsa', '-in', keyPath, '-traditional');
      expect(pkcs1).toContain('BEGIN RSA PRIVATE KEY');
      expect(exportPublicKeyPem((await importPrivateKey(pkcs1)).publicKey)).toBe(expectedPub);
    }
  });

  it('openssl verifies our signatures, from both backends', async () => {
    const { privateKey, publicKey } = await generateKeyPair({ algorithm });
    const pem = exportPublicKeyPem(publicKey);
    const ours = await createSigner(privateKey).sign(data);
    expect(opensslVerifies(algorithm, pem, data, ours, `${algorithm}-node`)).toBe(true);
    const scheme = signatureScheme(publicRecord(publicKey).material);
    const pure = await nobleBackend.sign({ ...privateRecord(privateKey), prepared: undefined }, scheme, data);
    expect(opensslVerifies(algorithm, pem, data, pure, `${algorithm}-noble`)).toBe(true);
    // and a signature over other bytes is refused by openssl too
    expect(opensslVerifies(algorithm, pem, data.subarray(1), ours, `${algorithm}-neg`)).toBe(false);
  });

  it('we verify openssl’s signatures, on both backends', async () => {
    const keyPath = opensslKey(algorithm);
    const key = await importPrivateKey(readFileSync(keyPath, 'utf8'));
    const scheme = signatureScheme(publicRecord(key.publicKey).material);
    // Several signatures: about half of OpenSSL's ECDSA signatures are high-S.
    for (let i = 0; i < 4; i++) {
      const signature = opensslSigns(algorithm, keyPath, data, `${algorithm}-${i}`);
      expect(await verifySignature(key.publicKey, data, signature)).toBe(true);
      expect(
        nobleBackend.verify({ ...publicRecord(key.publicKey), prepared: undefined }, scheme, data, signature),
      ).toBe(true);
    }
  });
});
