/**
 * A Fulcio code-signing certificate, issued the way Fulcio issues one with a CT log (fulcio
 * `pkg/ca/common.go` `MakeX509`, `pkg/ca/baseca/baseca.go`): the template — empty subject,
 * `notBefore` now and `notAfter` ten minutes later, keyUsage digitalSignature (critical), extended
 * key usage codeSigning, the principal's critical subject alternative name and Fulcio extensions —
 * is first signed as a **precertificate** with the critical poison extension appended; the CT log
 * answers it with an SCT; the final certificate is the precertificate with the poison replaced by
 * the SCT list extension (same serial, validity and extension order), signed again.
 *
 * Like the public instance's certificates (and unlike what Go's `x509.CreateCertificate` writes for
 * a leaf on its own), leaves carry a subject key identifier, between the extended key usage and the
 * authority key identifier.
 *
 * Deliberately not here: who the certificate is for (`principal.ts`), or the HTTP exchange.
 */
import * as pkijs from 'pkijs';
import {
  authorityKeyIdentifier,
  certificateTime,
  extendedKeyUsage,
  keyIdentifier,
  keyUsage,
  randomSerial,
  subjectKeyIdentifier,
  X509_OIDS,
} from '../x509.js';
import type { CertificateAuthority } from './ca.js';
import { CT_POISON_OID, type CtLog, poisonExtension, sctListExtension } from './ct-log.js';

/** What a leaf certifies, for how long. */
export interface LeafRequest {
  /** The DER SubjectPublicKeyInfo of the key certified. */
  readonly publicKey: Uint8Array;
  /** The subject alternative name extension. */
  readonly subjectAltName: pkijs.Extension;
  /** Fulcio's extensions, in the order written. */
  readonly extensions: readonly pkijs.Extension[];
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/** How an issue goes wrong on purpose (faults for tests). */
export interface IssueFaults {
  /** The SCT is signed by a key that is not the CT log's. */
  readonly forgedSct?: boolean;
}

/** A final certificate and the precertificate it was made from. */
export interface IssuedLeaf {
  readonly der: Uint8Array;
  readonly precertificate: Uint8Array;
}

function template(ca: CertificateAuthority, request: LeafRequest): pkijs.Certificate {
  const spki = pkijs.PublicKeyInfo.fromBER(request.publicKey);
  return new pkijs.Certificate({
    version: 2,
    serialNumber: randomSerial(),
    subject: new pkijs.RelativeDistinguishedNames(),
    notBefore: certificateTime(request.notBefore),
    notAfter: certificateTime(request.notAfter),
    subjectPublicKeyInfo: spki,
    extensions: [
      keyUsage('digitalSignature'),
      extendedKeyUsage([X509_OIDS.codeSigning]),
      subjectKeyIdentifier(keyIdentifier(spki)),
      authorityKeyIdentifier(ca.issuerKeyId),
      request.subjectAltName,
      ...request.extensions,
    ],
  });
}

/** Issues a precertificate, has `ctLog` timestamp it at `now`, and issues the final certificate. */
export function issueLeaf(
  ca: CertificateAuthority,
  ctLog: CtLog,
  request: LeafRequest,
  now: Date,
  faults: IssueFaults = {},
): IssuedLeaf {
  const precert = template(ca, request);
  precert.extensions = [...(precert.extensions ?? []), poisonExtension()];
  const precertificate = ca.issue(precert);
  const sct = ctLog.addPreChain(precertificate, ca.intermediate.der, now, faults.forgedSct);
  const final = pkijs.Certificate.fromBER(precertificate);
  final.extensions = [
    ...(final.extensions ?? []).filter((e) => e.extnID !== CT_POISON_OID),
    sctListExtension([sct]),
  ];
  return { der: ca.issue(final), precertificate };
}
