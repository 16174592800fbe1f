/**
 * The X.509 pieces the Fulcio and TSA doubles share: Go's encodings (key usage bits, both key
 * identifier methods, names in either string type) and signing with the hash the issuer's curve
 * calls for. The certificates built from them are checked whole by the fulcio- and tsa- tests.
 */
import { createHash, generateKeyPairSync, type KeyObject, X509Certificate } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../../../src/errors/index.js';
import {
  certificateTime,
  distinguishedName,
  keyIdentifier,
  keyUsage,
  randomSerial,
  signCertificate,
} from '../../../../src/testing/sigstore/x509.js';

const spkiOf = (key: KeyObject) =>
  pkijs.PublicKeyInfo.fromBER(new Uint8Array(key.export({ type: 'spki', format: 'der' })));

function selfSigned(namedCurve: string): { der: Uint8Array; pem: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve });
  const name = distinguishedName('local', 'x509 test');
  const cert = new pkijs.Certificate({
    version: 2,
    serialNumber: randomSerial(),
    issuer: name,
    subject: name,
    notBefore: certificateTime(new Date(Date.now() - 60_000)),
    notAfter: certificateTime(new Date(Date.now() + 60_000)),
    subjectPublicKeyInfo: spkiOf(publicKey),
  });
  const der = signCertificate(cert, privateKey);
  return { der, pem: new X509Certificate(der).toString() };
}

describe('shared X.509 pieces', () => {
  it('encode key usage as Go does: the BIT STRING cut after its last set bit', () => {
    const bits = (ext: pkijs.Extension) => {
      const value = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.BitString;
      return [Buffer.from(value.valueBlock.valueHexView).toString('hex'), value.valueBlock.unusedBits];
    };
    expect(bits(keyUsage('digitalSignature'))).toEqual(['80', 7]);
    expect(bits(keyUsage('keyCertSign', 'cRLSign'))).toEqual(['06', 1]);
    expect(keyUsage('digitalSignature').critical).toBe(true);
  });

  it('compute key identifiers by SHA-1 (Fulcio) or truncated SHA-256 (Go 1.25)', () => {
    const spki = spkiOf(generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey);
    const bits = spki.subjectPublicKey.valueBlock.valueHexView;
    expect(Buffer.from(keyIdentifier(spki))).toEqual(createHash('sha1').update(bits).digest());
    expect(Buffer.from(keyIdentifier(spki, 'truncatedSha256'))).toEqual(
      createHash('sha256').update(bits).digest().subarray(0, 20),
    );
  });

  it('write names one attribute per RDN, as UTF8String or PrintableString', () => {
    const tags = (stringType: 'utf8' | 'printable') =>
      distinguishedName('O', 'CN', stringType).typesAndValues.map((t) => [t.type, t.value.idBlock.tagNumber]);
    expect(tags('utf8')).toEqual([
      ['2.5.4.10', 12],
      ['2.5.4.3', 12],
    ]);
    expect(tags('printable')).toEqual([
      ['2.5.4.10', 19],
      ['2.5.4.3', 19],
    ]);
  });

  it('sign P-256 with ecdsa-with-SHA256 and P-384 with ecdsa-with-SHA384, verifiably', () => {
    for (const [curve, oid] of [
      ['P-256', '1.2.840.10045.4.3.2'],
      ['P-384', '1.2.840.10045.4.3.3'],
    ] as const) {
      const { der, pem } = selfSigned(curve);
      const parsed = new X509Certificate(pem);
      expect(parsed.verify(parsed.publicKey), curve).toBe(true);
      expect(pkijs.Certificate.fromBER(der).signatureAlgorithm.algorithmId, curve).toBe(oid);
    }
  });

  it('refuses to sign with a key no double signs certificates with', () => {
    const cert = new pkijs.Certificate();
    const { privateKey } = generateKeyPairSync('ed25519');
    expect(() => signCertificate(cert, privateKey)).toThrow(InvalidArgumentError);
  });
});
