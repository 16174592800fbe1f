/**
 * The verification material of a proposed entry, read as Rekor reads it. Rekor v1 (`pkg/pki/x509`
 * `NewPublicKey`): PEM, trimmed; one `PUBLIC KEY` or `CERTIFICATE` block, or a chain of up to ten
 * certificates (each signed by the next; the first one's key verifies), and its canonical value —
 * the key re-encoded as PKIX PEM, or the certificates' PEM — is what the log stores. Rekor v2: a
 * DER public key or a DER certificate. Deliberately not here: chain validity beyond the signature
 * links (Rekor checks them at the leaf's NotBefore with any key usage; certificates here are the
 * caller's own).
 */
import { createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { fromUtf8 } from '../../../internal/bytes.js';
import { decodePemBlocks, encodePem } from '../../../keys/pem.js';
import { InvalidEntry } from './refusal.js';

/** A proposed verifier: the key that must verify, and what Rekor logs for it. */
export interface ProposedVerifier {
  readonly key: KeyObject;
  /** `CanonicalValue()`: PKIX `PUBLIC KEY` PEM, or the certificate (chain) as PEM. */
  readonly canonicalPem: string;
}

/** Rekor's limit on a proposed certificate chain (`UnmarshalCertificatesFromPEMLimited(…, 10)`). */
const MAX_CHAIN = 10;

function publicKeyOfDer(der: Uint8Array): KeyObject {
  try {
    return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new InvalidEntry(`x509: failed to parse public key: ${(cause as Error).message}`);
  }
}

function certificateOfDer(der: Uint8Array): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(der));
  } catch (cause) {
    throw new InvalidEntry(`x509: malformed certificate: ${(cause as Error).message}`);
  }
}

/** Whether `issuer`'s key verifies `certificate`'s signature (false for a key node cannot use). */
function signedBy(certificate: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return certificate.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/** The canonical PKIX PEM of a key (Go's `MarshalPublicKeyToPEM` re-encodes the key). */
export function canonicalKeyPem(key: KeyObject): string {
  return encodePem('PUBLIC KEY', new Uint8Array(key.export({ type: 'spki', format: 'der' })));
}

/** Reads a Rekor v1 verifier: the PEM bytes a proposed entry carries (already base64-decoded). */
export function readPemVerifier(pem: Uint8Array): ProposedVerifier {
  const blocks = decodePemBlocks(fromUtf8(pem).trim());
  const [first] = blocks;
  if (first === undefined) throw new InvalidEntry('invalid public key: failure decoding PEM');
  if (blocks.length > 1) {
    if (blocks.length > MAX_CHAIN)
      throw new InvalidEntry(`provided PEM data contains more than ${MAX_CHAIN} certificates`);
    if (blocks.some((b) => b.type !== 'CERTIFICATE'))
      throw new InvalidEntry('error during PEM decoding: found a block that is not a certificate');
    const chain = blocks.map((b) => certificateOfDer(b.bytes));
    for (let i = 0; i + 1 < chain.length; i++) {
      if (!signedBy(chain[i] as X509Certificate, chain[i + 1] as X509Certificate))
        throw new InvalidEntry('x509: certificate signed by unknown authority');
    }
    return {
      key: (chain[0] as X509Certificate).publicKey,
      canonicalPem: blocks.map((b) => encodePem('CERTIFICATE', b.bytes)).join(''),
    };
  }
  if (first.type === 'PUBLIC KEY') {
    const key = publicKeyOfDer(first.bytes);
    return { key, canonicalPem: canonicalKeyPem(key) };
  }
  if (first.type === 'CERTIFICATE')
    return {
      key: certificateOfDer(first.bytes).publicKey,
      canonicalPem: encodePem('CERTIFICATE', first.bytes),
    };
  throw new InvalidEntry(`invalid public key: cannot handle type ${first.type}`);
}

/** Reads a Rekor v2 verifier: a DER public key or a DER certificate; the key that must verify. */
export function readDerVerifier(material: {
  readonly publicKeyDer?: Uint8Array | undefined;
  readonly certificateDer?: Uint8Array | undefined;
}): KeyObject {
  if (material.publicKeyDer !== undefined) return publicKeyOfDer(material.publicKeyDer);
  if (material.certificateDer !== undefined) return certificateOfDer(material.certificateDer).publicKey;
  throw new InvalidEntry('must contain either a public key or X.509 certificate');
}
