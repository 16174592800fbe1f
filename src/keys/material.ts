/**
 * The parsed contents of a key, independent of how it was encoded. Internal to the keys layer:
 * users see `PublicKey` and `PrivateKey`, which wrap these.
 */
import type { CurveInfo } from './algorithms.js';

export interface EcPublicMaterial {
  readonly kind: 'ec';
  readonly curve: CurveInfo;
  /** The uncompressed point, `04 ‖ X ‖ Y`. */
  readonly point: Uint8Array;
}

export interface RsaPublicMaterial {
  readonly kind: 'rsa';
  readonly n: bigint;
  readonly e: bigint;
  /** Modulus length in bits. */
  readonly bits: number;
}

export interface Ed25519PublicMaterial {
  readonly kind: 'ed25519';
  readonly key: Uint8Array;
}

export type PublicMaterial = EcPublicMaterial | RsaPublicMaterial | Ed25519PublicMaterial;

export interface EcPrivateMaterial {
  readonly kind: 'ec';
  readonly curve: CurveInfo;
  /** The private scalar, left-padded to the curve size. */
  readonly d: Uint8Array;
}

export interface RsaPrivateMaterial {
  readonly kind: 'rsa';
  readonly n: bigint;
  readonly e: bigint;
  readonly d: bigint;
  readonly p: bigint;
  readonly q: bigint;
  readonly dp: bigint;
  readonly dq: bigint;
  readonly qi: bigint;
  readonly bits: number;
}

export interface Ed25519PrivateMaterial {
  readonly kind: 'ed25519';
  /** The 32-byte seed (RFC 8032 private key). */
  readonly seed: Uint8Array;
}

export type PrivateMaterial = EcPrivateMaterial | RsaPrivateMaterial | Ed25519PrivateMaterial;

export function bitLength(n: bigint): number {
  return n === 0n ? 0 : n.toString(2).length;
}
