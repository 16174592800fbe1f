/**
 * Private keys in DER: PKCS#8 PrivateKeyInfo ("PRIVATE KEY"), SEC1 ECPrivateKey ("EC PRIVATE KEY")
 * and PKCS#1 RSAPrivateKey ("RSA PRIVATE KEY"), read with Go's x509 rules. Written only as PKCS#8,
 * byte-for-byte as Go's `x509.MarshalPKCS8PrivateKey`, which is what cosign encrypts.
 */
import { KeyFormatError, UnsupportedKeyError } from '../errors/keys.js';
import { bigIntToBytes, bytesToBigInt } from '../internal/bytes.js';
import { type CurveInfo, OID } from './algorithms.js';
import {
  derBitString,
  derExplicit,
  derInteger,
  derNull,
  derOctetString,
  derOid,
  derSequence,
  encode,
  explicitTag,
  isNull,
  objectIdentifier,
  octetString,
  parseDer,
  sequence,
  smallInteger,
  unsignedInteger,
} from './der.js';
import {
  bitLength,
  type EcPrivateMaterial,
  type PrivateMaterial,
  type RsaPrivateMaterial,
} from './material.js';
import { namedCurve, refusedAlgorithmName } from './public-der.js';

/** Curve orders, for the `0 < d < n` check Go applies to EC private keys. */
const CURVE_ORDERS: Readonly<Record<string, bigint>> = {
  'P-256': 0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551n,
  'P-384':
    0xffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973n,
  'P-521':
    0x01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409n,
};

/** Parses SEC1 ECPrivateKey DER; `curveFromPkcs8` is the curve named by an enclosing PKCS#8. */
export function parseSec1PrivateKey(der: Uint8Array, curveFromPkcs8?: CurveInfo): EcPrivateMaterial {
  const what = 'SEC1 EC private key';
  const items = sequence(parseDer(der, what), what, 2, 4);
  if (smallInteger(items[0], `${what} version`) !== 1)
    throw new KeyFormatError(`${what}: unknown version (expected 1)`);
  const scalar = octetString(items[1], `${what} scalar`);
  let curve = curveFromPkcs8;
  const params = explicitTag(items[2], 0, what);
  if (curve === undefined) {
    if (params === undefined)
      throw new KeyFormatError(`${what}: the curve is not named ([0] parameters missing)`);
    curve = namedCurve(objectIdentifier(params, `${what} curve`), what);
  }
  return ecPrivateMaterial(curve, scalar, what);
}

function ecPrivateMaterial(curve: CurveInfo, scalar: Uint8Array, what: string): EcPrivateMaterial {
  // Like Go: tolerate leading zero padding, and scalars shorter than the curve size (old OpenSSL).
  let bytes = scalar;
  while (bytes.length > curve.size) {
    if (bytes[0] !== 0)
      throw new KeyFormatError(`${what}: private scalar is longer than the ${curve.name} order`);
    bytes = bytes.subarray(1);
  }
  const d = bytesToBigInt(bytes);
  const order = CURVE_ORDERS[curve.name] as bigint;
  if (d === 0n || d >= order)
    throw new KeyFormatError(`${what}: private scalar is out of range for ${curve.name}`);
  return { kind: 'ec', curve, d: bigIntToBytes(d, curve.size) };
}

/** Parses PKCS#1 RSAPrivateKey DER, checking its numbers agree (Go's `Validate`). */
export function parsePkcs1PrivateKey(der: Uint8Array): RsaPrivateMaterial {
  const what = 'PKCS#1 RSA private key';
  const items = sequence(parseDer(der, what), what, 9, 10);
  const version = smallInteger(items[0], `${what} version`);
  if (version !== 0 || items.length !== 9) {
    throw new UnsupportedKeyError(`${what}: multi-prime RSA keys are not supported; use a two-prime key`);
  }
  // The CRT values in the file are recomputed, never trusted: wrong ones would make faulty signatures.
  const [n, e, d, p, q] = items
    .slice(1)
    .map((item, i) => unsignedInteger(item, `${what} field ${i + 1}`)) as [
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
    bigint,
  ];
  if (n <= 0n || p <= 1n || q <= 1n) throw new KeyFormatError(`${what}: modulus or primes are not positive`);
  if (e <= 1n || e >= 2n ** 31n) throw new KeyFormatError(`${what}: public exponent ${e} is out of range`);
  if (p * q !== n) throw new KeyFormatError(`${what}: the primes do not multiply to the modulus`);
  if ((d * e) % (p - 1n) !== 1n || (d * e) % (q - 1n) !== 1n) {
    throw new KeyFormatError(`${what}: the private exponent does not match the public exponent`);
  }
  return {
    kind: 'rsa',
    n,
    e,
    d,
    p,
    q,
    dp: d % (p - 1n),
    dq: d % (q - 1n),
    qi: modInverse(q, p),
    bits: bitLength(n),
  };
}

function modInverse(a: bigint, m: bigint): bigint {
  let [oldR, r] = [a % m, m];
  let [oldS, s] = [1n, 0n];
  while (r !== 0n) {
    const quotient = oldR / r;
    [oldR, r] = [r, oldR - quotient * r];
    [oldS, s] = [s, oldS - quotient * s];
  }
  return ((oldS % m) + m) % m;
}

/** Parses PKCS#8 PrivateKeyInfo (or OneAsymmetricKey v1) DER. */
export function parsePkcs8PrivateKey(der: Uint8Array): PrivateMaterial {
  const what = 'PKCS#8 private key';
  const items = sequence(parseDer(der, what), what, 3, 5);
  const version = smallInteger(items[0], `${what} version`);
  if (version > 1) throw new KeyFormatError(`${what}: unknown version ${version}`);
  const [oidNode, params] = sequence(items[1], `${what} algorithm`, 1, 2);
  const oid = objectIdentifier(oidNode, `${what} algorithm`);
  const inner = octetString(items[2], `${what} key`);
  switch (oid) {
    case OID.ecPublicKey:
      return parseSec1PrivateKey(inner, namedCurve(objectIdentifier(params, `${what} curve`), what));
    case OID.rsaEncryption:
      if (params !== undefined && !isNull(params))
        throw new KeyFormatError(`${what}: RSA parameters must be NULL`);
      return parsePkcs1PrivateKey(inner);
    case OID.ed25519: {
      if (params !== undefined) throw new KeyFormatError(`${what}: Ed25519 key must not have parameters`);
      const seed = octetString(parseDer(inner, `${what} Ed25519 seed`), `${what} Ed25519 seed`);
      if (seed.length !== 32)
        throw new KeyFormatError(`${what}: Ed25519 seed must be 32 bytes, got ${seed.length}`);
      return { kind: 'ed25519', seed };
    }
    default: {
      const name = refusedAlgorithmName(oid);
      throw new UnsupportedKeyError(
        `${what}: ${name ?? `algorithm ${oid}`} keys are not supported; cosign signs with ECDSA P-256/P-384/P-521, RSA or Ed25519`,
      );
    }
  }
}

/**
 * PKCS#8 DER exactly as Go's `x509.MarshalPKCS8PrivateKey` writes it. EC keys carry their public
 * point (computed by the caller's backend) in SEC1's `[1]` field and omit `[0]`, as Go does.
 */
export function encodePkcs8(material: PrivateMaterial, ecPublicPoint?: Uint8Array): Uint8Array {
  switch (material.kind) {
    case 'ec': {
      if (ecPublicPoint === undefined) throw new TypeError('encodePkcs8: EC keys need their public point');
      const sec1 = derSequence(
        derInteger(1),
        derOctetString(material.d),
        derExplicit(1, derBitString(ecPublicPoint)),
      );
      return encode(
        derSequence(
          derInteger(0),
          derSequence(derOid(OID.ecPublicKey), derOid(material.curve.oid)),
          derOctetString(encode(sec1)),
        ),
      );
    }
    case 'rsa': {
      const m = material;
      const pkcs1 = derSequence(...[0n, m.n, m.e, m.d, m.p, m.q, m.dp, m.dq, m.qi].map((v) => derInteger(v)));
      return encode(
        derSequence(
          derInteger(0),
          derSequence(derOid(OID.rsaEncryption), derNull()),
          derOctetString(encode(pkcs1)),
        ),
      );
    }
    case 'ed25519':
      return encode(
        derSequence(
          derInteger(0),
          derSequence(derOid(OID.ed25519)),
          derOctetString(encode(derOctetString(material.seed))),
        ),
      );
  }
}
