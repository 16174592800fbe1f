/**
 * The signature checks Rekor runs on a proposed entry, and the algorithm policy it applies first:
 * a signature over a digest (hashedrekord: `options.WithDigest`, Ed25519 as Ed25519ph) and over a
 * message (DSSE: the PAE). ECDSA signatures are ASN.1 DER and high-S values pass, as in Go.
 * Deliberately not here: parsing the keys (`verifiers.ts`).
 */
import { constants, type KeyObject, publicDecrypt, verify } from 'node:crypto';
import { eddsa } from '@noble/curves/abstract/edwards.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { p256, p384, p521 } from '@noble/curves/nist.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8 } from '../../../internal/bytes.js';

/** The digests Rekor's hashedrekord accepts. */
export type DigestName = 'sha256' | 'sha384' | 'sha512';

const EC_CURVES = {
  prime256v1: { curve: p256, hash: 'sha256' },
  secp384r1: { curve: p384, hash: 'sha384' },
  secp521r1: { curve: p521, hash: 'sha512' },
} as const;

const DIGEST_INFO: Readonly<Record<DigestName, string>> = {
  sha256: '3031300d060960864801650304020105000420',
  sha384: '3041300d060960864801650304020205000430',
  sha512: '3051300d060960864801650304020305000440',
};

function ecCurve(key: KeyObject) {
  const name = key.asymmetricKeyDetails?.namedCurve;
  return name !== undefined && Object.hasOwn(EC_CURVES, name)
    ? EC_CURVES[name as keyof typeof EC_CURVES]
    : undefined;
}

/**
 * Whether the default algorithm registry of Rekor (v1 `api.AllowedClientSigningAlgorithms`,
 * rekor-tiles the same) lets `key` sign with `hash`: ECDSA P-256/SHA-256, P-384/SHA-384,
 * P-521/SHA-512, RSA 2048/3072/4096 with SHA-256, Ed25519 with SHA-512 (Ed25519ph) or, where the
 * entry says so, none (pure Ed25519: `hash` undefined).
 */
export function algorithmPermitted(key: KeyObject, hash: DigestName | undefined): boolean {
  if (key.asymmetricKeyType === 'ed25519') return hash === 'sha512' || hash === undefined;
  if (key.asymmetricKeyType === 'ec') return ecCurve(key)?.hash === hash;
  if (key.asymmetricKeyType === 'rsa')
    return hash === 'sha256' && [2048, 3072, 4096].includes(key.asymmetricKeyDetails?.modulusLength ?? 0);
  return false;
}

/** The uncompressed point `04 ‖ X ‖ Y` of an EC public key. */
function ecPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  return concatBytes(
    Uint8Array.of(4),
    new Uint8Array(Buffer.from(jwk.x ?? '', 'base64url')),
    new Uint8Array(Buffer.from(jwk.y ?? '', 'base64url')),
  );
}

/** RFC 8032 `dom2(1, "")`: the Ed25519ph domain, prefixed to what the challenge hash covers. */
function ed25519phDomain(data: Uint8Array, context: Uint8Array, prehashed: boolean): Uint8Array {
  return concatBytes(
    utf8('SigEd25519 no Ed25519 collisions'),
    Uint8Array.of(prehashed ? 1 : 0, context.length),
    context,
    data,
  );
}

let ed25519phOverDigest: ReturnType<typeof eddsa> | undefined;

/** Ed25519ph whose "message" is already the SHA-512 digest (what Go's `WithDigest` verifies). */
function ed25519phDigestVerifier(): ReturnType<typeof eddsa> {
  ed25519phOverDigest ??= eddsa(ed25519.Point, sha512, {
    domain: ed25519phDomain,
    prehash: (digest: Uint8Array) => digest,
  });
  return ed25519phOverDigest;
}

/** Does `signature` verify over the precomputed `digest` (of `hash`) with `key`? Never throws. */
export function verifyDigestSignature(
  key: KeyObject,
  hash: DigestName,
  digest: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (key.asymmetricKeyType === 'ec') {
      const curve = ecCurve(key)?.curve;
      if (curve === undefined) return false;
      return curve.verify(signature, digest, ecPoint(key), { prehash: false, format: 'der', lowS: false });
    }
    if (key.asymmetricKeyType === 'rsa') {
      const decoded = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
      return decoded.equals(Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest]));
    }
    if (key.asymmetricKeyType === 'ed25519') {
      const raw = new Uint8Array(key.export({ format: 'der', type: 'spki' })).subarray(-32);
      return hash === 'sha512' && ed25519phDigestVerifier().verify(signature, digest, raw);
    }
    return false;
  } catch {
    return false;
  }
}

/**
 * Does `signature` verify over `message` with `key`: ECDSA and RSA PKCS#1 v1.5 over its `hash`,
 * Ed25519 over the message itself (sigstore's `LoadVerifier(key, hash)`)? Never throws.
 */
export function verifyMessageSignature(
  key: KeyObject,
  hash: DigestName,
  message: Uint8Array,
  signature: Uint8Array,
): boolean {
  try {
    if (key.asymmetricKeyType === 'ed25519') return verify(null, message, key, signature);
    if (key.asymmetricKeyType === 'ec') return verify(hash, message, { key, dsaEncoding: 'der' }, signature);
    if (key.asymmetricKeyType === 'rsa')
      return verify(hash, message, { key, padding: constants.RSA_PKCS1_PADDING }, signature);
    return false;
  } catch {
    return false;
  }
}
