/**
 * Reads a Fulcio signing certificate into what keyless verification looks at: its validity window,
 * its subject alternative names, whether it may sign code, and its Fulcio extensions, decoded and in
 * certificate order. pkijs (over asn1js) parses; the rules on top are those of Go's
 * `x509.ParseCertificate`, which decide what cosign and sigstore-go accept: no trailing bytes, no
 * duplicate extensions, well-formed subject alternative names and extended key usage. Untrusted
 * bytes in, a {@link FulcioCertificate} or a {@link CertificateError} out; nothing else is thrown.
 *
 * Deliberately not here: any trust decision. The chain, the CA's signature, SCTs and the validity
 * at the signing time are checked elsewhere (`sigstore-checks.ts`); identities in
 * `identity-match.ts`. The DER and the raw TBS are kept for them. No I/O.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { InvalidArgumentError } from '../../errors/base.js';
import { CertificateError } from '../../errors/verify.js';
import { decodeFirstPemBlock } from '../../keys/pem.js';
import {
  decodeFulcioExtension,
  type FulcioExtension,
  type FulcioExtensionName,
} from './fulcio-extensions.js';
import { readSubjectAltNames, SUBJECT_ALT_NAME_OID, type SubjectAltName } from './subject-alt-names.js';

/** The extended key usage extension, and the purposes Go's chain check accepts for code signing. */
const EXT_KEY_USAGE_OID = '2.5.29.37';
const CODE_SIGNING_OID = '1.3.6.1.5.5.7.3.3';
const ANY_EXTENDED_KEY_USAGE_OID = '2.5.29.37.0';

/**
 * The extensions Go's x509 parser understands (`processExtensions`); a critical extension outside
 * this set is "unhandled" and fails `x509.Verify`. The subject alternative name extension is handled
 * only when it holds a name Go reads (email, DNS, URI, IP): cosign and sigstore-go remove it from
 * the unhandled list themselves, for Fulcio's otherName-only SAN.
 */
const GO_HANDLED_EXTENSIONS = new Set([
  '2.5.29.14', // subject key identifier
  '2.5.29.15', // key usage
  '2.5.29.19', // basic constraints
  '2.5.29.30', // name constraints
  '2.5.29.31', // CRL distribution points
  '2.5.29.32', // certificate policies
  '2.5.29.35', // authority key identifier
  EXT_KEY_USAGE_OID,
  '1.3.6.1.5.5.7.1.1', // authority information access
]);

/**
 * A certificate as large as this is not a Fulcio leaf (those are about 2 KB): refused before
 * parsing, so a hostile annotation costs little.
 */
const MAX_CERTIFICATE_BYTES = 64 * 1024;

/** Parser limits for asn1js: a certificate is shallow; extension values are parsed on demand. */
const PARSE_LIMITS = { maxDepth: 32, maxNodes: 4096, parseEmbedded: false };

/** What keyless verification reads from a Fulcio certificate. */
export interface FulcioCertificate {
  /** The certificate's DER (a copy of the bytes given). */
  readonly der: Uint8Array;
  /** The raw `tbsCertificate` bytes as they stand in {@link der}: the part the CA signed. */
  readonly tbs: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Every subject alternative name Go reads, in certificate order (see `subject-alt-names.ts`). */
  readonly subjectAltNames: readonly SubjectAltName[];
  /** The extended key usage purposes (OIDs), or undefined when the certificate has no such extension. */
  readonly extendedKeyUsages: readonly string[] | undefined;
  /**
   * Whether Go's chain check with `ExtKeyUsageCodeSigning` accepts this certificate's own usages:
   * true when it lists codeSigning or anyExtendedKeyUsage, or has no extended key usage extension
   * at all (Go reads that as "any"). Fulcio leaves list exactly codeSigning.
   */
  readonly codeSigning: boolean;
  /**
   * Critical extensions Go's `x509.Verify` would refuse as unhandled (the otherName-only subject
   * alternative name included, which cosign and sigstore-go exempt). Empty for Fulcio leaves.
   */
  readonly unhandledCriticalExtensions: readonly string[];
  /** The Fulcio extensions (1.3.6.1.4.1.57264.1.*) in certificate order. */
  readonly fulcioExtensions: readonly FulcioExtension[];
  /** The same, by name. */
  readonly extensions: Readonly<Partial<Record<FulcioExtensionName, string>>>;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function parse(der: Uint8Array): pkijs.Certificate {
  let parsed: ReturnType<typeof asn1js.fromBER>;
  try {
    parsed = asn1js.fromBER(der, PARSE_LIMITS);
  } catch (error) {
    throw new CertificateError('the certificate is not valid DER', { cause: error });
  }
  if (parsed.offset === -1)
    throw new CertificateError(`the certificate is not valid DER (${parsed.result.error || 'unreadable'})`);
  if (parsed.offset !== der.length)
    throw new CertificateError(`the certificate has ${der.length - parsed.offset} trailing bytes`);
  try {
    return new pkijs.Certificate({ schema: parsed.result });
  } catch (error) {
    throw new CertificateError(`the DER is not an X.509 certificate: ${describe(error)}`, { cause: error });
  }
}

function validity(time: pkijs.Time, which: string): Date {
  const value = time.value;
  if (!(value instanceof Date) || Number.isNaN(value.getTime()))
    throw new CertificateError(`the certificate's ${which} is not a time`);
  return value;
}

/**
 * An extension's value as pkijs parses it, or {@link CertificateError} when pkijs cannot (it reports
 * a malformed value with `parsingError`, an unreadable one as undefined, and may also throw).
 */
function parsedValue<T>(extension: pkijs.Extension, what: string): T {
  let parsed: unknown;
  try {
    parsed = extension.parsedValue;
  } catch (error) {
    throw new CertificateError(`the ${what} extension is malformed`, { cause: error, oid: extension.extnID });
  }
  if (parsed === undefined || (parsed as { parsingError?: string }).parsingError !== undefined)
    throw new CertificateError(`the ${what} extension is malformed`, { oid: extension.extnID });
  return parsed as T;
}

function read(der: Uint8Array): FulcioCertificate {
  const cert = parse(der);
  const notBefore = validity(cert.notBefore, 'notBefore');
  const notAfter = validity(cert.notAfter, 'notAfter');
  const seen = new Set<string>();
  let subjectAltNames: SubjectAltName[] = [];
  let usages: string[] | undefined;
  const unhandled: string[] = [];
  const fulcioExtensions: FulcioExtension[] = [];
  const extensions: Partial<Record<FulcioExtensionName, string>> = {};
  for (const extension of cert.extensions ?? []) {
    const oid = extension.extnID;
    if (seen.has(oid)) throw new CertificateError(`the certificate has extension ${oid} twice`, { oid });
    seen.add(oid);
    const value = new Uint8Array(extension.extnValue.valueBlock.valueHexView);
    if (oid === SUBJECT_ALT_NAME_OID)
      subjectAltNames = readSubjectAltNames(
        parsedValue<pkijs.AltName>(extension, 'subject alternative name'),
      );
    else if (oid === EXT_KEY_USAGE_OID)
      usages = [...(parsedValue<pkijs.ExtKeyUsage>(extension, 'extended key usage').keyPurposes ?? [])];
    const fulcio = decodeFulcioExtension(oid, value);
    if (fulcio !== undefined) {
      fulcioExtensions.push(fulcio);
      extensions[fulcio.name] = fulcio.value;
    }
    const handled =
      GO_HANDLED_EXTENSIONS.has(oid) ||
      (oid === SUBJECT_ALT_NAME_OID && subjectAltNames.some((n) => n.type !== 'otherName'));
    if (extension.critical && !handled) unhandled.push(oid);
  }
  const codeSigning =
    usages === undefined || usages.includes(CODE_SIGNING_OID) || usages.includes(ANY_EXTENDED_KEY_USAGE_OID);
  const tbs = new Uint8Array(cert.tbsView.buffer, cert.tbsView.byteOffset, cert.tbsView.byteLength);
  return {
    der,
    tbs,
    notBefore,
    notAfter,
    subjectAltNames,
    extendedKeyUsages: usages,
    codeSigning,
    unhandledCriticalExtensions: unhandled,
    fulcioExtensions,
    extensions,
  };
}

/**
 * Reads a certificate from its DER. Throws {@link CertificateError} for anything that is not a
 * certificate Go would parse, or whose Fulcio extensions from `.1.8` on are not DER UTF8Strings
 * (stricter than cosign's classic path, which never decodes them; sigstore-go refuses them), and
 * {@link InvalidArgumentError} when `der` is not a `Uint8Array`.
 */
export function readFulcioCertificate(der: Uint8Array): FulcioCertificate {
  if (!(der instanceof Uint8Array))
    throw new InvalidArgumentError('a certificate must be given as DER bytes');
  if (der.length === 0) throw new CertificateError('the certificate is empty');
  if (der.length > MAX_CERTIFICATE_BYTES)
    throw new CertificateError(`the certificate is ${der.length} bytes, more than ${MAX_CERTIFICATE_BYTES}`);
  try {
    // A copy: the result keeps these bytes, and the caller's may change.
    return read(new Uint8Array(der));
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    // pkijs and asn1js throw plain errors on some malformed values; none may escape untyped.
    throw new CertificateError(`the certificate could not be read: ${describe(error)}`, { cause: error });
  }
}

/**
 * Reads the first certificate of PEM text, as cosign's `Cert()` takes the first certificate of the
 * `dev.sigstore.cosign/certificate` annotation (Go's `pem.Decode`: text before the block is skipped,
 * a malformed block passed over). Throws {@link CertificateError} when there is no PEM block.
 *
 * cosign also refuses the annotation when a later block is not a certificate; this reads only the
 * first block.
 */
export function readFulcioCertificatePem(pem: string): FulcioCertificate {
  if (typeof pem !== 'string') throw new InvalidArgumentError('a PEM certificate must be given as text');
  const block = decodeFirstPemBlock(pem);
  if (block === undefined) throw new CertificateError('no PEM block in the certificate text');
  return readFulcioCertificate(block.bytes);
}
