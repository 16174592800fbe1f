/**
 * A transparency log's signing key, made fresh with node:crypto for each double: ECDSA P-256 (what
 * Rekor v1 signs SETs and checkpoints with, `rekor.sigstore.dev`) or Ed25519 (what the public Rekor
 * v2 logs sign their checkpoints with, `log2025-1.rekor.sigstore.dev`). Signatures are what Go's
 * `signature.Signer.SignMessage` makes: ECDSA-SHA256 as ASN.1 DER, pure Ed25519.
 * Deliberately not here: loading a caller's key — a double's key lives and dies with it.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { encodePem } from '../../../keys/pem.js';

/** The key types a log double can sign with. */
export type LogKeyAlgorithm = 'ecdsa-p256' | 'ed25519';

/** A log's key pair; the private half never leaves the double. */
export interface LogKey {
  readonly algorithm: LogKeyAlgorithm;
  /** protobuf-specs `PublicKeyDetails` of the key, as a trusted root names it. */
  readonly keyDetails: 'PKIX_ECDSA_P256_SHA_256' | 'PKIX_ED25519';
  /** PKIX SubjectPublicKeyInfo DER. */
  readonly publicKeyDer: Uint8Array;
  /** `PUBLIC KEY` PEM with a trailing newline, as Rekor's `/api/v1/log/publicKey` serves it. */
  readonly publicKeyPem: string;
  /** SHA-256 of {@link publicKeyDer}: a Rekor v1 log ID, and every ECDSA note key hash. */
  readonly derSha256: Uint8Array;
  /** Signs `message` (ECDSA over its SHA-256; Ed25519 over the message itself). */
  sign(message: Uint8Array): Uint8Array;
}

/** A new key of `algorithm`. */
export function generateLogKey(algorithm: LogKeyAlgorithm): LogKey {
  const { privateKey } =
    algorithm === 'ed25519'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return logKeyOf(algorithm, privateKey);
}

function logKeyOf(algorithm: LogKeyAlgorithm, privateKey: KeyObject): LogKey {
  const publicKeyDer = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  return Object.freeze({
    algorithm,
    keyDetails: algorithm === 'ed25519' ? 'PKIX_ED25519' : 'PKIX_ECDSA_P256_SHA_256',
    publicKeyDer,
    publicKeyPem: encodePem('PUBLIC KEY', publicKeyDer),
    derSha256: new Uint8Array(createHash('sha256').update(publicKeyDer).digest()),
    sign: (message: Uint8Array) =>
      new Uint8Array(sign(algorithm === 'ed25519' ? null : 'sha256', message, privateKey)),
  });
}
