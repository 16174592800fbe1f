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
 *
 * Deliberately not here: the timestamps themselves (`timestamp.ts`), other key types (the real
 * in-memory signer uses only P-256), or anything for production.
 */
import { createHash, randomBytes, webcrypto } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

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

const EKU_TIMESTAMPING = '1.3.6.1.5.5.7.3.8';
const ORGANIZATION = '2.5.4.10';
const COMMON_NAME = '2.5.4.3';
const KEY_USAGE = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;
const MINUTE = 60_000;

function addYears(date: Date, years: number): Date {
  const out = new Date(date);
  out.setUTCFullYear(out.getUTCFullYear() + years);
  return out;
}

/** `O=local, CN=<commonName>`: one attribute per RDN, in Go's `pkix.Name` order, as PrintableStrings. */
function nameOf(commonName: string): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: string) =>
    new asn1js.Set({
      value: [
        new pkijs.AttributeTypeAndValue({ type, value: new asn1js.PrintableString({ value }) }).toSchema(),
      ],
    });
  const name = new asn1js.Sequence({ value: [rdn(ORGANIZATION, 'local'), rdn(COMMON_NAME, commonName)] });
  // Parsed back, so that pkijs keeps these bytes (it would merge the RDNs into one SET).
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER(false));
}

/** A KeyUsage BIT STRING with `bits` set and its trailing unused bits dropped, as Go encodes it. */
function keyUsage(bits: readonly number[]): pkijs.Extension {
  const bytes = new Uint8Array(2);
  for (const bit of bits) bytes[bit >> 3] = (bytes[bit >> 3] ?? 0) | (0x80 >> (bit & 7));
  const length = bytes[1] === 0 ? 1 : 2;
  const last = bytes[length - 1] ?? 0;
  let unusedBits = 0;
  while (unusedBits < 7 && (last & (1 << unusedBits)) === 0) unusedBits++;
  const value = new asn1js.BitString({ valueHex: bytes.slice(0, length), unusedBits });
  return extension('2.5.29.15', true, value);
}

function extension(extnID: string, critical: boolean, value: asn1js.AsnType): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** A positive serial of at most 20 octets, as Go draws one when the template has none. */
function randomSerial(): asn1js.Integer {
  const bytes = randomBytes(20);
  bytes[0] = (bytes[0] ?? 0) & 0x7f;
  return asn1js.Integer.fromBigInt(BigInt(`0x${bytes.toString('hex')}`));
}

function subjectKeyIdOf(certificate: pkijs.Certificate): Uint8Array {
  const key = certificate.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha256').update(key).digest().subarray(0, 20));
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
  readonly keyUsageBits: readonly number[];
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
  cert.subject = nameOf(template.commonName);
  cert.issuer = issuer?.certificate.subject ?? cert.subject;
  cert.notBefore = new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: template.notBefore });
  cert.notAfter = new pkijs.Time({ type: pkijs.TimeType.UTCTime, value: template.notAfter });
  await cert.subjectPublicKeyInfo.importKey(keys.publicKey, engine);
  const subjectKeyId = subjectKeyIdOf(cert);
  // Go's order: keyUsage, extKeyUsage, basicConstraints, subjectKeyId, authorityKeyId, then extras.
  const extensions = [keyUsage(template.keyUsageBits)];
  if (template.ca) {
    extensions.push(...template.extraExtensions);
    extensions.push(extension('2.5.29.19', true, new pkijs.BasicConstraints({ cA: true }).toSchema()));
    extensions.push(extension('2.5.29.14', false, new asn1js.OctetString({ valueHex: subjectKeyId })));
  }
  if (issuer !== undefined) {
    const keyIdentifier = new asn1js.OctetString({ valueHex: issuer.subjectKeyId });
    extensions.push(
      extension('2.5.29.35', false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier }).toSchema()),
    );
  }
  if (!template.ca) extensions.push(...template.extraExtensions);
  cert.extensions = extensions;
  await cert.sign(issuer?.privateKey ?? keys.privateKey, 'SHA-256', engine);
  const der = new Uint8Array(cert.toSchema(true).toBER(false));
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
  const caUsage = [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign];
  const timestamping = (critical: boolean) =>
    extension('2.5.29.37', critical, new pkijs.ExtKeyUsage({ keyPurposes: [EKU_TIMESTAMPING] }).toSchema());
  const root = await issue(
    { commonName: 'Test TSA Root', ...caWindow, ca: true, keyUsageBits: caUsage, extraExtensions: [] },
    undefined,
    engine,
  );
  const intermediate = await issue(
    {
      commonName: 'Test TSA Intermediate',
      ...caWindow,
      ca: true,
      keyUsageBits: caUsage,
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
      keyUsageBits: [KEY_USAGE.digitalSignature],
      extraExtensions: [timestamping(true)],
    },
    intermediate,
    engine,
  );
  return { leaf, intermediate, root };
}
