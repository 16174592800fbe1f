/**
 * The transparency-log evidence a candidate must carry (unless the caller passed `ignoreTlog`),
 * checked against the caller's Rekor keys: a classic layer's Rekor bundle annotation (cosign's
 * `dev.sigstore.cosign/bundle`: the SET over the entry, and the entry matching this signature), or
 * a Sigstore bundle's tlog entries (one must verify). A classic `.att` layer's entry is held to
 * cosign's rule for attestations: it logs the layer's blob and names the key. A classic layer that
 * carries a certificate but verified with a key is held to cosign's rules for that case: the entry
 * names the certificate, which is for the key and was valid when logged. Each check gives
 * `undefined` when the evidence holds or is not required, else the failure.
 *
 * Deliberately not here: the cryptography of SETs, inclusion proofs and entry bodies (`sigstore/tlog/tlog-entry.ts`).
 */
import { X509Certificate } from '@sigstore/core';
import { OcisignError } from '../errors/base.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { SigstoreBundle } from '../payload/bundle.js';
import type { Descriptor } from '../payload/oci.js';
import { parseRekorBundleAnnotation, SignatureAnnotation } from '../payload/signature-layer.js';
import { type RekorBody, readRekorBody } from '../sigstore/tlog/rekor-body.js';
import {
  attestationEntryMatches,
  entryMatches,
  type TlogCheck,
  verifyBundleEntry,
  verifySet,
} from '../sigstore/tlog/tlog-entry.js';
import { readFulcioCertificatePem } from './keyless/certificate.js';
import type { TrustMaterial } from './trust.js';
import type { CheckFailure } from './verify-types.js';

/** What the logged entry must be about: the signature, the key that verified it, the signed bytes. */
export interface LoggedSignature {
  readonly signature: string;
  readonly key: PublicKey;
  readonly payload: Uint8Array;
  /** A DSSE envelope's payload type (its signature is over the PAE). */
  readonly payloadType?: string;
}

const NO_REKOR_KEYS =
  'no trustedRoot or rekorPublicKeys were given to check transparency-log evidence (or pass ignoreTlog: true)';

/**
 * Transparency-log evidence of a classic layer (its Rekor bundle annotation): the SET verifies with
 * a trusted Rekor key, and the logged body is about what `about` says. Holds with the entry's
 * integrated time, or with none when `ignoreTlog` waives the evidence.
 */
function classicEntryTlog(
  trust: TrustMaterial,
  layer: Descriptor,
  about: (body: RekorBody) => TlogCheck,
): CheckFailure | { readonly integratedAt: Date | undefined } {
  if (trust.ignoreTlog) return { integratedAt: undefined };
  const bundleText = layer.annotations?.[SignatureAnnotation.bundle];
  // cosign reads an empty annotation as no bundle.
  if (bundleText === undefined || bundleText === '')
    return {
      reason: 'tlog-missing',
      message:
        'no transparency-log bundle on this signature (cosign would look it up online; pass ignoreTlog: true to accept signatures without tlog evidence)',
    };
  if (trust.rekorKeys === undefined)
    return {
      reason: 'tlog-missing',
      message:
        'the signature carries a Rekor bundle, but no trustedRoot or rekorPublicKeys were given to check it',
    };
  let rekor: ReturnType<typeof parseRekorBundleAnnotation>;
  try {
    rekor = parseRekorBundleAnnotation(bundleText);
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return { reason: 'tlog-invalid', message: error.message };
  }
  const { body, integratedTime, logIndex, logID } = rekor.payload;
  if (typeof body !== 'string')
    return { reason: 'tlog-invalid', message: "the Rekor bundle annotation's Payload.body is not a string" };
  if (rekor.signedEntryTimestamp === null)
    return { reason: 'tlog-invalid', message: 'the Rekor bundle annotation has no SignedEntryTimestamp' };
  const set = verifySet(
    { body, integratedTime, logIndex, logID },
    rekor.signedEntryTimestamp,
    trust.rekorKeys,
  );
  if (!set.ok) return { reason: 'tlog-invalid', message: set.message };
  const read = readRekorBody(body);
  const match = read.ok ? about(read.body) : read;
  if (!match.ok) return { reason: 'tlog-invalid', message: match.message };
  return { integratedAt: new Date(integratedTime * 1000) };
}

/** The certificate a classic layer carries, as the key path reads it. */
interface LayerCertificate {
  readonly der: Uint8Array;
  readonly key: PublicKey | undefined;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * The first certificate of a layer's certificate annotation (cosign's `Cert()`), undefined when the
 * layer has none, or why it cannot be read (cosign then fails the signature). `key` is undefined
 * for a key ocisign cannot import: it then equals no trusted key.
 */
function layerCertificate(layer: Descriptor): LayerCertificate | CheckFailure | undefined {
  const pem = layer.annotations?.[SignatureAnnotation.certificate];
  if (pem === undefined || pem === '') return undefined;
  let read: ReturnType<typeof readFulcioCertificatePem>;
  try {
    read = readFulcioCertificatePem(pem);
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return { reason: 'certificate-invalid', message: `the layer's certificate: ${error.message}` };
  }
  let key: PublicKey | undefined;
  try {
    key = importPublicKey(new Uint8Array(X509Certificate.parse(Buffer.from(read.der)).publicKey));
  } catch {
    key = undefined;
  }
  return { der: read.der, key, notBefore: read.notBefore, notAfter: read.notAfter };
}

const rfc3339 = (date: Date) => date.toISOString().replace('.000Z', 'Z');

/**
 * cosign's `CheckExpiry` of a layer's certificate on the key path (no issuing chain: a key verified
 * the signature): at the Rekor entry's integrated time, or now when `ignoreTlog` left none, with
 * cosign's words for each case.
 */
function certificateExpiry(cert: LayerCertificate, integratedAt: Date | undefined): CheckFailure | undefined {
  const at = integratedAt ?? new Date();
  if (cert.notBefore <= at && at <= cert.notAfter) return undefined;
  if (integratedAt === undefined)
    return {
      reason: 'certificate-invalid',
      message: 'expected a signed timestamp to verify an expired certificate',
    };
  return {
    reason: 'certificate-invalid',
    message:
      at > cert.notAfter
        ? `checking expiry on certificate with bundle: certificate expired before observed time: ${rfc3339(cert.notAfter)} is before ${rfc3339(at)}`
        : `checking expiry on certificate with bundle: certificate was issued after observed time: ${rfc3339(cert.notBefore)} is after ${rfc3339(at)}`,
  };
}

/**
 * The evidence of a classic layer verified with `key`, as cosign's `verifyInternal` checks it with
 * a key (`pkg/cosign/verify.go`): the Rekor entry is about what `about` says, given the layer's
 * certificate when it carries one. With a certificate, the entry must name that certificate
 * (`comparePublicKey`), the certificate must be for `key` (`keyBytes`: "both public key and
 * certificate were provided but did not match" — checked with the entry, as cosign does), and it
 * must be valid at the entry's integrated time, or now with `ignoreTlog` (`CheckExpiry`).
 */
function classicKeyEvidence(
  trust: TrustMaterial,
  layer: Descriptor,
  key: PublicKey,
  about: (certificate: Uint8Array | undefined) => (body: RekorBody) => TlogCheck,
): CheckFailure | undefined {
  const certificate = layerCertificate(layer);
  if (certificate !== undefined && 'reason' in certificate) return certificate;
  if (!trust.ignoreTlog && certificate !== undefined && certificate.key?.equals(key) !== true)
    return {
      reason: 'wrong-key',
      message:
        "both public key and certificate were provided but did not match: the layer's certificate is not for the trusted key",
    };
  const logged = classicEntryTlog(trust, layer, about(certificate?.der));
  if ('reason' in logged) return logged;
  return certificate === undefined ? undefined : certificateExpiry(certificate, logged.integratedAt);
}

/**
 * The evidence of a classic `.sig` layer verified with a key: the entry is about this signature and
 * the key — or the layer's certificate (see {@link classicKeyEvidence}).
 */
export function classicTlog(
  trust: TrustMaterial,
  layer: Descriptor,
  logged: LoggedSignature,
): CheckFailure | undefined {
  return classicKeyEvidence(
    trust,
    layer,
    logged.key,
    (certificate) => (body) => entryMatches(body, { ...logged, certificate }),
  );
}

/** Whether a logged verifier (DER, see `loggedVerifiers`) is `key`. */
function isKey(der: Uint8Array, key: PublicKey): boolean {
  try {
    return importPublicKey(der).equals(key);
  } catch {
    return false;
  }
}

/**
 * The evidence of a classic `.att` layer signed with `key`: the entry names the key — or the layer's
 * certificate (see {@link classicKeyEvidence}) — and logs the layer's blob
 * (`attestationEntryMatches`: cosign compares no signature there).
 */
export function classicAttestationTlog(
  trust: TrustMaterial,
  layer: Descriptor,
  blob: Uint8Array,
  key: PublicKey,
): CheckFailure | undefined {
  return classicKeyEvidence(
    trust,
    layer,
    key,
    (certificate) => (body) =>
      attestationEntryMatches(body, blob, (der) =>
        certificate === undefined ? isKey(der, key) : Buffer.from(der).equals(certificate),
      ),
  );
}

/** Transparency-log evidence of a Sigstore bundle: one of its entries must verify. */
export function bundleTlog(
  trust: TrustMaterial,
  bundle: SigstoreBundle,
  logged: LoggedSignature,
): CheckFailure | undefined {
  if (trust.ignoreTlog) return undefined;
  const rekorKeys = trust.rekorKeys;
  if (rekorKeys === undefined) return { reason: 'tlog-missing', message: NO_REKOR_KEYS };
  if (bundle.tlogEntries.length === 0)
    return { reason: 'tlog-missing', message: 'the bundle has no transparency-log entry' };
  const checks = bundle.tlogEntries.map((entry) => verifyBundleEntry(entry, logged, rekorKeys));
  if (!checks.some((c) => c.ok))
    return { reason: 'tlog-invalid', message: checks.map((c) => c.message).join('; ') };
  return undefined;
}
