/**
 * What a signer's identity looks like where a signature is stored: the public key (a bundle's key
 * hint, the duplicate check) or, for keyless signers, the certificate chain it hands out — the
 * classic layer's certificate and chain annotations, a bundle's certificate, the Rekor entry's
 * verifier. It is read once per signature, right after signing and before the log and the TSA are
 * asked: the times they record (the signing time verifiers check the certificate at) come later
 * still, and a signer keeps one key for its life (`fulcioSigner` renews only the certificate). Read
 * after signing, a key signer's `publicKey()` — which takes no signal — is never left pending by an
 * aborted signature.
 *
 * Deliberately not here: renewing certificates (the signer's job, e.g. `fulcioSigner`).
 */
import { X509Certificate } from '@sigstore/core';
import { InvalidArgumentError } from '../errors/base.js';
import { bytesEqual } from '../internal/bytes.js';
import { publicKeyHint } from '../keys/fingerprint.js';
import type { PublicKey } from '../keys/key-objects.js';
import { encodePem } from '../keys/pem.js';
import type { Signer } from '../keys/signer.js';
import type { RekorVerifier } from '../sigstore/rekor-client.js';

/** A signer's identity in the forms storage needs. */
export interface SignerMaterial {
  readonly publicKey: PublicKey;
  /** Who verifies the signature in the Rekor entry: the key, or the leaf certificate. */
  readonly verifier: RekorVerifier;
  /** A bundle's verification material: the key hint, or the leaf's DER. */
  readonly bundleIdentity: { readonly publicKeyHint: string } | { readonly certificate: Uint8Array };
  /** The classic layer's `certificate` and `chain` annotations (PEM); empty for a key. */
  readonly layerCertificates: { readonly certificate?: string; readonly chain?: string };
}

function leafKeyMatches(leaf: Uint8Array, publicKey: PublicKey): boolean {
  try {
    return bytesEqual(new Uint8Array(X509Certificate.parse(Buffer.from(leaf)).publicKey), publicKey.toDer());
  } catch (cause) {
    throw new InvalidArgumentError(
      'the signer’s certificateChain() returned a leaf that is not a certificate',
      {
        cause,
      },
    );
  }
}

/**
 * The material of `signer` for the next signature.
 *
 * @throws InvalidArgumentError when `certificateChain()` returns no certificate, or a leaf that does
 * not certify `publicKey()`.
 */
export async function signerMaterial(
  signer: Signer,
  signal: AbortSignal | undefined,
): Promise<SignerMaterial> {
  const chain =
    signer.certificateChain === undefined
      ? undefined
      : await signer.certificateChain(signal === undefined ? {} : { signal });
  const publicKey = await signer.publicKey();
  if (chain === undefined)
    return {
      publicKey,
      verifier: { publicKey },
      bundleIdentity: { publicKeyHint: publicKeyHint(publicKey) },
      layerCertificates: {},
    };
  const [leaf, ...rest] = chain;
  if (!(leaf instanceof Uint8Array) || !rest.every((c) => c instanceof Uint8Array))
    throw new InvalidArgumentError(
      'the signer’s certificateChain() must return DER certificates, leaf first',
    );
  if (!leafKeyMatches(leaf, publicKey))
    throw new InvalidArgumentError('the signer’s certificate does not certify its public key');
  return {
    publicKey,
    verifier: { certificate: leaf },
    bundleIdentity: { certificate: leaf },
    layerCertificates: {
      certificate: encodePem('CERTIFICATE', leaf),
      chain: rest.map((c) => encodePem('CERTIFICATE', c)).join(''),
    },
  };
}
