/** Chooses how a key signs: cosign ≥ 2.6's defaults, or what the caller asks for. */
import { InvalidArgumentError } from '../errors/base.js';
import type { DigestAlgorithm } from './algorithms.js';
import type { SignatureScheme } from './backend/types.js';
import type { PublicMaterial } from './material.js';

/** How to sign or verify; every field is optional and defaults per key as cosign ≥ 2.6 does. */
export interface SignatureOptions {
  /**
   * Digest for ECDSA and RSA keys. Defaults: P-256 → sha256, P-384 → sha384, P-521 → sha512,
   * RSA → sha256. Signatures from cosign ≤ 2.5 used sha256 with every ECDSA key: verify those with
   * `digestAlgorithm: 'sha256'` (cosign's `--signature-digest-algorithm`). Not valid for Ed25519.
   */
  readonly digestAlgorithm?: DigestAlgorithm;
  /**
   * Ed25519 keys only: `ed25519` (pure, default: what OpenSSL, sigstore-js and cosign's `sign-blob`
   * without a transparency log use) or `ed25519ph` (SHA-512 prehash, what cosign ≥ 2.6 signs with
   * when it uploads to Rekor).
   */
  readonly ed25519Variant?: 'ed25519' | 'ed25519ph';
}

const DIGESTS: readonly DigestAlgorithm[] = ['sha256', 'sha384', 'sha512'];

export function signatureScheme(material: PublicMaterial, options: SignatureOptions = {}): SignatureScheme {
  const { digestAlgorithm, ed25519Variant } = options;
  if (digestAlgorithm !== undefined && !DIGESTS.includes(digestAlgorithm)) {
    throw new InvalidArgumentError(
      `digestAlgorithm must be sha256, sha384 or sha512, got ${String(digestAlgorithm)}`,
    );
  }
  if (material.kind === 'ed25519') {
    if (digestAlgorithm !== undefined) {
      throw new InvalidArgumentError(
        'digestAlgorithm does not apply to Ed25519 keys; use ed25519Variant to choose Ed25519ph',
      );
    }
    if (ed25519Variant === undefined || ed25519Variant === 'ed25519') return { kind: 'ed25519' };
    if (ed25519Variant === 'ed25519ph') return { kind: 'ed25519ph' };
    throw new InvalidArgumentError(
      `ed25519Variant must be "ed25519" or "ed25519ph", got ${String(ed25519Variant)}`,
    );
  }
  if (ed25519Variant !== undefined)
    throw new InvalidArgumentError('ed25519Variant applies to Ed25519 keys only');
  if (material.kind === 'ec')
    return { kind: 'ecdsa', digest: digestAlgorithm ?? material.curve.defaultDigest };
  return { kind: 'rsa-pkcs1v15', digest: digestAlgorithm ?? 'sha256' };
}
