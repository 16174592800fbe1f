/**
 * The keyless judge of one signature or attestation: a classic `.sig` or `.att` layer carrying a
 * Fulcio certificate, or a Sigstore bundle with a certificate, checked as cosign 3 checks it — the certificate
 * evidence (chain at the signing time, SCT, Rekor entry or RFC 3161 timestamp, the signature with
 * the certificate's key: `sigstore-checks.ts`), then the identity with the format's own rules
 * (cosign's classic rules for layers, sigstore-go's for bundles). Pure and synchronous. The claims
 * (digest, annotations, the statement) are the caller's, as for keys.
 *
 * Deliberately not here: key signatures, claims.
 */

import type { X509Certificate } from '@sigstore/core';
import type { SigstoreBundle } from '../../payload/bundle.js';
import { sha256Digest } from '../../payload/digest.js';
import type { DsseEnvelope } from '../../payload/dsse.js';
import type { Descriptor } from '../../payload/oci.js';
import { SignatureAnnotation } from '../../payload/signature-layer.js';
import type { CheckFailure } from '../verify-types.js';
import { type FulcioCertificate, readFulcioCertificate } from './certificate.js';
import {
  type CertificateSummary,
  matchBundle,
  matchClassic,
  summarizeCertificate,
} from './identity-match.js';
import {
  bundleEntity,
  classicAttestationEntity,
  classicEntity,
  type KeylessSubject,
} from './keyless-entity.js';
import type { KeylessMaterial } from './keyless-trust.js';
import { checkKeylessEvidence } from './sigstore-checks.js';
import { SUBJECT_ALT_NAME_OID } from './subject-alt-names.js';

/** Who signed, by the certificate: the identity entry that matched and what the certificate shows. */
export interface KeylessSigner {
  readonly identityIndex: number;
  readonly certificate: CertificateSummary;
}

/**
 * The verified leaf as the identity matchers read it; refused, as Go's `x509.Verify` refuses it,
 * when it has a critical extension Go does not handle (the otherName-only SAN exempted, as cosign
 * and sigstore-go exempt it).
 */
export function readLeaf(leaf: X509Certificate): FulcioCertificate | CheckFailure {
  let certificate: FulcioCertificate;
  try {
    certificate = readFulcioCertificate(new Uint8Array(leaf.root.toDER()));
  } catch (error) {
    return { reason: 'certificate-invalid', message: (error as Error).message };
  }
  const unhandled = certificate.unhandledCriticalExtensions.filter((oid) => oid !== SUBJECT_ALT_NAME_OID);
  if (unhandled.length > 0)
    return {
      reason: 'certificate-invalid',
      message: `the certificate has critical extensions no verifier handles: ${unhandled.join(', ')}`,
    };
  return certificate;
}

/** A keyless verdict with the times the signature was checked at (what `verifyBlob` reports). */
export interface KeylessVerdict extends KeylessSigner {
  readonly signedAt: readonly Date[];
}

/**
 * The evidence of `subject`, then the identity by the format's rules: classic layers by cosign's,
 * bundles (images and blobs alike) by sigstore-go's.
 */
export function judgeKeylessSubject(
  subject: KeylessSubject | CheckFailure,
  keyless: KeylessMaterial,
  format: 'classic' | 'bundle',
): KeylessVerdict | CheckFailure {
  if ('reason' in subject) return subject;
  const evidence = checkKeylessEvidence(subject, keyless.trust, keyless.flags);
  if ('reason' in evidence) return evidence;
  const certificate = readLeaf(evidence.leaf);
  if ('reason' in certificate) return certificate;
  const matched = (format === 'classic' ? matchClassic : matchBundle)(keyless.identities, certificate);
  if ('mismatch' in matched) return { reason: 'identity-mismatch', message: matched.mismatch };
  return {
    identityIndex: matched.index,
    certificate: summarizeCertificate(certificate),
    signedAt: evidence.times,
  };
}

/** The verdict as image results carry it: who signed, not when. */
function judge(
  subject: KeylessSubject | CheckFailure,
  keyless: KeylessMaterial,
  format: 'classic' | 'bundle',
): KeylessSigner | CheckFailure {
  const verdict = judgeKeylessSubject(subject, keyless, format);
  return 'reason' in verdict
    ? verdict
    : { identityIndex: verdict.identityIndex, certificate: verdict.certificate };
}

/** Whether a classic layer was signed keyless (it carries a certificate annotation). */
export function hasCertificate(layer: Descriptor): boolean {
  const pem = layer.annotations?.[SignatureAnnotation.certificate];
  return pem !== undefined && pem !== '';
}

/** Judges a classic `.sig` layer signed keyless: evidence, then cosign's classic identity rules. */
export function judgeKeylessLayer(
  layer: Descriptor,
  payload: Uint8Array,
  keyless: KeylessMaterial,
): KeylessSigner | CheckFailure {
  // The Rekor entry and the signature are over the payload the layer names: hold it to that.
  if (sha256Digest(payload) !== layer.digest)
    return { reason: 'digest-mismatch', message: 'the payload is not the blob the layer names' };
  return judge(classicEntity(layer, payload), keyless, 'classic');
}

/**
 * Judges a classic `.att` layer signed keyless, as cosign's classic path judges it
 * (`pkg/cosign/verify.go` `verifyInternal` with `verifyOCIAttestation`): the same evidence and
 * identity rules as a `.sig` layer, the DSSE `envelope` (the layer's `blob`, parsed) verified with
 * the certificate's key, its Rekor entry logging `blob` and its RFC 3161 timestamp over `blob`.
 */
export function judgeKeylessAttestationLayer(
  layer: Descriptor,
  blob: Uint8Array,
  envelope: DsseEnvelope,
  keyless: KeylessMaterial,
): KeylessSigner | CheckFailure {
  if (sha256Digest(blob) !== layer.digest)
    return { reason: 'digest-mismatch', message: 'the envelope is not the blob the layer names' };
  return judge(classicAttestationEntity(layer, blob, envelope), keyless, 'classic');
}

/**
 * Judges a Sigstore bundle (DSSE, for images) signed keyless: evidence, then sigstore-go's rules.
 * `bundle` is the bundle as `parseBundle` read it, `document` its JSON (see `bundleEntity`).
 */
export function judgeKeylessBundle(
  bundle: SigstoreBundle,
  document: unknown,
  keyless: KeylessMaterial,
): KeylessSigner | CheckFailure {
  return judge(bundleEntity(bundle, document, undefined), keyless, 'bundle');
}
