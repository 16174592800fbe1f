/**
 * The Fulcio double's certificate authority: a self-signed root and an intermediate under it, both
 * ECDSA P-384 with SHA-384 as the public instance's (`O=sigstore.dev, CN=sigstore` and
 * `CN=sigstore-intermediate`), with the same extensions: the root keyCertSign + cRLSign and CA; the
 * intermediate the same plus `pathlen:0` and the codeSigning extended key usage, which Fulcio requires
 * of an intermediate that issues code-signing certificates (fulcio `pkg/ca/common.go`
 * `VerifyCertChain`). The intermediate signs every leaf.
 *
 * Deliberately not here: what a leaf holds (`certificate.ts`). Keys live in memory only.
 */
import { createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as pkijs from 'pkijs';
import { encodePem } from '../../../keys/pem.js';
import {
  authorityKeyIdentifier,
  caConstraints,
  certificateTime,
  distinguishedName,
  extendedKeyUsage,
  keyIdentifier,
  keyUsage,
  randomSerial,
  signCertificate,
  subjectKeyIdentifier,
  X509_OIDS,
} from '../x509.js';

/** Names and validity of the CA certificates. */
export interface CertificateAuthorityOptions {
  /** The `O=` of both certificates (default `ocisign-testing`). */
  readonly organization?: string;
  /** Validity of both certificates (default: from a day before `now` for ten years). */
  readonly notBefore?: Date;
  readonly notAfter?: Date;
}

/** One CA certificate, as bytes, PEM and parsed. */
export interface CaCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly certificate: pkijs.Certificate;
}

/** A root and the intermediate that issues leaves. */
export interface CertificateAuthority {
  readonly root: CaCertificate;
  readonly intermediate: CaCertificate;
  /** The intermediate's key identifier: every leaf's authority key identifier. */
  readonly issuerKeyId: Uint8Array;
  /** Signs `leaf` as the intermediate (its issuer name set here) and returns its DER. */
  issue(leaf: pkijs.Certificate): Uint8Array;
}

/** One day: how far before now the CA certificates start, so a slightly slow clock still trusts them. */
const CA_BACKDATE_MS = 24 * 60 * 60 * 1000;
/** Ten years, as long as the public instance's intermediate lives. */
const CA_LIFETIME_MS = 10 * 365 * 24 * 60 * 60 * 1000;

function newKey(): { privateKey: KeyObject; spki: pkijs.PublicKeyInfo } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const der = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  return { privateKey, spki: pkijs.PublicKeyInfo.fromBER(new Uint8Array(der)) };
}

function caCertificate(der: Uint8Array): CaCertificate {
  return { der, pem: encodePem('CERTIFICATE', der), certificate: pkijs.Certificate.fromBER(der) };
}

/** Creates a fresh root and intermediate (new keys each call). */
export function createCertificateAuthority(
  now: Date,
  options: CertificateAuthorityOptions = {},
): CertificateAuthority {
  const organization = options.organization ?? 'ocisign-testing';
  const notBefore = options.notBefore ?? new Date(now.getTime() - CA_BACKDATE_MS);
  const notAfter = options.notAfter ?? new Date(notBefore.getTime() + CA_LIFETIME_MS);
  const rootKey = newKey();
  const rootName = distinguishedName(organization, 'sigstore');
  const rootId = keyIdentifier(rootKey.spki);

  const root = new pkijs.Certificate({
    version: 2,
    serialNumber: randomSerial(),
    issuer: rootName,
    subject: rootName,
    notBefore: certificateTime(notBefore),
    notAfter: certificateTime(notAfter),
    subjectPublicKeyInfo: rootKey.spki,
    extensions: [
      keyUsage('keyCertSign', 'cRLSign'),
      caConstraints(),
      subjectKeyIdentifier(rootId),
      authorityKeyIdentifier(rootId),
    ],
  });
  const rootDer = signCertificate(root, rootKey.privateKey);

  const intermediateKey = newKey();
  const intermediateName = distinguishedName(organization, 'sigstore-intermediate');
  const intermediateId = keyIdentifier(intermediateKey.spki);
  const intermediate = new pkijs.Certificate({
    version: 2,
    serialNumber: randomSerial(),
    issuer: rootName,
    subject: intermediateName,
    notBefore: certificateTime(notBefore),
    notAfter: certificateTime(notAfter),
    subjectPublicKeyInfo: intermediateKey.spki,
    extensions: [
      keyUsage('keyCertSign', 'cRLSign'),
      extendedKeyUsage([X509_OIDS.codeSigning]),
      caConstraints(0),
      subjectKeyIdentifier(intermediateId),
      authorityKeyIdentifier(rootId),
    ],
  });
  const intermediateDer = signCertificate(intermediate, rootKey.privateKey);

  return {
    root: caCertificate(rootDer),
    intermediate: caCertificate(intermediateDer),
    issuerKeyId: intermediateId,
    issue(leaf) {
      leaf.issuer = intermediateName;
      return signCertificate(leaf, intermediateKey.privateKey);
    },
  };
}
