/** Signature verification with a public key. */
import { backend } from './backend/select.js';
import { type PublicKey, publicRecord } from './key-objects.js';
import { type SignatureOptions, signatureScheme } from './signature-scheme.js';
import { assertBytes } from './signer.js';

/**
 * Verifies `signature` over `data` (the message, not its digest) with cosign's default algorithm
 * for the key, or the one `options` names. ECDSA signatures are ASN.1 DER; high-S signatures are
 * valid, as in Go and OpenSSL.
 *
 * @returns true when the signature verifies, false for any signature that does not (including
 *   malformed ones). Throws only for bad arguments.
 */
export async function verifySignature(
  key: PublicKey,
  data: Uint8Array,
  signature: Uint8Array,
  options: SignatureOptions = {},
): Promise<boolean> {
  return verifySignatureSync(key, data, signature, options);
}

/** The same as {@link verifySignature}, synchronously: for hot loops that verify many signatures. */
export function verifySignatureSync(
  key: PublicKey,
  data: Uint8Array,
  signature: Uint8Array,
  options: SignatureOptions = {},
): boolean {
  const record = publicRecord(key);
  assertBytes(data, 'data');
  assertBytes(signature, 'signature');
  return backend().verify(record, signatureScheme(record.material, options), data, signature);
}
