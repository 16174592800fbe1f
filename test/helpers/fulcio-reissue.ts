/**
 * Real Fulcio leaf certificates re-issued by a test CA: the same subject, key and extensions (or
 * edited ones), a validity window around now and our CA's signature, so that a certificate with
 * edited extensions (an SCT list, say) still chains and the checks after the chain are reached.
 * The leaf's key is still the real signer's, whose private key nobody here has: signatures over
 * anything new do not verify with it.
 */
import { createPrivateKey, type KeyObject, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { caCertificate } from './certs.js';
import { pemToDer } from './fulcio-certs.js';

/** A CA for re-issued leaves: its PEM (for `trustedRootFromPems`), subject and signing key. */
export interface ReissuingCa {
  readonly pem: string;
  readonly subject: pkijs.RelativeDistinguishedNames;
  readonly key: KeyObject;
}

const ECDSA_WITH_SHA256 = '1.2.840.10045.4.3.2';
const AUTHORITY_KEY_IDENTIFIER = '2.5.29.35';

/** A P-256 CA made with openssl in `dir`. */
export function reissuingCa(dir: string): ReissuingCa {
  const files = caCertificate(dir, 'reissuing-ca', '/O=ocisign-test/CN=reissuing-ca', 'P-256');
  const pem = readFileSync(files.certPath, 'utf8');
  return {
    pem,
    subject: pkijs.Certificate.fromBER(pemToDer(pem)).subject,
    key: createPrivateKey(readFileSync(files.keyPath)),
  };
}

/**
 * `der` re-issued by `ca` (see {@link reissue}), then many copies of it that differ only in the
 * value of one extension — fast (one ASN.1 re-encode and one signature each), for fuzzing.
 */
export function reissuing(der: Uint8Array, ca: ReissuingCa, oid: string): (value: Uint8Array) => Uint8Array {
  const base = pkijs.Certificate.fromBER(reissue(der, ca));
  const tbs = base.encodeTBS();
  const extensions = (tbs.valueBlock.value.at(-1) as asn1js.Constructed).valueBlock
    .value[0] as asn1js.Sequence;
  const target = extensions.valueBlock.value.find(
    (e) => ((e as asn1js.Sequence).valueBlock.value[0] as asn1js.ObjectIdentifier).getValue() === oid,
  ) as asn1js.Sequence | undefined;
  if (target === undefined) throw new Error(`the certificate has no extension ${oid}`);
  const algorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA256 }).toSchema();
  return (value) => {
    const parts = target.valueBlock.value;
    parts[parts.length - 1] = new asn1js.OctetString({ valueHex: value.slice().buffer });
    const tbsDer = tbs.toBER();
    const signature = sign('sha256', Buffer.from(tbsDer), ca.key);
    const cert = new asn1js.Sequence({
      value: [asn1js.fromBER(tbsDer).result, algorithm, new asn1js.BitString({ valueHex: signature })],
    });
    return new Uint8Array(cert.toBER());
  };
}

/**
 * `der` re-issued by `ca`, valid from an hour ago for two hours, with `edit`'s extensions (the
 * authority key identifier, which names the real issuer, removed first).
 */
export function reissue(
  der: Uint8Array,
  ca: ReissuingCa,
  edit: (extensions: pkijs.Extension[]) => pkijs.Extension[] = (e) => e,
): Uint8Array {
  const cert = pkijs.Certificate.fromBER(der);
  cert.issuer = ca.subject;
  cert.notBefore = new pkijs.Time({ type: 0, value: new Date(Date.now() - 3_600_000) });
  cert.notAfter = new pkijs.Time({ type: 0, value: new Date(Date.now() + 3_600_000) });
  cert.extensions = edit((cert.extensions ?? []).filter((e) => e.extnID !== AUTHORITY_KEY_IDENTIFIER));
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA256 });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_WITH_SHA256 });
  const tbs = cert.encodeTBS().toBER();
  cert.signatureValue = new asn1js.BitString({ valueHex: sign('sha256', Buffer.from(tbs), ca.key) });
  return new Uint8Array(cert.toSchema(true).toBER());
}
