/**
 * A {@link TrustedRoot} as @sigstore/verify's `TrustMaterial` (what its `Verifier` is built with):
 * made once per root value and process, since the conversion parses every certificate and key
 * (about 1.6 ms for the public-good root), and its certificates encode themselves to DER only
 * once (`certificate-der.ts`). The root goes through protobuf-specs'
 * `TrustedRoot.fromJSON` first — handing raw JSON to `toTrustMaterial` fails later, misleadingly.
 *
 * Deliberately not here: verifying anything, or choosing authorities for a signature.
 */
import { TrustedRoot as ProtoTrustedRoot } from '@sigstore/protobuf-specs';
import { type TrustMaterial, toTrustMaterial } from '@sigstore/verify';
import * as asn1js from 'asn1js';
import { InvalidArgumentError } from '../errors/base.js';
import { TrustedRootError } from '../errors/sigstore.js';
import { toBase64 } from '../internal/bytes.js';
import { backend } from '../keys/backend/select.js';
import { parseDer, sequence } from '../keys/der.js';
import { keepCertificateDer } from './certificate-der.js';
import {
  type CertificateAuthority,
  isTrustedRoot,
  type TimeRange,
  type TransparencyLogInstance,
  type TrustedRoot,
} from './trusted-root.js';

const materials = new WeakMap<TrustedRoot, TrustMaterial>();

/**
 * Key details that @sigstore/verify 3.1.1 reads as PKCS#1 DER (`toTrustMaterial`), even the PKIX
 * ones, which protobuf-specs defines as SubjectPublicKeyInfo.
 */
const READ_AS_PKCS1 = new Set([
  'PKCS1_RSA_PKCS1V5',
  'PKIX_RSA_PKCS1V5',
  'PKIX_RSA_PKCS1V15_2048_SHA256',
  'PKIX_RSA_PKCS1V15_3072_SHA256',
  'PKIX_RSA_PKCS1V15_4096_SHA256',
]);

/** Whether DER is a SubjectPublicKeyInfo (a SEQUENCE that opens with an AlgorithmIdentifier SEQUENCE). */
function isSpki(der: Uint8Array): boolean {
  try {
    const [algorithm] = sequence(parseDer(der, 'key'), 'key', 2);
    return algorithm instanceof asn1js.Sequence;
  } catch {
    return false;
  }
}

function timeRangeJson(range: TimeRange | undefined): object | undefined {
  if (range === undefined) return undefined;
  return { start: range.start?.toISOString(), end: range.end?.toISOString() };
}

function logJson(log: TransparencyLogInstance): object {
  const { rawBytes, keyDetails, validFor } = log.publicKey;
  // An RSA key in SubjectPublicKeyInfo form, as the PKIX details promise, must not be read as
  // PKCS#1: leaving its details out makes @sigstore/verify read it as SPKI.
  const details =
    keyDetails !== undefined && READ_AS_PKCS1.has(keyDetails) && isSpki(rawBytes) ? undefined : keyDetails;
  // protobuf-specs defines the log ID as SHA-256 of the key's DER; @sigstore/verify needs one.
  const keyId = log.logId?.keyId ?? backend().digest('sha256', rawBytes);
  return {
    baseUrl: log.baseUrl,
    hashAlgorithm: log.hashAlgorithm,
    publicKey: { rawBytes: toBase64(rawBytes), keyDetails: details, validFor: timeRangeJson(validFor) },
    logId: { keyId: toBase64(keyId) },
    checkpointKeyId:
      log.checkpointKeyId === undefined ? undefined : { keyId: toBase64(log.checkpointKeyId.keyId) },
    operator: log.operator,
  };
}

function authorityJson(ca: CertificateAuthority): object {
  return {
    subject: ca.subject,
    uri: ca.uri,
    certChain: { certificates: ca.certChain.certificates.map((c) => ({ rawBytes: toBase64(c.rawBytes) })) },
    validFor: timeRangeJson(ca.validFor),
    operator: ca.operator,
  };
}

/**
 * The root in the form protobuf-specs' `fromJSON` reads: JSON member names only (it ignores proto
 * names, which protojson accepts), standard base64, RFC 3339 times.
 */
function protoJsonOf(root: TrustedRoot): object {
  return {
    mediaType: root.mediaType,
    tlogs: root.tlogs.map(logJson),
    certificateAuthorities: root.certificateAuthorities.map(authorityJson),
    ctlogs: root.ctlogs.map(logJson),
    timestampAuthorities: root.timestampAuthorities.map(authorityJson),
  };
}

/**
 * @sigstore/verify's trust material for `root` (for `new Verifier(material)`), converted on first
 * use and then returned as the same object for the same root. Do not modify it: it is shared.
 *
 * @throws InvalidArgumentError when `root` is not a {@link TrustedRoot} made by this package;
 * TrustedRootError when @sigstore/verify cannot use the root (a key it cannot read, an enum value
 * it does not know).
 */
export function trustMaterialOf(root: TrustedRoot): TrustMaterial {
  if (!isTrustedRoot(root))
    throw new InvalidArgumentError(
      'trustMaterialOf takes a TrustedRoot from parseTrustedRoot, getTrustedRoot, shippedTrustedRoot or trustedRootFromPems',
    );
  let material = materials.get(root);
  if (material === undefined) {
    try {
      material = toTrustMaterial(ProtoTrustedRoot.fromJSON(protoJsonOf(root)));
      // Every verification compares and verifies against these same certificates.
      for (const authority of [...material.certificateAuthorities, ...material.timestampAuthorities])
        for (const cert of authority.certChain) keepCertificateDer(cert);
    } catch (cause) {
      const detail = cause instanceof Error ? cause.message : String(cause);
      throw new TrustedRootError(`the Sigstore verifier cannot use this trusted root: ${detail}`, { cause });
    }
    materials.set(root, material);
  }
  return material;
}
