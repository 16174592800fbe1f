/**
 * The certificate-side evidence of one keyless signature, checked with @sigstore/verify's own
 * building blocks (chain to the trusted root's CAs, SCTs against its CT logs, Rekor SETs and
 * inclusion proofs, RFC 3161 timestamps, the signature) composed the way cosign 3 composes them
 * for its flags — which @sigstore/verify's `Verifier` cannot express: no tlog and no TSA ("now"
 * mode), ignoring SCTs whose log is unknown, ignoring RFC 3161 timestamps unless asked for, Rekor v2
 * entries that carry no integrated time. Added here because @sigstore/verify 3.1.1 does not do
 * them: the codeSigning EKU (on the leaf, and allowed by every certificate of its path), the Rekor
 * entry's certificate (read from its kind's own field) equal to the signing certificate
 * (CVE-2026-22703), and de-duplicated tlog entries. A classic `.att` layer's entry is matched as
 * cosign's classic path matches an attestation's (its blob and certificate, no signature), and its
 * RFC 3161 timestamp is over the blob. With `legacyChain` (Kyverno's `type: Cosign`), the path is
 * built by cosign's legacy rules instead (`certificate-path.ts`).
 *
 * Deliberately not here: identities (`identity.ts`), claims and digests (the judge), reading
 * trusted roots (`ocisign/sigstore`). Every failure is returned as a typed reason; anything the
 * library throws is caught and sorted, never passed on.
 */
import type { TransparencyLogEntry } from '@sigstore/bundle';
import { crypto as sigstoreCrypto, type X509Certificate } from '@sigstore/core';
import type { SignedEntity, TrustMaterial } from '@sigstore/verify';
import { verifyCertificateChain } from '@sigstore/verify/dist/key/certificate.js';
import { verifySCTs } from '@sigstore/verify/dist/key/sct.js';
import { getTLogTimestamp, getTSATimestamp } from '@sigstore/verify/dist/timestamp/index.js';
import { verifyTLogBody } from '@sigstore/verify/dist/tlog/index.js';
import type { FailureReason } from '../../errors/verify.js';
import { importPublicKey } from '../../keys/import.js';
import type { PublicKey } from '../../keys/key-objects.js';
import type { DsseEnvelope } from '../../payload/dsse.js';
import { keepCertificateDer } from '../../sigstore/certificate-der.js';
import { loggedVerifiers, type RekorBody } from '../../sigstore/tlog/rekor-body.js';
import type { RekorKeys } from '../../sigstore/tlog/rekor-keys.js';
import {
  attestationEntryMatches,
  entryMatches,
  type TlogCheck,
  verifyTlogEntry,
} from '../../sigstore/tlog/tlog-entry.js';
import type { CheckFailure } from '../verify-types.js';
import { annotationIntermediates, legacyCertificatePath, pathAllowsCodeSigning } from './certificate-path.js';
import type { KeylessSubject } from './keyless-entity.js';

/** cosign's flags for the evidence of a keyless signature. */
export interface KeylessFlags {
  /** `--insecure-ignore-tlog`: no Rekor entry required (the time is then a TSA's, or now). */
  readonly ignoreTlog: boolean;
  /** `--insecure-ignore-sct`: no embedded SCT required. */
  readonly ignoreSct: boolean;
  /** `--use-signed-timestamps`: the signing time comes from RFC 3161 timestamps, not Rekor. */
  readonly useSignedTimestamps: boolean;
  /**
   * cosign's legacy chain rules, for Kyverno's `type: Cosign` (cosign without a trusted root):
   * every CA certificate of the trust material is an anchor, and a classic layer's `chain`
   * annotation lends intermediates, never its root (`certificate-path.ts`). Default false: cosign 3
   * with a trusted root, whose CA entries are the only paths and which ignores the annotation.
   */
  readonly legacyChain?: boolean;
}

/**
 * The trust material of keyless checks: @sigstore/verify's (CAs, CT logs, TSAs) and the Rekor keys
 * as ocisign reads them from the same trusted root (SETs and checkpoints are checked by the same
 * code as for static keys, which also reads checkpoints of private instances sigstore-js refuses).
 */
export interface KeylessTrust {
  readonly material: TrustMaterial;
  readonly rekorKeys: RekorKeys;
}

/** The evidence held: the leaf that signed (and its issuer), and the times it was checked at. */
export interface KeylessEvidence {
  readonly leaf: X509Certificate;
  readonly times: readonly Date[];
}

const CODE_SIGNING = '1.3.6.1.5.5.7.3.3';
const EXTENDED_KEY_USAGE = '2.5.29.37';

/** A library error's message, with its cause's when that says more. */
function describe(error: unknown): string {
  const e = error as { message?: unknown; cause?: { message?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(error);
  const cause = typeof e?.cause?.message === 'string' ? `: ${e.cause.message}` : '';
  return `${message}${cause}`;
}

/** Runs one library check; what it throws becomes a failure with `reason`. */
function attempt<T>(reason: FailureReason, what: string, fn: () => T): T | CheckFailure {
  try {
    return fn();
  } catch (error) {
    return { reason, message: `${what}: ${describe(error)}` };
  }
}

function isFailure(value: unknown): value is CheckFailure {
  return typeof value === 'object' && value !== null && 'reason' in value && 'message' in value;
}

/** Whether the certificate's EKU extension lists codeSigning (Fulcio always sets it). */
function hasCodeSigning(cert: X509Certificate): boolean {
  const ext = cert.extension(EXTENDED_KEY_USAGE);
  if (ext === undefined) return false;
  // extnValue: an OCTET STRING holding a SEQUENCE OF OBJECT IDENTIFIER.
  try {
    return (ext.valueObj.subs[0]?.subs ?? []).some((oid) => oid.toOID() === CODE_SIGNING);
  } catch {
    return false;
  }
}

/** Whether a logged verifier (DER) is the signing certificate: the same bytes, as Go's `Certificate.Equal`. */
function isLeaf(leaf: X509Certificate, der: Uint8Array): boolean {
  return leaf.root.toDER().equals(der);
}

/**
 * A bundle's (or `.sig` layer's) entry body against the signature, as @sigstore/verify compares
 * them, and every verifier it logs (read from its kind's own field: `loggedVerifiers`) the signing
 * certificate, as sigstore-go's `CompareKey` requires.
 */
function signatureEntryMatches(
  entry: TransparencyLogEntry,
  body: RekorBody,
  subject: KeylessSubject,
  leaf: X509Certificate,
): TlogCheck {
  const { entity, envelope } = subject;
  if (body.type === 'hashedrekord/0.0.2' && envelope !== undefined)
    return v2EnvelopeEntryMatches(body, envelope, leaf);
  const compared = attempt('tlog-invalid', 'its body', () => verifyTLogBody(entry, entity.signature));
  if (isFailure(compared)) return { ok: false, message: compared.message };
  const logged = loggedVerifiers(body);
  if (!logged.ok) return logged;
  if (!logged.verifiers.every((der) => isLeaf(leaf, der)))
    return { ok: false, message: 'the transparency-log entry names another certificate' };
  return { ok: true, message: 'ok' };
}

/**
 * A Rekor v2 `hashedrekord` for a DSSE envelope (rekor-v2 spec §6.1.4, sigstore-go's verifier since
 * it uploads DSSE that way): the envelope's one signature, the signing certificate, and the digest of
 * the envelope's PAE.
 */
function v2EnvelopeEntryMatches(body: RekorBody, envelope: DsseEnvelope, leaf: X509Certificate): TlogCheck {
  const [signature, ...more] = envelope.signatures;
  if (signature === undefined || more.length > 0)
    return { ok: false, message: 'a Rekor v2 entry can log an envelope with exactly one signature' };
  let key: PublicKey;
  try {
    key = importPublicKey(new Uint8Array(leaf.publicKey));
  } catch {
    return { ok: false, message: "the certificate's key cannot be read" };
  }
  return entryMatches(body, {
    signature: signature.sig,
    key,
    payload: envelope.payload,
    payloadType: envelope.payloadType,
    certificate: new Uint8Array(leaf.root.toDER()),
  });
}

/**
 * The times the signature is checked at, as cosign's flags choose them; a failure when none. RFC 3161
 * timestamps are over `timestamped`: the signature, or a classic attestation's blob.
 */
function signingTimes(
  entity: SignedEntity,
  timestamped: Buffer,
  trust: TrustMaterial,
  flags: KeylessFlags,
): Date[] | CheckFailure {
  const rekorV2 =
    entity.tlogEntries.length > 0 && entity.tlogEntries.every((e) => Number(e.integratedTime) === 0);
  // Rekor v2 entries sign no time: then a timestamp must tell it, unless the tlog is not read.
  const signed = flags.useSignedTimestamps || (rekorV2 && !flags.ignoreTlog);
  // Neither tlog nor timestamps asked for: cosign checks the certificate now, reading neither.
  if (flags.ignoreTlog && !signed) return [new Date()];
  const times: Date[] = [];
  for (const t of entity.timestamps) {
    if (t.$case === 'timestamp-authority') {
      const verified = attempt('timestamp-invalid', 'RFC 3161 timestamp', () =>
        getTSATimestamp(t.timestamp, timestamped, trust.timestampAuthorities),
      );
      // Asked for, a timestamp must verify. Not asked for, cosign does not read it; one that does
      // verify against a TSA of the trusted root still binds the certificate's window (as the
      // sigstore-conformance suite requires), while one from an unknown TSA is passed over.
      if (isFailure(verified)) {
        if (signed) return verified;
        continue;
      }
      times.push(verified.timestamp);
    } else if (!signed && !flags.ignoreTlog) {
      const logged = getTLogTimestamp(t.tlogEntry);
      if (logged !== undefined) times.push(logged.timestamp);
    }
  }
  if (times.length > 0) return times;
  return {
    reason: 'timestamp-missing',
    message: signed
      ? 'no verified RFC 3161 timestamp to tell when it was signed (Rekor v2 entries carry no time)'
      : 'no transparency-log entry with a signed entry timestamp to tell when it was signed',
  };
}

/**
 * The tlog entries: each one included in a trusted log and about this signature and certificate —
 * or, for a classic attestation, about its blob and certificate (`attestationEntryMatches`).
 */
function checkTlog(
  subject: KeylessSubject,
  leaf: X509Certificate,
  trust: KeylessTrust,
): CheckFailure | undefined {
  const { entity, attestationBlob } = subject;
  if (entity.tlogEntries.length === 0)
    return { reason: 'tlog-missing', message: 'no transparency-log entry (pass ignoreTlog to accept none)' };
  const seen = new Set<string>();
  for (const [i, entry] of entity.tlogEntries.entries()) {
    const key = `${entry.logId.keyId.toString('hex')}/${entry.logIndex}`;
    if (seen.has(key)) return { reason: 'tlog-invalid', message: `the tlog entry ${key} appears twice` };
    seen.add(key);
    const read = subject.tlogEntries[i];
    if (read === undefined) return { reason: 'tlog-invalid', message: 'a tlog entry could not be read' };
    const checked = verifyTlogEntry(read, trust.rekorKeys, (body) =>
      attestationBlob === undefined
        ? signatureEntryMatches(entry, body, subject, leaf)
        : attestationEntryMatches(body, attestationBlob, (der) => isLeaf(leaf, der)),
    );
    if (!checked.ok) return { reason: 'tlog-invalid', message: `transparency-log entry: ${checked.message}` };
    // A logged time, signed by a promise or not, must fall inside the certificate's window
    // (sigstore-go refuses it otherwise, and cosign checks expiry at it): Rekor v2 logs none (0).
    const integrated = Number(entry.integratedTime);
    if (integrated !== 0 && !leaf.validForDate(new Date(integrated * 1000)))
      return {
        reason: 'certificate-invalid',
        message: `the transparency log integrated the entry at ${new Date(integrated * 1000).toISOString()}, outside the certificate's validity (${leaf.notBefore.toISOString()} to ${leaf.notAfter.toISOString()})`,
      };
  }
  return undefined;
}

/**
 * The path from `leaf` to an anchor, valid at every one of `times`: through a CA entry of the
 * trusted root (@sigstore/verify's `verifyCertificateChain`, per time), or by cosign's legacy rules
 * (`flags.legacyChain`). Either way every certificate of it must allow code signing, as Go's
 * `x509.Verify` requires for cosign and sigstore-go alike.
 */
function certificatePath(
  subject: KeylessSubject,
  leaf: X509Certificate,
  trust: KeylessTrust,
  flags: KeylessFlags,
  times: readonly Date[],
): X509Certificate[] | CheckFailure {
  let path: X509Certificate[] = [];
  if (flags.legacyChain === true) {
    const intermediates = annotationIntermediates(subject.chainAnnotation);
    if ('problem' in intermediates) return { reason: 'malformed', message: intermediates.problem };
    const found = legacyCertificatePath(leaf, intermediates, trust.material.certificateAuthorities, times);
    if ('problem' in found) return { reason: 'certificate-invalid', message: found.problem };
    path = found;
  } else {
    for (const time of times) {
      const chain = attempt('certificate-invalid', `certificate at ${time.toISOString()}`, () =>
        verifyCertificateChain(time, leaf, trust.material.certificateAuthorities),
      );
      if (isFailure(chain)) return chain;
      path = chain;
    }
  }
  if (!pathAllowsCodeSigning(path))
    return {
      reason: 'certificate-invalid',
      message: 'a certificate of the chain does not allow code signing (its extended key usage)',
    };
  return path;
}

/**
 * Checks the certificate evidence of a signed entity (a bundle, or a classic layer as a v0.1
 * bundle) against the trust material, as cosign 3 does for `flags`. Pure and synchronous.
 */
export function checkKeylessEvidence(
  subject: KeylessSubject,
  trust: KeylessTrust,
  flags: KeylessFlags,
): KeylessEvidence | CheckFailure {
  const { entity } = subject;
  if (entity.key.$case !== 'certificate')
    return {
      reason: 'wrong-key',
      message: 'keyless verification needs a certificate; this signature names a key',
    };
  const leaf = entity.key.certificate;
  // The chain checks compare and re-encode the leaf many times: once is enough.
  keepCertificateDer(leaf);
  const timestamped =
    subject.attestationBlob === undefined ? entity.signature.signature : Buffer.from(subject.attestationBlob);
  const times = signingTimes(entity, timestamped, trust.material, flags);
  if (isFailure(times)) return times;
  const path = certificatePath(subject, leaf, trust, flags, times);
  if (isFailure(path)) return path;
  if (!hasCodeSigning(leaf))
    return {
      reason: 'certificate-invalid',
      message: 'the certificate is not for code signing (no codeSigning EKU)',
    };
  if (!flags.ignoreSct) {
    const issuer = path[1];
    if (issuer === undefined)
      return { reason: 'sct-invalid', message: 'no issuing certificate to check the SCT against' };
    const scts = attempt('sct-invalid', 'embedded SCT', () =>
      verifySCTs(leaf, issuer, trust.material.ctlogs),
    );
    if (isFailure(scts)) return scts;
    if (scts.length === 0)
      return {
        reason: 'sct-invalid',
        message: 'the certificate has no embedded SCT (pass ignoreSct to accept none)',
      };
  }
  if (!flags.ignoreTlog) {
    const tlog = checkTlog(subject, leaf, trust);
    if (tlog !== undefined) return tlog;
  }
  const verified = attempt('wrong-key', 'signature', () =>
    entity.signature.verifySignature(sigstoreCrypto.createPublicKey(leaf.publicKey)),
  );
  if (isFailure(verified)) return verified;
  if (!verified)
    return { reason: 'wrong-key', message: 'the signature does not verify with the certificate key' };
  return { leaf, times };
}
