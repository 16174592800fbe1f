/**
 * The pure-JS backend, for runtimes without node:crypto: ECDSA and Ed25519 on @noble/curves,
 * digests on @noble/hashes, RSA PKCS#1 v1.5 verification in BigInt arithmetic, and RSA signing and
 * generation through WebCrypto where the runtime has it (we do not do RSA private-key math in JS:
 * it cannot be made constant-time).
 *
 * noble's ECDSA defaults to `lowS: true`, which rejects about half of the valid signatures OpenSSL,
 * Go and AWS KMS produce; cosign accepts them, so verification here passes `lowS: false`.
 */
import { ed25519, ed25519ph } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { UnsupportedKeyError } from '../../errors/keys.js';
import { bigIntToBytes, bytesEqual, bytesToBigInt, concatBytes, fromHex } from '../../internal/bytes.js';
import type { CurveName, DigestAlgorithm, KeyAlgorithm } from '../algorithms.js';
import { CURVES } from '../algorithms.js';
import type { EcPrivateMaterial, RsaPublicMaterial } from '../material.js';
import { encodePkcs8 } from '../private-der.js';
import type { CryptoBackend, PrivateKeyRecord, PublicKeyRecord, SignatureScheme } from './types.js';

const CURVE_IMPL = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;
const DIGESTS = { sha256, sha384, sha512 } as const;

/** DER DigestInfo prefixes for EMSA-PKCS1-v1_5 (RFC 8017 §9.2 note 1). */
const DIGEST_INFO_PREFIX: Record<DigestAlgorithm, Uint8Array> = {
  sha256: fromHex('3031300d060960864801650304020105000420') as Uint8Array,
  sha384: fromHex('3041300d060960864801650304020205000430') as Uint8Array,
  sha512: fromHex('3051300d060960864801650304020305000440') as Uint8Array,
};

function modPow(base: bigint, exponent: bigint, modulus: bigint): bigint {
  let result = 1n;
  let b = base % modulus;
  let e = exponent;
  while (e > 0n) {
    if (e & 1n) result = (result * b) % modulus;
    b = (b * b) % modulus;
    e >>= 1n;
  }
  return result;
}

/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) with the exact-length rule Go applies. */
function verifyRsaPkcs1(
  key: RsaPublicMaterial,
  digest: DigestAlgorithm,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const k = Math.ceil(key.bits / 8);
  if (signature.length !== k) return false;
  const s = bytesToBigInt(signature);
  if (s >= key.n) return false;
  const em = bigIntToBytes(modPow(s, key.e, key.n), k);
  const t = concatBytes(DIGEST_INFO_PREFIX[digest], DIGESTS[digest](data));
  if (k < t.length + 11) return false;
  const expected = new Uint8Array(k).fill(0xff);
  expected[0] = 0x00;
  expected[1] = 0x01;
  expected[k - t.length - 1] = 0x00;
  expected.set(t, k - t.length);
  return bytesEqual(em, expected);
}

interface SubtleLike {
  importKey(
    format: 'pkcs8',
    key: Uint8Array,
    algorithm: object,
    extractable: boolean,
    usages: string[],
  ): Promise<unknown>;
  sign(algorithm: string, key: unknown, data: Uint8Array): Promise<ArrayBuffer>;
  generateKey(algorithm: object, extractable: boolean, usages: string[]): Promise<{ privateKey: unknown }>;
  exportKey(format: 'pkcs8', key: unknown): Promise<ArrayBuffer>;
}

function subtle(operation: string): SubtleLike {
  const s = (globalThis as { crypto?: { subtle?: SubtleLike } }).crypto?.subtle;
  if (s === undefined) {
    throw new UnsupportedKeyError(
      `${operation} needs node:crypto or WebCrypto, and this runtime has neither; use an ECDSA or Ed25519 key`,
    );
  }
  return s;
}

const WEBCRYPTO_HASH: Record<DigestAlgorithm, string> = {
  sha256: 'SHA-256',
  sha384: 'SHA-384',
  sha512: 'SHA-512',
};

function curveOf(algorithm: KeyAlgorithm): CurveName | undefined {
  return algorithm === 'ecdsa-p256'
    ? 'P-256'
    : algorithm === 'ecdsa-p384'
      ? 'P-384'
      : algorithm === 'ecdsa-p521'
        ? 'P-521'
        : undefined;
}

export const nobleBackend: CryptoBackend = {
  name: 'noble',
  digest(algorithm, data) {
    return DIGESTS[algorithm](data);
  },
  ecPublicPoint(material: EcPrivateMaterial) {
    return CURVE_IMPL[material.curve.name].getPublicKey(material.d, false);
  },
  ed25519PublicKey(seed) {
    return ed25519.getPublicKey(seed);
  },
  async generate(algorithm) {
    const curveName = curveOf(algorithm);
    if (curveName !== undefined) {
      const d = CURVE_IMPL[curveName].utils.randomSecretKey();
      const material = { kind: 'ec', curve: CURVES[curveName], d } as const;
      return encodePkcs8(material, CURVE_IMPL[curveName].getPublicKey(d, false));
    }
    if (algorithm === 'ed25519')
      return encodePkcs8({ kind: 'ed25519', seed: ed25519.utils.randomSecretKey() });
    const s = subtle('RSA key generation');
    const bits = Number(algorithm.slice(4));
    const pair = await s.generateKey(
      {
        name: 'RSASSA-PKCS1-v1_5',
        modulusLength: bits,
        publicExponent: new Uint8Array([1, 0, 1]),
        hash: 'SHA-256',
      },
      true,
      ['sign', 'verify'],
    );
    return new Uint8Array(await s.exportKey('pkcs8', pair.privateKey));
  },
  async sign(key: PrivateKeyRecord, scheme: SignatureScheme, data: Uint8Array) {
    const m = key.material;
    if (m.kind === 'ec' && scheme.kind === 'ecdsa') {
      const hash = DIGESTS[scheme.digest](data);
      return CURVE_IMPL[m.curve.name].sign(hash, m.d, { prehash: false, format: 'der', lowS: false });
    }
    if (m.kind === 'ed25519' && scheme.kind === 'ed25519') return ed25519.sign(data, m.seed);
    if (m.kind === 'ed25519' && scheme.kind === 'ed25519ph') return ed25519ph.sign(data, m.seed);
    if (m.kind === 'rsa' && scheme.kind === 'rsa-pkcs1v15') {
      const s = subtle('RSA signing');
      if (key.prepared === undefined) {
        key.prepared = await s.importKey(
          'pkcs8',
          key.pkcs8,
          { name: 'RSASSA-PKCS1-v1_5', hash: WEBCRYPTO_HASH[scheme.digest] },
          false,
          ['sign'],
        );
      }
      return new Uint8Array(await s.sign('RSASSA-PKCS1-v1_5', key.prepared, data));
    }
    throw new UnsupportedKeyError(`a ${m.kind} key cannot make ${scheme.kind} signatures`);
  },
  verify(key: PublicKeyRecord, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array) {
    const m = key.material;
    try {
      if (m.kind === 'ec' && scheme.kind === 'ecdsa') {
        const hash = DIGESTS[scheme.digest](data);
        return CURVE_IMPL[m.curve.name].verify(signature, hash, m.point, {
          prehash: false,
          format: 'der',
          lowS: false,
        });
      }
      if (m.kind === 'ed25519' && scheme.kind === 'ed25519') return ed25519.verify(signature, data, m.key);
      if (m.kind === 'ed25519' && scheme.kind === 'ed25519ph')
        return ed25519ph.verify(signature, data, m.key);
      if (m.kind === 'rsa' && scheme.kind === 'rsa-pkcs1v15')
        return verifyRsaPkcs1(m, scheme.digest, data, signature);
    } catch {
      return false;
    }
    return false;
  },
};
