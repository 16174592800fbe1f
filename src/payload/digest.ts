/**
 * OCI content digests (`sha256:<hex>`, `sha512:<hex>`) of bytes, on node:crypto where present and
 * pure JS elsewhere: the one place a digest string is computed, for the payload layer's documents
 * and the registry's uploads and checks alike. Checking bytes against a digest as they stream by
 * is the registry's (`registry/digest.ts`); the digest grammar is `internal/reference.ts`'s.
 */
import { toHex } from '../internal/bytes.js';
import { checkDigest } from '../internal/reference.js';
import { backend } from '../keys/backend/select.js';

/** Digest algorithms ocisign computes and checks content digests with. */
export type DigestAlgorithmName = 'sha256' | 'sha512';

/** The algorithm of a digest string (`sha512:…` → sha512, else sha256); throws on a malformed digest. */
export function digestAlgorithmOf(digest: string): DigestAlgorithmName {
  return checkDigest(digest).startsWith('sha512:') ? 'sha512' : 'sha256';
}

/** `sha256:<hex>` (or sha512) of some bytes. */
export function computeDigest(bytes: Uint8Array, algorithm: DigestAlgorithmName = 'sha256'): string {
  return `${algorithm}:${toHex(backend().digest(algorithm, bytes))}`;
}

/** The `sha256:<hex>` digest of some bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return computeDigest(bytes, 'sha256');
}
