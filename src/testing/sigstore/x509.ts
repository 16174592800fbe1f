/**
 * The standard X.509 pieces the Sigstore doubles' certificates (Fulcio's CA and leaves, the TSA's
 * chain) are made of — names, serial numbers, validity times, key identifiers, key usage, basic
 * constraints, extended key usage — each as pkijs objects, and the one way a certificate here is
 * signed (the TBS encoded by pkijs, signed with node:crypto, the hash the issuer's curve calls
 * for). Encoded as Go's `x509.CreateCertificate` encodes them, which is what Fulcio and
 * timestamp-authority run.
 *
 * Deliberately not here: what goes into any one certificate (`fulcio/ca.ts`, `fulcio/certificate.ts`,
 * `tsa/tsa-ca.ts`), Fulcio's own extensions (`fulcio/extensions.ts`), key generation.
 */
import { createHash, type KeyObject, randomBytes, sign } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { InvalidArgumentError } from '../../errors/base.js';

/** The signature algorithm and hash an ECDSA key of each curve signs with, as Go picks them. */
const ECDSA_BY_CURVE: Readonly<Record<string, { readonly oid: string; readonly hash: string }>> = {
  prime256v1: { oid: '1.2.840.10045.4.3.2', hash: 'sha256' },
  secp384r1: { oid: '1.2.840.10045.4.3.3', hash: 'sha384' },
};

/** Extension, extended key usage and name attribute OIDs (RFC 5280). */
export const X509_OIDS = {
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  basicConstraints: '2.5.29.19',
  subjectKeyIdentifier: '2.5.29.14',
  authorityKeyIdentifier: '2.5.29.35',
  subjectAltName: '2.5.29.17',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  organizationName: '2.5.4.10',
  commonName: '2.5.4.3',
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

/**
 * extendedKeyUsage with these purposes: not critical (as Fulcio writes it) unless asked (RFC 3161
 * §2.3 wants a TSA's critical).
 */
export function extendedKeyUsage(purposes: readonly string[], critical = false): pkijs.Extension {
  const value = new pkijs.ExtKeyUsage({ keyPurposes: [...purposes] }).toSchema();
  return extensionOf(X509_OIDS.extendedKeyUsage, value, critical);
}

/** basicConstraints, critical: a CA, with a path length when given. */
export function caConstraints(pathLength?: number): pkijs.Extension {
  const constraints = new pkijs.BasicConstraints({
    cA: true,
    ...(pathLength === undefined ? {} : { pathLenConstraint: pathLength }),
  });
  return extensionOf(X509_OIDS.basicConstraints, constraints.toSchema(), true);
}

/**
 * How a key identifier is computed from the subjectPublicKey bits: `sha1`, RFC 5280 §4.2.1.2
 * method 1 (sigstore's `cryptoutils.SKID`, what Fulcio sets); `truncatedSha256`, the first 160
 * bits of SHA-256 (what Go 1.25's `x509.CreateCertificate` fills in when the template has none).
 */
export type KeyIdMethod = 'sha1' | 'truncatedSha256';

/** The key identifier of a public key, by `method` (default `sha1`). */
export function keyIdentifier(spki: pkijs.PublicKeyInfo, method: KeyIdMethod = 'sha1'): Uint8Array {
  const bits = spki.subjectPublicKey.valueBlock.valueHexView;
  if (method === 'sha1') return new Uint8Array(createHash('sha1').update(bits).digest());
  return new Uint8Array(createHash('sha256').update(bits).digest().subarray(0, 20));
}

/** subjectKeyIdentifier holding `keyId` (see {@link keyIdentifier}). */
export function subjectKeyIdentifier(keyId: Uint8Array): pkijs.Extension {
  return extensionOf(
    X509_OIDS.subjectKeyIdentifier,
    new asn1js.OctetString({ valueHex: keyId.slice().buffer }),
  );
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
 * both in one multi-valued RDN), in Go's `pkix.Name` order; the values UTF8Strings (the Fulcio
 * double's) or PrintableStrings (what Go writes for printable text, as the TSA's chain has them).
 */
export function distinguishedName(
  organization: string,
  commonName: string,
  stringType: 'utf8' | 'printable' = 'utf8',
): pkijs.RelativeDistinguishedNames {
  const text = (value: string) =>
    stringType === 'utf8' ? new asn1js.Utf8String({ value }) : new asn1js.PrintableString({ value });
  const rdn = (type: string, value: string) =>
    new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value: text(value) }).toSchema()] });
  const name = new asn1js.Sequence({
    value: [rdn(X509_OIDS.organizationName, organization), rdn(X509_OIDS.commonName, commonName)],
  });
  // Parsed back, so that pkijs keeps these bytes.
  return pkijs.RelativeDistinguishedNames.fromBER(name.toBER());
}

/** A validity time as Go writes one: UTCTime before 2050, GeneralizedTime from then on. */
export function certificateTime(date: Date): pkijs.Time {
  return new pkijs.Time({ type: date.getUTCFullYear() < 2050 ? 0 : 1, value: date });
}

/**
 * Signs `cert` with the issuer's ECDSA `key` — P-256 with ecdsa-with-SHA256, P-384 with
 * ecdsa-with-SHA384 — and returns its DER. The TBS pkijs encodes is the one signed and the one
 * written. Another key type throws: no double here signs certificates with one.
 */
export function signCertificate(cert: pkijs.Certificate, key: KeyObject): Uint8Array {
  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  const algorithm = Object.hasOwn(ECDSA_BY_CURVE, curve) ? ECDSA_BY_CURVE[curve] : undefined;
  if (key.asymmetricKeyType !== 'ec' || algorithm === undefined)
    throw new InvalidArgumentError(
      `signCertificate: no certificate signing with a ${key.asymmetricKeyType} ${curve} key`,
    );
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: algorithm.oid });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: algorithm.oid });
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.tbsView = tbs;
  cert.signatureValue = new asn1js.BitString({ valueHex: sign(algorithm.hash, tbs, key) });
  return new Uint8Array(cert.toSchema().toBER());
}
