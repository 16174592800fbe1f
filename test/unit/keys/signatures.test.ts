import { createHash, createPrivateKey, createPublicKey, sign as nodeSign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { AbortedError, InvalidArgumentError } from '../../../src/errors/index.js';
import { nobleBackend } from '../../../src/keys/backend/noble.js';
import { createNodeBackend } from '../../../src/keys/backend/node.js';
import type { SignatureScheme } from '../../../src/keys/backend/types.js';
import {
  createSigner,
  exportPrivateKeyPem,
  generateKeyPair,
  importPublicKey,
  KEY_ALGORITHMS,
  type KeyAlgorithm,
  publicKeyFingerprint,
  publicKeyHint,
  verifySignature,
  verifySignatureSync,
} from '../../../src/keys/index.js';
import { privateRecord, publicRecord } from '../../../src/keys/key-objects.js';
import { readVectors } from '../../helpers/vectors.js';

const message = new TextEncoder().encode('{"critical":{"identity":{"docker-reference":"example.com/app"}}}');
const nodeBackend = createNodeBackend(await import('node:crypto'));
const keys = new Map<KeyAlgorithm, Awaited<ReturnType<typeof generateKeyPair>>>();
for (const algorithm of KEY_ALGORITHMS) keys.set(algorithm, await generateKeyPair({ algorithm }));
const pair = (a: KeyAlgorithm) => keys.get(a) as Awaited<ReturnType<typeof generateKeyPair>>;

const DEFAULT_SCHEME: Record<KeyAlgorithm, SignatureScheme> = {
  'ecdsa-p256': { kind: 'ecdsa', digest: 'sha256' },
  'ecdsa-p384': { kind: 'ecdsa', digest: 'sha384' },
  'ecdsa-p521': { kind: 'ecdsa', digest: 'sha512' },
  'rsa-2048': { kind: 'rsa-pkcs1v15', digest: 'sha256' },
  'rsa-3072': { kind: 'rsa-pkcs1v15', digest: 'sha256' },
  'rsa-4096': { kind: 'rsa-pkcs1v15', digest: 'sha256' },
  ed25519: { kind: 'ed25519' },
};

describe.each(KEY_ALGORITHMS)('%s', (algorithm) => {
  it('generates a key of that algorithm', () => {
    expect(pair(algorithm).privateKey.algorithm).toBe(algorithm);
    expect(pair(algorithm).publicKey.algorithm).toBe(algorithm);
  });

  it('signs and verifies with cosign’s default algorithm; tampering and other keys fail', async () => {
    const { privateKey, publicKey } = pair(algorithm);
    const signature = await createSigner(privateKey).sign(message);
    expect(await verifySignature(publicKey, message, signature)).toBe(true);
    expect(await verifySignature(publicKey, message.subarray(1), signature)).toBe(false);
    const flipped = signature.slice();
    flipped[flipped.length - 5] = (flipped[flipped.length - 5] as number) ^ 0x10;
    expect(verifySignatureSync(publicKey, message, flipped)).toBe(false);
    expect(verifySignatureSync(publicKey, message, new Uint8Array(0))).toBe(false);
    const other = algorithm === 'ecdsa-p256' ? 'ecdsa-p384' : 'ecdsa-p256';
    expect(verifySignatureSync(pair(other).publicKey, message, signature)).toBe(false);
  });

  it('uses the digest cosign ≥ 2.6 uses for this key (checked with node:crypto directly)', async () => {
    const { privateKey, publicKey } = pair(algorithm);
    const signature = await createSigner(privateKey).sign(message);
    const scheme = DEFAULT_SCHEME[algorithm];
    const nodeKey = createPublicKey(publicKey.toPem());
    const digest = scheme.kind === 'ed25519' ? null : (scheme as { digest: string }).digest;
    const { verify } = await import('node:crypto');
    expect(verify(digest, message, { key: nodeKey, dsaEncoding: 'der' }, signature)).toBe(true);
  });

  it('node:crypto and pure-JS backends agree in both directions', async () => {
    const { privateKey, publicKey } = pair(algorithm);
    const scheme = DEFAULT_SCHEME[algorithm];
    const priv = { ...privateRecord(privateKey), prepared: undefined };
    const pub = { ...publicRecord(publicKey), prepared: undefined };
    const byNode = await nodeBackend.sign(priv, scheme, message);
    expect(nobleBackend.verify({ ...pub }, scheme, message, byNode)).toBe(true);
    const byNoble = await nobleBackend.sign({ ...priv, prepared: undefined }, scheme, message);
    expect(nodeBackend.verify({ ...pub }, scheme, message, byNoble)).toBe(true);
    expect(nobleBackend.verify({ ...pub }, scheme, message.subarray(2), byNoble)).toBe(false);
  });
});

describe('algorithm options', () => {
  it('verifies a P-384 signature made with SHA-256 (cosign ≤ 2.5) only when asked to', async () => {
    const { privateKey, publicKey } = pair('ecdsa-p384');
    const old = await createSigner(privateKey, { digestAlgorithm: 'sha256' }).sign(message);
    expect(await verifySignature(publicKey, message, old)).toBe(false);
    expect(await verifySignature(publicKey, message, old, { digestAlgorithm: 'sha256' })).toBe(true);
  });

  it('signs Ed25519ph when asked, which pure Ed25519 verification rejects', async () => {
    const { privateKey, publicKey } = pair('ed25519');
    const ph = await createSigner(privateKey, { ed25519Variant: 'ed25519ph' }).sign(message);
    expect(await verifySignature(publicKey, message, ph, { ed25519Variant: 'ed25519ph' })).toBe(true);
    expect(await verifySignature(publicKey, message, ph)).toBe(false);
  });

  it('refuses options that do not fit the key', () => {
    expect(() => createSigner(pair('ed25519').privateKey, { digestAlgorithm: 'sha256' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createSigner(pair('ecdsa-p256').privateKey, { ed25519Variant: 'ed25519ph' })).toThrow(
      InvalidArgumentError,
    );
    expect(() => createSigner(pair('rsa-2048').privateKey, { digestAlgorithm: 'md5' as 'sha256' })).toThrow(
      InvalidArgumentError,
    );
  });

  it('honours an aborted signal before signing, as a typed error with the reason as cause', async () => {
    const controller = new AbortController();
    const reason = new Error('stop');
    controller.abort(reason);
    const signing = createSigner(pair('ecdsa-p256').privateKey).sign(message, { signal: controller.signal });
    await expect(signing).rejects.toBeInstanceOf(AbortedError);
    await expect(signing).rejects.toMatchObject({ code: 'ABORTED', cause: reason });
  });

  it('refuses data that is not bytes', async () => {
    await expect(createSigner(pair('ecdsa-p256').privateKey).sign('text' as never)).rejects.toBeInstanceOf(
      InvalidArgumentError,
    );
  });
});

describe('high-S ECDSA signatures (valid in Go and OpenSSL; noble rejects them by default)', () => {
  const ORDER_P256 = 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n;

  function toHighS(der: Uint8Array): Uint8Array {
    const rLen = der[3] as number;
    const r = der.subarray(4, 4 + rLen);
    const s = BigInt(`0x${Buffer.from(der.subarray(6 + rLen)).toString('hex')}`);
    const high = s > ORDER_P256 / 2n ? s : ORDER_P256 - s;
    let sHex = high.toString(16).padStart(64, '0');
    if (Number.parseInt(sHex.slice(0, 2), 16) >= 0x80) sHex = `00${sHex}`;
    const sBytes = Buffer.from(sHex, 'hex');
    const body = Buffer.concat([
      Buffer.from([0x02, r.length]),
      r,
      Buffer.from([0x02, sBytes.length]),
      sBytes,
    ]);
    return new Uint8Array(Buffer.concat([Buffer.from([0x30, body.length]), body]));
  }

  it('accepts the high-S twin of a valid signature in both backends', async () => {
    const { privateKey, publicKey } = pair('ecdsa-p256');
    const signature = toHighS(await createSigner(privateKey).sign(message));
    const pub = publicRecord(publicKey);
    const scheme: SignatureScheme = { kind: 'ecdsa', digest: 'sha256' };
    expect(nodeBackend.verify({ ...pub, prepared: undefined }, scheme, message, signature)).toBe(true);
    expect(nobleBackend.verify({ ...pub }, scheme, message, signature)).toBe(true);
  });
});

describe('real cosign output', () => {
  const real = readVectors<{
    classicTagSignature: { publicKeyPem: string; payload: string; base64Signature: string };
    newBundleReferrer: { publicKeyPem: string; publicKeyHint: string };
  }>('cosign/real-cosign-artifacts.json');

  it('verifies the signature cosign v3.0.4 made over a simple-signing payload', async () => {
    const v = real.classicTagSignature;
    const key = importPublicKey(v.publicKeyPem);
    const signature = new Uint8Array(Buffer.from(v.base64Signature, 'base64'));
    const payload = new TextEncoder().encode(v.payload);
    expect(await verifySignature(key, payload, signature)).toBe(true);
    expect(await verifySignature(key, new TextEncoder().encode(`${v.payload} `), signature)).toBe(false);
  });

  it('computes the public key hint cosign wrote into its bundle', () => {
    const v = real.newBundleReferrer;
    expect(publicKeyHint(importPublicKey(v.publicKeyPem))).toBe(v.publicKeyHint);
  });

  it('fingerprints as sha256 of the PKIX DER', () => {
    const key = importPublicKey(real.newBundleReferrer.publicKeyPem);
    expect(publicKeyFingerprint(key)).toBe(createHash('sha256').update(key.toDer()).digest('hex'));
  });
});

describe('signatures made by node:crypto from our exported PEM', () => {
  it('verify with our key', async () => {
    const { privateKey, publicKey } = pair('ecdsa-p521');
    const nodeKey = createPrivateKey(exportPrivateKeyPem(privateKey));
    const signature = nodeSign('sha512', message, { key: nodeKey, dsaEncoding: 'der' });
    expect(await verifySignature(publicKey, message, signature)).toBe(true);
  });
});
