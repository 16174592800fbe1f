/**
 * The seam between key handling and the crypto implementation. Two backends implement it: node:crypto
 * (fast, used wherever it exists) and a pure-JS one on @noble/curves for runtimes without it.
 */
import type { DigestAlgorithm, KeyAlgorithm } from '../algorithms.js';
import type { EcPrivateMaterial, PrivateMaterial, PublicMaterial } from '../material.js';

/** How a signature is computed; chosen per key by `signatureScheme()`. */
export type SignatureScheme =
  | { readonly kind: 'ecdsa'; readonly digest: DigestAlgorithm }
  | { readonly kind: 'rsa-pkcs1v15'; readonly digest: DigestAlgorithm }
  | { readonly kind: 'ed25519' }
  | { readonly kind: 'ed25519ph' };

/** A parsed public key with a slot where a backend caches its own prepared form. */
export interface PublicKeyRecord {
  readonly material: PublicMaterial;
  /** PKIX SubjectPublicKeyInfo DER. */
  readonly spki: Uint8Array;
  prepared?: unknown;
}

/** A parsed private key with a slot where a backend caches its own prepared form. */
export interface PrivateKeyRecord {
  readonly material: PrivateMaterial;
  /** PKCS#8 DER, as Go writes it. */
  readonly pkcs8: Uint8Array;
  prepared?: unknown;
}

export interface CryptoBackend {
  readonly name: 'node' | 'noble';
  digest(algorithm: DigestAlgorithm, data: Uint8Array): Uint8Array;
  /** The uncompressed public point `04 ‖ X ‖ Y` of an EC private key. */
  ecPublicPoint(material: EcPrivateMaterial): Uint8Array;
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** A fresh key as PKCS#8 DER. */
  generate(algorithm: KeyAlgorithm): Promise<Uint8Array>;
  sign(key: PrivateKeyRecord, scheme: SignatureScheme, data: Uint8Array): Promise<Uint8Array>;
  /** False for any signature that does not verify, including malformed ones; never throws for those. */
  verify(key: PublicKeyRecord, scheme: SignatureScheme, data: Uint8Array, signature: Uint8Array): boolean;
}
