/**
 * The Fulcio double's certificate transparency log: an ECDSA P-256 key (as the public instance's
 * `ctfe.sigstore.dev/2022`) that answers `add-pre-chain` with an RFC 6962 signed certificate
 * timestamp, and the two extensions of the precertificate flow Fulcio runs (fulcio
 * `pkg/ca/baseca/baseca.go`): the critical poison extension of the precertificate and the SCT list
 * extension of the final certificate.
 *
 * The SCT signs, per RFC 6962 §3.2: `version 0 ‖ signature_type 0 ‖ timestamp u64 ‖ entry_type 1
 * (precert_entry) ‖ issuer_key_hash (SHA-256 of the issuer's SubjectPublicKeyInfo) ‖ u24 length ‖
 * TBSCertificate of the precertificate without its poison extension ‖ u16 extensions length (0)`.
 * The log reads all of it from the precertificate's DER, as a log would, never from what the CA
 * meant to write.
 *
 * Deliberately not here: a Merkle tree or the CT HTTP API. Nothing is logged; only SCTs are made.
 */
import { createHash, createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { concatBytes } from '../../../internal/bytes.js';
import { encodePem } from '../../../keys/pem.js';
import { extensionOf } from '../x509.js';

/** The precertificate poison extension (RFC 6962 §3.1), critical, value ASN.1 NULL. */
export const CT_POISON_OID = '1.3.6.1.4.1.11129.2.4.3';
/** The embedded SCT list extension (RFC 6962 §3.3). */
export const SCT_LIST_OID = '1.3.6.1.4.1.11129.2.4.2';

/** The hash of each ECDSA signature algorithm a precertificate may be signed with. */
const ECDSA_HASHES: Readonly<Record<string, string>> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
};

/** TLS enum values of an SCT (RFC 5246 §7.4.1.4.1): hash sha256, signature ecdsa. */
const HASH_SHA256 = 4;
const SIGNATURE_ECDSA = 3;

/** A CT log that makes SCTs for precertificates. */
export interface CtLog {
  /** The log's public key, PEM (`PUBLIC KEY`), for a trusted root's `ctlogs`. */
  readonly publicKeyPem: string;
  /** Its DER SubjectPublicKeyInfo. */
  readonly publicKeyDer: Uint8Array;
  /** SHA-256 of {@link publicKeyDer}: the SCT's `log_id` and the trusted root's `logId.keyId`. */
  readonly logId: Uint8Array;
  /**
   * The serialized SCT for `precertificate` (DER) issued by `issuer` (DER), timestamped `now`.
   * Refuses, as a log does, a precertificate without the critical poison extension or one `issuer`
   * did not sign. `forged` signs with a key that is not the log's (a fault for tests).
   */
  addPreChain(precertificate: Uint8Array, issuer: Uint8Array, now: Date, forged?: boolean): Uint8Array;
}

function u16(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

function u24(n: number): Uint8Array {
  return new Uint8Array([(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

function u64(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

function spkiOf(cert: pkijs.Certificate): Uint8Array {
  return new Uint8Array(cert.subjectPublicKeyInfo.toSchema().toBER());
}

/**
 * The precert entry an SCT covers: `issuer_key_hash ‖ u24 length ‖ TBS without the poison`,
 * read from the DER of both certificates.
 */
export function precertEntry(precertificate: Uint8Array, issuer: Uint8Array): Uint8Array {
  const precert = pkijs.Certificate.fromBER(precertificate);
  const issuerCert = pkijs.Certificate.fromBER(issuer);
  const issuerKeyHash = createHash('sha256').update(spkiOf(issuerCert)).digest();
  precert.extensions = (precert.extensions ?? []).filter((e) => e.extnID !== CT_POISON_OID);
  const tbs = new Uint8Array(precert.encodeTBS().toBER());
  return concatBytes(issuerKeyHash, u24(tbs.length), tbs);
}

function checkPrecertificate(precertificate: Uint8Array, issuer: Uint8Array): void {
  const precert = pkijs.Certificate.fromBER(precertificate);
  const poison = (precert.extensions ?? []).find((e) => e.extnID === CT_POISON_OID);
  if (poison === undefined || !poison.critical)
    throw new Error('add-pre-chain: the precertificate has no critical poison extension');
  const key = createPublicKey({
    key: Buffer.from(spkiOf(pkijs.Certificate.fromBER(issuer))),
    format: 'der',
    type: 'spki',
  });
  const hash = ECDSA_HASHES[precert.signatureAlgorithm.algorithmId];
  if (hash === undefined) throw new Error('add-pre-chain: the precertificate is not signed with ECDSA');
  const signed = verify(
    hash,
    precert.tbsView,
    key,
    new Uint8Array(precert.signatureValue.valueBlock.valueHexView),
  );
  if (!signed) throw new Error('add-pre-chain: the precertificate is not signed by the issuer given');
}

/** Creates a CT log with a fresh P-256 key. */
export function createCtLog(): CtLog {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyDer = new Uint8Array(createPublicKey(privateKey).export({ type: 'spki', format: 'der' }));
  const logId = new Uint8Array(createHash('sha256').update(publicKeyDer).digest());
  let forger: KeyObject | undefined;
  const signingKey = (forged: boolean): KeyObject => {
    if (!forged) return privateKey;
    forger ??= generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    return forger;
  };
  return {
    publicKeyPem: encodePem('PUBLIC KEY', publicKeyDer),
    publicKeyDer,
    logId,
    addPreChain(precertificate, issuer, now, forged = false) {
      checkPrecertificate(precertificate, issuer);
      const timestamp = u64(now.getTime());
      const extensions = new Uint8Array(0);
      const signed = concatBytes(
        new Uint8Array([0, 0]), // version v1, signature_type certificate_timestamp
        timestamp,
        u16(1), // entry_type precert_entry
        precertEntry(precertificate, issuer),
        u16(extensions.length),
        extensions,
      );
      const signature = sign('sha256', signed, signingKey(forged));
      return concatBytes(
        new Uint8Array([0]), // version v1
        logId,
        timestamp,
        u16(extensions.length),
        extensions,
        new Uint8Array([HASH_SHA256, SIGNATURE_ECDSA]),
        u16(signature.length),
        signature,
      );
    },
  };
}

/** The poison extension a precertificate carries (critical, ASN.1 NULL). */
export function poisonExtension(): pkijs.Extension {
  return extensionOf(CT_POISON_OID, new asn1js.Null(), true);
}

/**
 * The SCT list extension of a final certificate: extnValue is a DER OCTET STRING holding the TLS
 * `SignedCertificateTimestampList` (u16 total length, then each SCT u16-prefixed), as Go's
 * `asn1.Marshal(listBytes)` in Fulcio writes it.
 */
export function sctListExtension(scts: readonly Uint8Array[]): pkijs.Extension {
  const entries = scts.map((sct) => concatBytes(u16(sct.length), sct));
  const list = concatBytes(u16(entries.reduce((n, e) => n + e.length, 0)), ...entries);
  return extensionOf(SCT_LIST_OID, new asn1js.OctetString({ valueHex: list.slice().buffer }));
}
