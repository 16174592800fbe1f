/**
 * Public keys in DER: PKIX SubjectPublicKeyInfo ("PUBLIC KEY") and PKCS#1 RSAPublicKey
 * ("RSA PUBLIC KEY"), read with Go's x509 rules and written as Go writes them.
 */
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { KeyFormatError, UnsupportedKeyError } from '../errors/keys.js';
import { type CurveInfo, curveByOid, OID, REFUSED_CURVES } from './algorithms.js';
import {
  bitStringBytes,
  derBitString,
  derInteger,
  derNull,
  derOid,
  derSequence,
  encode,
  isNull,
  objectIdentifier,
  parseDer,
  sequence,
  unsignedInteger,
} from './der.js';
import { bitLength, type PublicMaterial, type RsaPublicMaterial } from './material.js';

const NOBLE_CURVES = { 'P-256': p256, 'P-384': p384, 'P-521': p521 } as const;

/** Names an algorithm OID we recognise but do not sign with, for an actionable error. */
export function refusedAlgorithmName(oid: string): string | undefined {
  switch (oid) {
    case OID.rsaPss:
      return 'RSASSA-PSS';
    case OID.x25519:
      return 'X25519';
    case OID.ed448:
      return 'Ed448';
    case OID.x448:
      return 'X448';
    case OID.dsa:
      return 'DSA';
    default:
      return undefined;
  }
}

/** The named curve of an `id-ecPublicKey` algorithm, refusing the curves cosign refuses. */
export function namedCurve(oid: string, what: string): CurveInfo {
  const curve = curveByOid(oid);
  if (curve !== undefined) return curve;
  const refused = REFUSED_CURVES[oid];
  if (refused !== undefined) {
    throw new UnsupportedKeyError(
      `ECDSA curve ${refused} not allowed: cosign accepts only P-256, P-384 and P-521 keys (${what})`,
    );
  }
  throw new UnsupportedKeyError(
    `${what}: unknown elliptic curve ${oid}; cosign accepts only P-256, P-384 and P-521`,
  );
}

/** Checks an uncompressed point lies on the curve (Go's x509 accepts only the uncompressed form). */
export function checkEcPoint(curve: CurveInfo, point: Uint8Array, what: string): void {
  if (point.length !== 1 + 2 * curve.size || point[0] !== 0x04) {
    throw new KeyFormatError(
      `${what}: the ${curve.name} public point must be uncompressed (65/97/133 bytes starting 0x04)`,
    );
  }
  try {
    NOBLE_CURVES[curve.name].Point.fromBytes(point).assertValidity();
  } catch {
    throw new KeyFormatError(`${what}: the public point is not on curve ${curve.name}`);
  }
}

export function rsaPublicMaterial(n: bigint, e: bigint, what: string): RsaPublicMaterial {
  if (n <= 0n) throw new KeyFormatError(`${what}: RSA modulus is not a positive number`);
  if (e <= 1n || e >= 2n ** 31n)
    throw new KeyFormatError(`${what}: RSA public exponent ${e} is out of range`);
  return { kind: 'rsa', n, e, bits: bitLength(n) };
}

/** Parses PKCS#1 RSAPublicKey DER. */
export function parsePkcs1PublicKey(der: Uint8Array): PublicMaterial {
  const what = 'PKCS#1 RSA public key';
  const [n, e] = sequence(parseDer(der, what), what, 2);
  return rsaPublicMaterial(
    unsignedInteger(n, `${what} modulus`),
    unsignedInteger(e, `${what} exponent`),
    what,
  );
}

/** Parses a PKIX SubjectPublicKeyInfo. */
export function parseSpki(der: Uint8Array): PublicMaterial {
  const what = 'PKIX public key';
  const [algorithm, key] = sequence(parseDer(der, what), what, 2);
  const [oidNode, params] = sequence(algorithm, `${what} algorithm`, 1, 2);
  const oid = objectIdentifier(oidNode, `${what} algorithm`);
  const keyBytes = bitStringBytes(key, `${what} key bits`);
  switch (oid) {
    case OID.ecPublicKey: {
      const curve = namedCurve(objectIdentifier(params, `${what} curve`), what);
      checkEcPoint(curve, keyBytes, what);
      return { kind: 'ec', curve, point: keyBytes };
    }
    case OID.rsaEncryption: {
      if (!isNull(params)) throw new KeyFormatError(`${what}: RSA key is missing its NULL parameters`);
      return parsePkcs1PublicKey(keyBytes);
    }
    case OID.ed25519: {
      if (params !== undefined) throw new KeyFormatError(`${what}: Ed25519 key must not have parameters`);
      if (keyBytes.length !== 32)
        throw new KeyFormatError(`${what}: Ed25519 public key must be 32 bytes, got ${keyBytes.length}`);
      return { kind: 'ed25519', key: keyBytes };
    }
    default: {
      const name = refusedAlgorithmName(oid);
      throw new UnsupportedKeyError(
        `${what}: ${name ?? `algorithm ${oid}`} keys are not supported; cosign signs with ECDSA P-256/P-384/P-521, RSA or Ed25519`,
      );
    }
  }
}

function rsaPublicKeyDer(material: RsaPublicMaterial): Uint8Array {
  return encode(derSequence(derInteger(material.n), derInteger(material.e)));
}

/** Writes a SubjectPublicKeyInfo exactly as Go's `x509.MarshalPKIXPublicKey` does. */
export function encodeSpki(material: PublicMaterial): Uint8Array {
  switch (material.kind) {
    case 'ec':
      return encode(
        derSequence(
          derSequence(derOid(OID.ecPublicKey), derOid(material.curve.oid)),
          derBitString(material.point),
        ),
      );
    case 'rsa':
      return encode(
        derSequence(
          derSequence(derOid(OID.rsaEncryption), derNull()),
          derBitString(rsaPublicKeyDer(material)),
        ),
      );
    case 'ed25519':
      return encode(derSequence(derSequence(derOid(OID.ed25519)), derBitString(material.key)));
  }
}

/** PKCS#1 RSAPublicKey DER, for `exportPublicKeyPem(key, { format: 'pkcs1' })`. */
export function encodePkcs1PublicKey(material: RsaPublicMaterial): Uint8Array {
  return rsaPublicKeyDer(material);
}
