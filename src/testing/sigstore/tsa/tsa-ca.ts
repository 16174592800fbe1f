/**
 * The certificate chain of the timestamp authority double: a root, an intermediate and the TSA's
 * signing certificate, shaped as the real timestamp-authority's in-memory signer makes them
 * (timestamp-authority `pkg/signer/memory.go` `NewTimestampingCertWithChain`, certificates made by
 * Go's `x509.CreateCertificate`): ECDSA P-256 keys, `O=local` with the CNs "Test TSA Root",
 * "Test TSA Intermediate" and "Test TSA Timestamping"; the root and intermediate are CAs (critical
 * basicConstraints and keyUsage certSign|crlSign), the intermediate also carries the timeStamping
 * EKU (timestamp-authority `pkg/x509/x509.go` requires it on intermediates), and the leaf has the
 * digitalSignature key usage and a **critical** extended key usage holding only timeStamping, as
 * RFC 3161 §2.3 demands. CAs get a subject key identifier (SHA-256 of the key, truncated to 160
 * bits, as Go 1.25 computes it) and issued certificates the issuer's as authority key identifier.
 * The X.509 pieces themselves are the shared `../x509.ts`.
 *
 * Deliberately not here: the timestamps themselves (`timestamp.ts`), other key types (the real
 * in-memory signer uses only P-256), or anything for production.
 */
import { KeyObject, webcrypto } from 'node:crypto';
import * as pkijs from 'pkijs';
import {
  authorityKeyIdentifier,
  caConstraints,
  certificateTime,
  distinguishedName,
  extendedKeyUsage,
  type KeyUsageName,
  keyIdentifier,
  keyUsage,
  randomSerial,
  signCertificate,
  subjectKeyIdentifier,
  X509_OIDS,
} from '../x509.js';

/** One certificate of the chain: its DER and the private key that goes with it. */
export interface TsaCertificate {
  readonly der: Uint8Array;
  readonly certificate: pkijs.Certificate;
  readonly privateKey: webcrypto.CryptoKey;
}

/** The TSA's chain, leaf first (the order of `GET /api/v1/timestamp/certchain`). */
export interface TsaChain {
  /** The signing certificate (critical timeStamping EKU); its key signs every timestamp. */
  readonly leaf: TsaCertificate;
  readonly intermediate: TsaCertificate;
  readonly root: TsaCertificate;
}

/** Options of {@link createTsaChain}. */
export interface TsaChainOptions {
  /** The time the chain is made at (default: now); validity windows are counted from it. */
  readonly now?: Date;
  /** The WebCrypto engine pkijs signs with. */
  readonly engine: pkijs.ICryptoEngine;
}

const MINUTE = 60_000;

function addYears(date: Date, years: number): Date {
  const out = new Date(date);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

interface Issuer {
  readonly certificate: pkijs.Certificate;
  readonly privateKey: webcrypto.CryptoKey;
  readonly subjectKeyId: Uint8Array;
}

interface Template {
  readonly commonName: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly ca: boolean;
  /** Extensions after keyUsage (and basicConstraints, for CAs), in Go's order. */
  readonly extraExtensions: readonly pkijs.Extension[];
  readonly keyUsages: readonly KeyUsageName[];
}

async function issue(
  template: Template,
  issuer: Issuer | undefined,
  engine: pkijs.ICryptoEngine,
): Promise<TsaCertificate & { subjectKeyId: Uint8Array }> {
  const keys = (await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'sign',
    'verify',
  ])) as webcrypto.CryptoKeyPair;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = randomSerial();
  // PrintableStrings, as Go writes printable names.
  cert.subject = distinguishedName('local', template.commonName, 'printable');
  cert.issuer = issuer?.certificate.subject ?? cert.subject;
  cert.notBefore = certificateTime(template.notBefore);
  cert.notAfter = certificateTime(template.notAfter);
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
  const subjectKeyId = keyIdentifier(cert.subjectPublicKeyInfo, 'truncatedSha256');
  // Go's order: keyUsage, extKeyUsage, basicConstraints, subjectKeyId, authorityKeyId, then extras.
  const extensions = [keyUsage(...template.keyUsages)];
  if (template.ca) {
    extensions.push(...template.extraExtensions);
    extensions.push(caConstraints());
    extensions.push(subjectKeyIdentifier(subjectKeyId));
  }
  if (issuer !== undefined) extensions.push(authorityKeyIdentifier(issuer.subjectKeyId));
  if (!template.ca) extensions.push(...template.extraExtensions);
  cert.extensions = extensions;
  const der = signCertificate(cert, KeyObject.from(issuer?.privateKey ?? keys.privateKey));
  return { der, certificate: pkijs.Certificate.fromBER(der), privateKey: keys.privateKey, subjectKeyId };
}

/**
 * A new TSA chain: root and intermediate valid from 5 minutes before `now` for 10 years, the leaf
 * from 3 minutes before for 9 years (the real in-memory signer's windows).
 */
export async function createTsaChain(options: TsaChainOptions): Promise<TsaChain> {
  const now = options.now ?? new Date();
  const { engine } = options;
  const caWindow = { notBefore: new Date(now.getTime() - 5 * MINUTE), notAfter: addYears(now, 10) };
  const caUsage: KeyUsageName[] = ['keyCertSign', 'cRLSign'];
  const timestamping = (critical: boolean) => extendedKeyUsage([X509_OIDS.timeStamping], critical);
  const root = await issue(
    { commonName: 'Test TSA Root', ...caWindow, ca: true, keyUsages: caUsage, extraExtensions: [] },
    undefined,
    engine,
  );
  const intermediate = await issue(
    {
      commonName: 'Test TSA Intermediate',
      ...caWindow,
      ca: true,
      keyUsages: caUsage,
      extraExtensions: [timestamping(false)],
    },
    root,
    engine,
  );
  const leaf = await issue(
    {
      commonName: 'Test TSA Timestamping',
      notBefore: new Date(now.getTime() - 3 * MINUTE),
      notAfter: addYears(now, 9),
      ca: false,
      keyUsages: ['digitalSignature'],
      extraExtensions: [timestamping(true)],
    },
    intermediate,
    engine,
  );
  return { leaf, intermediate, root };
}
