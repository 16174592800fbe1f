/**
 * The standard X.509 pieces the Fulcio double's certificates are made of — serial numbers, key
 * identifiers, key usage, basic constraints, extended key usage — each as pkijs objects, and the
 * one way a certificate here is signed (the TBS encoded by pkijs, signed with node:crypto).
 * Encoded as Go's `x509.CreateCertificate` encodes them, which is what Fulcio runs.
 *
 * Deliberately not here: what goes into a Fulcio leaf (`certificate.ts`), Fulcio's own extensions
 * (`extensions.ts`), the CA's keys (`ca.ts`).
 */
import { createHash, type KeyObject, randomBytes, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';

/** ecdsa-with-SHA384, what a P-384 CA signs with (Go picks SHA-384 for a P-384 key). */
const ECDSA_WITH_SHA384 = '1.2.840.10045.4.3.3';

/** Extension OIDs (RFC 5280). */
export const X509_OIDS = {
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  codeSigning: '1.3.6.1.5.5.7.3.3',
} as const;

/** Key usage bits, numbered as RFC 5280 numbers them (bit 0 is the most significant). */
const KEY_USAGE_BITS = { digitalSignature: 0, keyCertSign: 5, cRLSign: 6 } as const;

/** One of the key usages certificates here carry. */
export type KeyUsageName = keyof typeof KEY_USAGE_BITS;

/**
 * A random positive serial of 20 bytes (the most RFC 5280 allows), its first byte in 0x01–0x7f so
 * that the DER INTEGER is minimal and positive.
 */
export function randomSerial(): asn1js.Integer {
  const bytes = randomBytes(20);
  bytes[0] = ((bytes[0] as number) % 0x7f) + 1;
  return new asn1js.Integer({ valueHex: bytes });
}

/** An extension with `value` (the DER of its content) as its extnValue. */
export function extensionOf(
  oid: string,
  value: asn1js.AsnType | Uint8Array,
  critical = false,
): pkijs.Extension {
  const der = value instanceof Uint8Array ? value : new Uint8Array(value.toBER());
  return new pkijs.Extension({ extnID: oid, critical, extnValue: der.slice().buffer });
}

/** keyUsage, critical, as Go writes it: a BIT STRING cut after its last set bit. */
export function keyUsage(...usages: KeyUsageName[]): pkijs.Extension {
  const last = Math.max(...usages.map((u) => KEY_USAGE_BITS[u]));
  const bytes = new Uint8Array(Math.floor(last / 8) + 1);
  for (const usage of usages) {
    const bit = KEY_USAGE_BITS[usage];
    bytes[bit >> 3] = (bytes[bit >> 3] as number) | (0x80 >> (bit & 7));
  }
  const unusedBits = 7 - (last % 8);
  return extensionOf(X509_OIDS.keyUsage, new asn1js.BitString({ valueHex: bytes, unusedBits }), true);
}

/** extendedKeyUsage (not critical, as Fulcio writes it) with these purposes. */
export function extendedKeyUsage(...purposes: string[]): pkijs.Extension {
  return extensionOf(X509_OIDS.extendedKeyUsage, new pkijs.ExtKeyUsage({ keyPurposes: purposes }).toSchema());
}

/** basicConstraints, critical: a CA, with a path length when given. */
export function caConstraints(pathLength?: number): pkijs.Extension {
  const constraints = new pkijs.BasicConstraints({
    cA: true,
    ...(pathLength === undefined ? {} : { pathLenConstraint: pathLength }),
  });
  return extensionOf(X509_OIDS.basicConstraints, constraints.toSchema(), true);
}

/** The key identifier of a public key: SHA-1 of its subjectPublicKey bits (RFC 5280 4.2.1.2, as Go). */
export function keyIdentifier(spki: pkijs.PublicKeyInfo): Uint8Array {
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  return new Uint8Array(createHash('sha1').update(bits).digest());
}

/** subjectKeyIdentifier for `spki`. */
export function subjectKeyIdentifier(spki: pkijs.PublicKeyInfo): pkijs.Extension {
  const id = keyIdentifier(spki);
  return extensionOf(X509_OIDS.subjectKeyIdentifier, new asn1js.OctetString({ valueHex: id.slice().buffer }));
}

/** authorityKeyIdentifier naming the issuer's key identifier (only), as Go writes it. */
export function authorityKeyIdentifier(issuerKeyId: Uint8Array): pkijs.Extension {
  const aki = new pkijs.AuthorityKeyIdentifier({
    keyIdentifier: new asn1js.OctetString({ valueHex: issuerKeyId.slice().buffer }),
  });
  return extensionOf(X509_OIDS.authorityKeyIdentifier, aki.toSchema());
}

/**
 * A distinguished name `O=<organization>, CN=<commonName>`, one attribute per RDN (pkijs would put
 * both in one multi-valued RDN), in the order Fulcio's CAs use.
 */
export function distinguishedName(
  organization: string,
  commonName: string,
): pkijs.RelativeDistinguishedNames {
  const rdn = (type: string, value: string) =>
    new asn1js.Set({
      value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()],
    });
  const name = new asn1js.Sequence({ value: [rdn('2.5.4.10', organization), rdn('2.5.4.3', commonName)] });
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER());
}

/** A validity time as Go writes one: UTCTime before 2050, GeneralizedTime from then on. */
export function certificateTime(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

/**
 * Signs `cert` with `key` (a P-384 CA key: ecdsa-with-SHA384) and returns its DER. The TBS pkijs
 * encodes is the one signed and the one written.
 */
export function signCertificate(cert: pkijs.Certificate, key: KeyObject): Uint8Array {
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA384 });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA384 });
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: sign('sha384', tbs, key) });
  return new Uint8Array(cert.toSchema().toBER());
}
