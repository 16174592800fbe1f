/** Writing keys: PKIX and PKCS#1 public PEM, PKCS#8 private PEM, and cosign's encrypted key. */
import { InvalidArgumentError } from '../errors/base.js';
import type { CosignScryptN } from './encrypted.js';
import { encryptPkcs8 } from './encrypted.js';
import { type PrivateKey, type PublicKey, privateRecord, publicRecord } from './key-objects.js';
import { encodePem } from './pem.js';
import { encodePkcs1PublicKey } from './public-der.js';

/** Options for {@link exportPublicKeyPem}. */
export interface ExportPublicKeyOptions {
  /** `pkix` (default): `PUBLIC KEY`, what cosign writes. `pkcs1`: `RSA PUBLIC KEY`, RSA keys only. */
  readonly format?: 'pkix' | 'pkcs1';
}

/** PEM of a public key with a trailing newline; by default PKIX `PUBLIC KEY`, byte-identical to `cosign.pub`. */
export function exportPublicKeyPem(key: PublicKey, options: ExportPublicKeyOptions = {}): string {
  const record = publicRecord(key);
  if (options.format === undefined || options.format === 'pkix') return encodePem('PUBLIC KEY', record.spki);
  if (options.format !== 'pkcs1')
    throw new InvalidArgumentError(`format must be "pkix" or "pkcs1", got ${String(options.format)}`);
  if (record.material.kind !== 'rsa')
    throw new InvalidArgumentError('The pkcs1 format ("RSA PUBLIC KEY") holds RSA keys only.');
  return encodePem('RSA PUBLIC KEY', encodePkcs1PublicKey(record.material));
}

/** Unencrypted PKCS#8 `PRIVATE KEY` PEM (as Go's `x509.MarshalPKCS8PrivateKey` encodes it). Handle with care. */
export function exportPrivateKeyPem(key: PrivateKey): string {
  return encodePem('PRIVATE KEY', privateRecord(key).pkcs8);
}

/** Options for {@link encryptCosignPrivateKey}. */
export interface EncryptCosignKeyOptions {
  /** scrypt work factor. Default 65536, as cosign ≥ 2.2 writes; 32768 is the only value cosign ≤ 2.1 reads. */
  readonly scryptN?: CosignScryptN;
  /** PEM label. Default `SIGSTORE` (cosign ≥ 2.0.1); `COSIGN` for cosign ≤ 2.0.0, which reads no other. */
  readonly label?: 'SIGSTORE' | 'COSIGN';
}

/**
 * Encrypts a private key in cosign's format (`cosign.key`): scrypt + NaCl secretbox over PKCS#8.
 * For a key every cosign version can load, pass `{ label: 'COSIGN', scryptN: 32768 }`.
 */
export async function encryptCosignPrivateKey(
  key: PrivateKey,
  password: string,
  options: EncryptCosignKeyOptions = {},
): Promise<string> {
  return encryptPkcs8(privateRecord(key).pkcs8, password, options);
}
