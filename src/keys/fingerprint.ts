/** Identifiers derived from a public key. */
import { toBase64, toHex } from '../internal/bytes.js';
import { backend } from './backend/select.js';
import { type PublicKey, publicRecord } from './key-objects.js';

/**
 * Base64 of SHA-256 of the PKIX DER: the `publicKey.hint` cosign writes into Sigstore bundles
 * signed with a key.
 */
export function publicKeyHint(key: PublicKey): string {
  return toBase64(backend().digest('sha256', publicRecord(key).spki));
}

/**
 * Lowercase hex SHA-256 of the PKIX DER, the same value as
 * `openssl pkey -pubin -in cosign.pub -outform DER | sha256sum`.
 */
export function publicKeyFingerprint(key: PublicKey): string {
  return toHex(backend().digest('sha256', publicRecord(key).spki));
}
