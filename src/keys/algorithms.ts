/**
 * The key and signature algorithms ocisign signs and verifies with, and cosign's default pairing of
 * the two. Pure data: no crypto happens here.
 */

/** A key's type and size, as the public API names it. */
export type KeyAlgorithm =
  | 'ecdsa-p256'
  | 'ecdsa-p384'
  | 'ecdsa-p521'
  | 'rsa-2048'
  | 'rsa-3072'
  | 'rsa-4096'
  | 'ed25519';

/** The digest used with ECDSA and RSA signatures (cosign's `--signature-digest-algorithm`). */
export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';

/** The NIST curves cosign accepts. */
export type CurveName = 'P-256' | 'P-384' | 'P-521';

export interface CurveInfo {
  readonly name: CurveName;
  readonly oid: string;
  /** Bytes in one field element (and in a private scalar). */
  readonly size: number;
  /** The digest cosign ≥ 2.6 pairs with this curve. */
  readonly defaultDigest: DigestAlgorithm;
  readonly algorithm: KeyAlgorithm;
}

export const CURVES: Readonly<Record<CurveName, CurveInfo>> = {
  'P-256': {
    name: 'P-256',
    oid: '1.2.840.10045.3.1.7',
    size: 32,
    defaultDigest: 'sha256',
    algorithm: 'ecdsa-p256',
  },
  'P-384': { name: 'P-384', oid: '1.3.132.0.34', size: 48, defaultDigest: 'sha384', algorithm: 'ecdsa-p384' },
  'P-521': { name: 'P-521', oid: '1.3.132.0.35', size: 66, defaultDigest: 'sha512', algorithm: 'ecdsa-p521' },
};

/** Curves we recognise only to refuse them with their name (cosign: "ECDSA curve P-224 not allowed"). */
export const REFUSED_CURVES: Readonly<Record<string, string>> = {
  '1.3.132.0.33': 'P-224',
  '1.3.132.0.10': 'secp256k1',
  '1.2.840.10045.3.1.1': 'P-192',
  '1.3.36.3.3.2.8.1.1.7': 'brainpoolP256r1',
  '1.3.36.3.3.2.8.1.1.11': 'brainpoolP384r1',
  '1.3.36.3.3.2.8.1.1.13': 'brainpoolP512r1',
};

export const OID = {
  ecPublicKey: '1.2.840.10045.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsaPss: '1.2.840.113549.1.1.10',
  ed25519: '1.3.101.112',
  x25519: '1.3.101.110',
  ed448: '1.3.101.113',
  x448: '1.3.101.111',
  dsa: '1.2.840.10040.4.1',
} as const;

/** RSA modulus sizes cosign accepts (sigstore goodkey, the Let's Encrypt policy). */
export const RSA_SIZES = [2048, 3072, 4096] as const;
export type RsaSize = (typeof RSA_SIZES)[number];

export function curveByOid(oid: string): CurveInfo | undefined {
  for (const curve of Object.values(CURVES)) if (curve.oid === oid) return curve;
  return undefined;
}

/** Every key algorithm ocisign generates and signs with. */
export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = [
  'ecdsa-p256',
  'ecdsa-p384',
  'ecdsa-p521',
  'rsa-2048',
  'rsa-3072',
  'rsa-4096',
  'ed25519',
];
