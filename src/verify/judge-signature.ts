/**
 * The judge of one image signature: pure and synchronous, bytes in, outcome out. A classic `.sig`
 * layer is judged on its signature over the payload with the trusted keys, the simple-signing
 * claims (digest, annotations) and its Rekor bundle annotation; a Sigstore bundle on its DSSE
 * signature (never with a key inside the bundle), the in-toto statement's subject and annotations,
 * and its tlog entries. Each failure carries a typed reason; a claim that fails says which claim
 * (from `ClaimMismatchError.claim`, never from the message text).
 *
 * Deliberately not here: fetching (`discover.ts`), and what a verification makes of the outcomes
 * (threshold, cosign 3's format order: `judge.ts`).
 */
import { OcisignError } from '../errors/base.js';
import { ClaimMismatchError } from '../errors/payload.js';
import type { FailureReason } from '../errors/verify.js';
import { fromBase64 } from '../internal/bytes.js';
import type { PublicKey } from '../keys/key-objects.js';
import { checkAnnotationClaims } from '../payload/annotation-claims.js';
import { parseBundle } from '../payload/bundle.js';
import { IN_TOTO_PAYLOAD_TYPE } from '../payload/dsse.js';
import { parseStatement, statementSubjectFor } from '../payload/intoto.js';
import { SignatureAnnotation } from '../payload/signature-layer.js';
import { checkSimpleSigningClaims, parseSimpleSigningPayload } from '../payload/simple-signing.js';
import { type BundleEvidence, type CandidateOutcome, failed, type LayerEvidence } from './evidence.js';
import { hasCertificate, judgeKeylessBundle, judgeKeylessLayer } from './keyless/keyless-judge.js';
import { dsseKeyIndex, verifyingKey } from './signature-keys.js';
import { bundleTlog, classicTlog } from './tlog-evidence.js';
import type { TrustMaterial } from './trust.js';
import type { ClaimOptions, VerifiedSignature } from './verify-types.js';

/** What the signed payload must say: the image digest, and the caller's claim options. */
export interface SignatureClaims extends ClaimOptions {
  readonly digest: string;
}

/** The failure reason of a payload that did not parse or whose claim did not hold. */
export function claimReason(error: OcisignError): FailureReason {
  if (!(error instanceof ClaimMismatchError)) return 'malformed';
  if (error.claim === 'digest') return 'digest-mismatch';
  if (error.claim === 'annotation') return 'annotation-mismatch';
  return 'malformed';
}

/** A failed outcome. */
type Failed = Extract<CandidateOutcome<VerifiedSignature>, { failure: unknown }>;

/** The simple-signing claims of a payload: its annotations, or the failed outcome. */
function classicClaims(
  payload: Uint8Array,
  claims: SignatureClaims,
  candidate: string,
): { annotations: Readonly<Record<string, unknown>> | null } | Failed {
  if (claims.checkClaims === false) return { annotations: null };
  try {
    const parsed = parseSimpleSigningPayload(payload);
    checkSimpleSigningClaims(parsed, { manifestDigest: claims.digest, annotations: claims.annotations });
    return { annotations: parsed.annotations };
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return failed(candidate, claimReason(error), error.message) as Failed;
  }
}

/** The in-toto claims of a bundle's statement: the subject's annotations, or the failed outcome. */
function statementClaims(
  statementBytes: Uint8Array,
  claims: SignatureClaims,
  candidate: string,
): { annotations: Readonly<Record<string, unknown>> | null } | Failed {
  if (claims.checkClaims === false) return { annotations: null };
  try {
    const subject = statementSubjectFor(parseStatement(statementBytes), claims.digest);
    const annotations = subject.annotations ?? null;
    checkAnnotationClaims(annotations, claims.annotations);
    return { annotations };
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return failed(candidate, claimReason(error), error.message) as Failed;
  }
}

/** Judges one classic `.sig` layer and its payload. */
export function judgeClassicSignature(
  evidence: LayerEvidence,
  candidate: string,
  claims: SignatureClaims,
  trust: TrustMaterial,
): CandidateOutcome<VerifiedSignature> {
  const { layer, payload } = evidence;
  const signatureText = layer.annotations?.[SignatureAnnotation.signature] ?? '';
  const signature = fromBase64(signatureText);
  if (signature === undefined || signature.length === 0)
    return failed(candidate, 'malformed', 'the layer has no base64 signature annotation');
  const keyIndex = verifyingKey(trust.keys, payload, signature, trust.digestAlgorithm);
  if (keyIndex < 0) {
    if (trust.keyless === undefined || !hasCertificate(layer))
      return failed(candidate, 'wrong-key', 'the signature does not verify with any trusted key');
    // Keyless: the certificate's evidence and identity, then the same claims.
    const signer = judgeKeylessLayer(layer, payload, trust.keyless);
    if ('reason' in signer) return failed(candidate, signer.reason, signer.message);
    const claimed = classicClaims(payload, claims, candidate);
    if ('failure' in claimed) return claimed;
    return {
      candidate,
      ok: {
        format: 'simple-signing',
        keyIndex: -1,
        ...signer,
        payload,
        annotations: claimed.annotations,
        source: layer.digest,
      },
    };
  }
  const claimed = classicClaims(payload, claims, candidate);
  if ('failure' in claimed) return claimed;
  const { annotations } = claimed;
  const key = trust.keys[keyIndex] as PublicKey;
  const tlog = classicTlog(trust, layer, { signature: signatureText, key, payload });
  if (tlog !== undefined) return failed(candidate, tlog.reason, tlog.message);
  return {
    candidate,
    ok: { format: 'simple-signing', keyIndex, payload, annotations, source: layer.digest },
  };
}

/** Judges one Sigstore bundle as an image signature. */
export function judgeBundleSignature(
  evidence: BundleEvidence,
  candidate: string,
  claims: SignatureClaims,
  trust: TrustMaterial,
): CandidateOutcome<VerifiedSignature> {
  const bundle = parseBundle(evidence.bundle);
  const envelope = bundle.dsseEnvelope;
  if (envelope === undefined)
    return failed(
      candidate,
      'malformed',
      'image bundles carry a DSSE envelope; this one has a message signature',
    );
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return failed(candidate, 'malformed', `unexpected DSSE payload type ${envelope.payloadType}`);
  const keyIndex = dsseKeyIndex(trust.keys, envelope, trust.digestAlgorithm);
  if (keyIndex < 0) {
    if (trust.keyless === undefined || bundle.certificate === undefined)
      return failed(
        candidate,
        'wrong-key',
        'the bundle signature does not verify with any trusted key (a key inside a bundle is never trusted)',
      );
    // Keyless: the certificate's evidence and identity, then the same claims.
    const signer = judgeKeylessBundle(bundle, evidence.bundle, trust.keyless);
    if ('reason' in signer) return failed(candidate, signer.reason, signer.message);
    const claimed = statementClaims(envelope.payload, claims, candidate);
    if ('failure' in claimed) return claimed;
    return {
      candidate,
      ok: {
        format: 'bundle',
        keyIndex: -1,
        ...signer,
        payload: envelope.payload,
        annotations: claimed.annotations,
        source: evidence.source ?? candidate,
      },
    };
  }
  const claimed = statementClaims(envelope.payload, claims, candidate);
  if ('failure' in claimed) return claimed;
  const { annotations } = claimed;
  const key = trust.keys[keyIndex] as PublicKey;
  const signature = envelope.signatures[0]?.sig ?? '';
  const tlog = bundleTlog(trust, bundle, {
    signature,
    key,
    payload: envelope.payload,
    payloadType: envelope.payloadType,
  });
  if (tlog !== undefined) return failed(candidate, tlog.reason, tlog.message);
  return {
    candidate,
    ok: {
      format: 'bundle',
      keyIndex,
      payload: envelope.payload,
      annotations,
      source: evidence.source ?? candidate,
    },
  };
}
