/**
 * The protobuf-specs `PublicKeyDetails` name of each key ocisign reads: what a trusted root's
 * `publicKey.keyDetails` and a Rekor v2 verifier's `keyDetails` say about the key and its digest.
 */
import type { PublicKey } from '../keys/key-objects.js';

const KEY_DETAILS: Record<PublicKey['algorithm'], string> = {
  'ecdsa-p256': 'PKIX_ECDSA_P256_SHA_256',
  'ecdsa-p384': 'PKIX_ECDSA_P384_SHA_384',
  'ecdsa-p521': 'PKIX_ECDSA_P521_SHA_512',
  'rsa-2048': 'PKIX_RSA_PKCS1V15_2048_SHA256',
  'rsa-3072': 'PKIX_RSA_PKCS1V15_3072_SHA256',
  'rsa-4096': 'PKIX_RSA_PKCS1V15_4096_SHA256',
  ed25519: 'PKIX_ED25519',
};

/** The `PublicKeyDetails` name of `key` (ECDSA with its curve's digest, RSA PKCS#1 v1.5 SHA-256, Ed25519). */
export function keyDetailsOf(key: PublicKey): string {
  return KEY_DETAILS[key.algorithm];
}
