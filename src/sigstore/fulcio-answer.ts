/**
 * Fulcio's answer to `POST /api/v2/signingCert`, read and checked before anyone uses it: the
 * `SigningCertificate` JSON (fulcio `fulcio.proto` through grpc-gateway: exactly one of
 * `signedCertificateEmbeddedSct` and `signedCertificateDetachedSct`, each a `chain.certificates`
 * list of PEM, leaf first), every certificate an X.509 certificate, the leaf certifying the key
 * that asked and still valid. With a trusted root, as a verifier will later check it (the same
 * @sigstore/verify primitives `verify/keyless/sigstore-checks.ts` composes): the leaf chains to one
 * of its Fulcio CAs at the time it was issued, the chain Fulcio sent is that path, and the
 * embedded SCTs verify against its CT logs (at least one).
 *
 * Deliberately not here: HTTP and statuses (`fulcio-client.ts`), identities (the verifier's).
 * Anything wrong is a {@link FulcioResponseError}; nothing the libraries throw escapes untyped.
 */
import { X509Certificate } from '@sigstore/core';
import { verifyCertificateChain } from '@sigstore/verify/dist/key/certificate.js';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import { FulcioResponseError } from '../errors/sigstore.js';
import { bytesEqual, fromUtf8 } from '../internal/bytes.js';
import { array, nonEmptyString, object, optional, readShape, string } from '../internal/shape.js';
import { decodePemBlocks } from '../keys/pem.js';
import { trustMaterialOf } from './trust-material.js';
import type { TrustedRoot } from './trusted-root.js';

/**
 * Most certificates a chain may hold: a leaf, a few intermediates, the root. Fulcio sends three;
 * Kyverno caps a user's chain at eleven, and so does this.
 */
const MAX_CHAIN_CERTIFICATES = 11;

/** Most bytes one PEM certificate may have (64 KiB, as a keyless verifier reads one). */
const MAX_CERTIFICATE_PEM_BYTES = 64 * 1024;

const chainShape = object({
  certificates: array(nonEmptyString, { max: MAX_CHAIN_CERTIFICATES }),
});
const answerShape = object({
  signedCertificateEmbeddedSct: optional(object({ chain: chainShape })),
  signedCertificateDetachedSct: optional(
    object({ chain: chainShape, signedCertificateTimestamp: optional(string) }),
  ),
});

/** What the checks read of a certificate (@sigstore/core decodes each part when it is read). */
const CERTIFICATE_READS: ReadonlyArray<(cert: X509Certificate) => unknown> = [
  (c) => [c.publicKey, c.notBefore, c.notAfter, c.subject, c.issuer],
  // Looking up an extension decodes every extension's OID.
  (c) => c.extSCT,
];

/** A certificate Fulcio issued, checked. */
export interface IssuedCertificate {
  /** The chain as Fulcio sent it, leaf first, each DER. */
  readonly chain: readonly Uint8Array[];
  /** The leaf's validity. */
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Whether the chain and SCT were verified against a trusted root (not only the key). */
  readonly verifiedAgainstRoot: boolean;
}

function describe(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return typeof e?.cause?.message === 'string' ? `${message}: ${e.cause.message}` : message;
}

/** The answer's chain as certificates, leaf first, and whether its SCT came detached. */
function readChain(
  body: Uint8Array,
  url: string,
): { certificates: X509Certificate[]; ders: Uint8Array[]; detached: boolean } {
  const what = `the Fulcio answer from ${url}`;
  let doc: unknown;
  try {
    doc = JSON.parse(fromUtf8(body));
  } catch (cause) {
    throw new FulcioResponseError(`${what} is not JSON`, { cause });
  }
  const answer = readShape(
    doc,
    answerShape,
    what,
    (message, cause) => new FulcioResponseError(message, { cause }),
  );
  const embedded = answer.signedCertificateEmbeddedSct;
  const detached = answer.signedCertificateDetachedSct;
  if ((embedded === undefined) === (detached === undefined))
    throw new FulcioResponseError(
      `${what} must hold exactly one of signedCertificateEmbeddedSct and signedCertificateDetachedSct`,
    );
  const pems = (embedded ?? detached)?.chain.certificates ?? [];
  if (pems.length === 0) throw new FulcioResponseError(`${what} holds no certificate`);
  const ders = pems.map((pem, i) => {
    const at = `${what}: certificate ${i}`;
    if (pem.length > MAX_CERTIFICATE_PEM_BYTES)
      throw new FulcioResponseError(`${at} is larger than ${MAX_CERTIFICATE_PEM_BYTES} bytes`);
    const blocks = decodePemBlocks(pem);
    const block = blocks[0];
    if (blocks.length !== 1 || block === undefined || block.type !== 'CERTIFICATE')
      throw new FulcioResponseError(`${at} is not one PEM CERTIFICATE`);
    return block.bytes;
  });
  const certificates = ders.map((der, i) => {
    try {
      const cert = X509Certificate.parse(Buffer.from(der));
      // Reads what the checks below read, so that a malformed part fails here, typed.
      for (const read of CERTIFICATE_READS) read(cert);
      return cert;
    } catch (cause) {
      throw new FulcioResponseError(
        `${what}: certificate ${i} is not an X.509 certificate: ${describe(cause)}`,
        {
          cause,
        },
      );
    }
  });
  return { certificates, ders, detached: detached !== undefined };
}

/** The checks a trusted root allows: path to a Fulcio CA, the chain sent = that path, SCTs. */
function checkAgainstRoot(
  certificates: readonly X509Certificate[],
  trustedRoot: TrustedRoot,
  url: string,
): void {
  const [leaf] = certificates as [X509Certificate, ...X509Certificate[]];
  const material = trustMaterialOf(trustedRoot);
  let path: X509Certificate[];
  try {
    // At its issuance: the CA entry must have been valid then, whatever this machine's clock says.
    path = verifyCertificateChain(leaf.notBefore, leaf, material.certificateAuthorities);
  } catch (cause) {
    throw new FulcioResponseError(
      `the certificate from ${url} does not chain to a Fulcio CA of the trusted root: ${describe(cause)}`,
      { cause },
    );
  }
  const strayed = certificates.findIndex(
    (cert, i) => path[i] === undefined || !cert.equals(path[i] as X509Certificate),
  );
  if (strayed !== -1)
    throw new FulcioResponseError(
      `${url} sent a chain whose certificate ${strayed} is not on the path to the trusted root's CA`,
    );
  const issuer = path[1];
  if (issuer === undefined)
    throw new FulcioResponseError(`the certificate from ${url} has no issuer to check its SCT against`);
  let scts: readonly unknown[];
  try {
    scts = verifySCTs(leaf, issuer, material.ctlogs);
  } catch (cause) {
    throw new FulcioResponseError(
      `the SCT of the certificate from ${url} does not verify against the trusted root's CT logs`,
      { cause },
    );
  }
  if (scts.length === 0) throw new FulcioResponseError(`the certificate from ${url} has no embedded SCT`);
}

/**
 * Reads Fulcio's answer and checks it: the leaf certifies `publicKeyDer` and is valid at `now`;
 * with `trustedRoot`, the chain, its SCT and (so) that the SCT is embedded — a detached SCT is
 * refused then, since a verifier reads only embedded ones.
 *
 * @throws FulcioResponseError naming what is wrong.
 */
export function readIssuedCertificate(
  body: Uint8Array,
  publicKeyDer: Uint8Array,
  trustedRoot: TrustedRoot | undefined,
  url: string,
  now: Date,
): IssuedCertificate {
  const { certificates, ders, detached } = readChain(body, url);
  const leaf = certificates[0] as X509Certificate;
  if (!bytesEqual(new Uint8Array(leaf.publicKey), publicKeyDer))
    throw new FulcioResponseError(`${url} issued a certificate for another key than the one that asked`);
  if (leaf.notAfter <= now)
    throw new FulcioResponseError(
      `${url} issued a certificate that expired at ${leaf.notAfter.toISOString()} (it is ${now.toISOString()})`,
    );
  if (trustedRoot !== undefined) {
    if (detached)
      throw new FulcioResponseError(
        `${url} sent its SCT detached; verifiers read only embedded SCTs, so the certificate would not verify`,
      );
    checkAgainstRoot(certificates, trustedRoot, url);
  }
  return {
    chain: ders,
    notBefore: leaf.notBefore,
    notAfter: leaf.notAfter,
    verifiedAgainstRoot: trustedRoot !== undefined,
  };
}
