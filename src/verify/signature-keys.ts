/**
 * Which trusted key verifies a signature: over the raw payload (classic `.sig` layers) or over
 * DSSE's PAE (bundles, attestations). The first key that verifies wins; its index is what results
 * report as `keyIndex` and what thresholds count.
 */
import type { DigestAlgorithm } from '../keys/algorithms.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import { type DsseEnvelope, verifyDsseEnvelope } from '../payload/dsse.js';

/**
 * The first key (index) that verifies `signature` over `data`, or -1: with `digestAlgorithm` when
 * one is given, else the key's default, P-384/P-521 keys also trying SHA-256 (cosign ≤ 2.5).
 */
export function verifyingKey(
  keys: readonly PublicKey[],
  data: Uint8Array,
  signature: Uint8Array,
  digestAlgorithm: DigestAlgorithm | undefined,
): number {
  if (digestAlgorithm !== undefined)
    return keys.findIndex((key) => verifySignatureSync(key, data, signature, { digestAlgorithm }));
  for (const [i, key] of keys.entries()) {
    if (verifySignatureSync(key, data, signature)) return i;
    if (
      (key.algorithm === 'ecdsa-p384' || key.algorithm === 'ecdsa-p521') &&
      verifySignatureSync(key, data, signature, { digestAlgorithm: 'sha256' })
    )
      return i;
  }
  return -1;
}

/** The first trusted key that verifies one of the envelope's signatures over PAE, or -1. */
export function dsseKeyIndex(
  keys: readonly PublicKey[],
  envelope: DsseEnvelope,
  digestAlgorithm: DigestAlgorithm | undefined,
): number {
  const options = digestAlgorithm === undefined ? {} : { digestAlgorithm };
  return keys.findIndex((key) => verifyDsseEnvelope(envelope, key, options).length > 0);
}
