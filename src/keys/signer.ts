/** The `Signer` interface every key provider implements, and its local-key implementation. */
import { InvalidArgumentError } from '../errors/base.js';
import { throwIfAborted } from '../internal/abort.js';
import { backend } from './backend/select.js';
import { type PrivateKey, type PublicKey, privateRecord, publicRecord } from './key-objects.js';
import { type SignatureOptions, signatureScheme } from './signature-scheme.js';

/**
 * Something that signs bytes with one key: a local key (`createSigner`) or a KMS key
 * (`AwsKmsSigner`, …). `sign` receives the message, not a digest; the signer hashes it with the
 * digest its key uses (ECDSA signatures are ASN.1 DER).
 */
export interface Signer {
  /** The public key that verifies this signer's signatures. */
  publicKey(): Promise<PublicKey>;
  /** Signs `data` (the whole message; the signer hashes it as its algorithm requires). */
  sign(data: Uint8Array, options?: { signal?: AbortSignal }): Promise<Uint8Array>;
  /**
   * Keyless signers only (e.g. `fulcioSigner`): the certificate chain that binds `publicKey()` to an
   * identity, leaf first, each certificate DER. It must be valid now and for the moments signing
   * takes (a signer whose short-lived certificate is about to expire fetches a new one first).
   * `signImage` and `attestImage` store it with the signature as cosign does: the classic layer's
   * certificate and chain annotations, a bundle's `verificationMaterial.certificate`. Signers with a
   * plain key leave it out.
   */
  certificateChain?(options?: { signal?: AbortSignal }): Promise<readonly Uint8Array[]>;
}

export function assertBytes(data: unknown, what: string): asserts data is Uint8Array {
  if (!(data instanceof Uint8Array)) throw new InvalidArgumentError(`${what} must be a Uint8Array`);
}

/**
 * A `Signer` over a local private key, signing as cosign ≥ 2.6 does by default (P-256 → ECDSA
 * SHA-256, P-384 → SHA-384, P-521 → SHA-512, RSA → PKCS#1 v1.5 SHA-256, Ed25519 → pure Ed25519).
 * `options` picks another digest or Ed25519ph.
 */
export function createSigner(key: PrivateKey, options: SignatureOptions = {}): Signer {
  const record = privateRecord(key);
  const publicKey = key.publicKey;
  const scheme = signatureScheme(publicRecord(publicKey).material, options);
  return {
    async publicKey() {
      return publicKey;
    },
    async sign(data, signOptions) {
      assertBytes(data, 'data');
      throwIfAborted(signOptions?.signal, 'Signing');
      return backend().sign(record, scheme, data);
    },
  };
}
