/**
 * The judge of one attestation: pure and synchronous. A DSSE envelope (from a classic `.att` layer
 * or a Sigstore bundle) counts when a trusted key verifies it over PAE and its transparency-log
 * evidence holds — or, signed keyless, when its Fulcio certificate's evidence and identity hold
 * (`keyless/keyless-judge.ts`) — and its in-toto statement names the image digest and has the
 * wanted predicate type. Classic layers read a string predicate as cosign ≤ 1 wrote it; bundles
 * never do.
 *
 * Deliberately not here: fetching (`discover.ts`), and what a verification makes of the outcomes
 * (`judge.ts`).
 */
import { OcisignError } from '../errors/base.js';
import type { PublicKey } from '../keys/key-objects.js';
import { parseBundle, type SigstoreBundle } from '../payload/bundle.js';
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, parseDsseEnvelope } from '../payload/dsse.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  parseStatement,
  type Statement,
  statementSubjectFor,
} from '../payload/intoto.js';
import type { SignatureFormat } from '../payload/signature-format.js';
import { type BundleEvidence, type CandidateOutcome, failed, type LayerEvidence } from './evidence.js';
import { claimReason } from './judge-signature.js';
import {
  hasCertificate,
  judgeKeylessAttestationLayer,
  judgeKeylessBundle,
  type KeylessSigner,
} from './keyless/keyless-judge.js';
import { dsseKeyIndex } from './signature-keys.js';
import { bundleTlog, classicAttestationTlog, type LoggedSignature } from './tlog-evidence.js';
import type { TrustMaterial } from './trust.js';
import type { CheckFailure, VerifiedAttestation } from './verify-types.js';

/** What the statement must say: the image digest, and (when asked) the predicate type. */
export interface AttestationClaims {
  readonly digest: string;
  /** A predicate type URI (already expanded from cosign's `--type` names); undefined: any. */
  readonly predicateType: string | undefined;
}

/** An attestation outcome, or undefined when the statement is no attestation candidate at all. */
type Judged = CandidateOutcome<VerifiedAttestation> | undefined;

interface EnvelopeForm {
  readonly format: SignatureFormat;
  readonly legacyStringPredicate: boolean;
  readonly tlog: (logged: LoggedSignature) => ReturnType<typeof bundleTlog>;
  /** Statements that are no attestation candidate (cosign 3's image-signature statement). */
  readonly skip: (statement: Statement) => boolean;
  /** Keyless: the certificate's evidence and identity, when no trusted key verifies the envelope. */
  readonly keyless?: (() => KeylessSigner | CheckFailure) | undefined;
}

function judgeEnvelope(
  envelope: DsseEnvelope,
  candidate: string,
  claims: AttestationClaims,
  trust: TrustMaterial,
  form: EnvelopeForm,
): Judged {
  const keyIndex = dsseKeyIndex(trust.keys, envelope, trust.digestAlgorithm);
  let signer: KeylessSigner | undefined;
  if (keyIndex < 0) {
    if (form.keyless === undefined)
      return failed(candidate, 'wrong-key', 'the envelope does not verify with any trusted key');
    const judged = form.keyless();
    if ('reason' in judged) return failed(candidate, judged.reason, judged.message);
    signer = judged;
  }
  let statement: Statement;
  try {
    statement = parseStatement(envelope.payload, { legacyStringPredicate: form.legacyStringPredicate });
    statementSubjectFor(statement, claims.digest);
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return failed(candidate, claimReason(error), error.message);
  }
  if (claims.predicateType !== undefined && statement.predicateType !== claims.predicateType)
    return failed(candidate, 'malformed', `predicate type is ${statement.predicateType}`);
  if (form.skip(statement)) return undefined;
  if (signer === undefined) {
    const key = trust.keys[keyIndex] as PublicKey;
    const tlog = form.tlog({
      signature: envelope.signatures[0]?.sig ?? '',
      key,
      payload: envelope.payload,
      payloadType: envelope.payloadType,
    });
    if (tlog !== undefined) return failed(candidate, tlog.reason, tlog.message);
  }
  return {
    candidate,
    ok: {
      format: form.format,
      keyIndex,
      ...signer,
      digest: claims.digest,
      predicateType: statement.predicateType,
      statement,
      payload: envelope.payload,
    },
  };
}

/** Judges one classic `.att` layer: its payload is the DSSE envelope. */
export function judgeClassicAttestation(
  evidence: LayerEvidence,
  candidate: string,
  claims: AttestationClaims,
  trust: TrustMaterial,
): Judged {
  const envelope = parseDsseEnvelope(evidence.payload);
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return failed(candidate, 'malformed', `payload type ${envelope.payloadType}`);
  const { layer, payload } = evidence;
  const keyless = trust.keyless;
  return judgeEnvelope(envelope, candidate, claims, trust, {
    format: 'simple-signing',
    legacyStringPredicate: true,
    tlog: (logged) => classicAttestationTlog(trust, layer, payload, logged.key),
    skip: () => false,
    keyless:
      keyless === undefined || !hasCertificate(layer)
        ? undefined
        : () => judgeKeylessAttestationLayer(layer, payload, envelope, keyless),
  });
}

/**
 * Judges one Sigstore bundle as an attestation. With no predicate type asked for, an image
 * signature (cosign 3 signs one as an in-toto statement too) is no attestation: undefined.
 */
export function judgeBundleAttestation(
  evidence: BundleEvidence,
  candidate: string,
  claims: AttestationClaims,
  trust: TrustMaterial,
): Judged {
  const bundle: SigstoreBundle = parseBundle(evidence.bundle);
  const envelope = bundle.dsseEnvelope;
  if (envelope === undefined) return failed(candidate, 'malformed', 'no DSSE envelope');
  const keyless = trust.keyless;
  return judgeEnvelope(envelope, candidate, claims, trust, {
    format: 'bundle',
    legacyStringPredicate: false,
    tlog: (logged) => bundleTlog(trust, bundle, logged),
    skip: (statement) =>
      claims.predicateType === undefined && statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE,
    keyless:
      keyless === undefined || bundle.certificate === undefined
        ? undefined
        : () => judgeKeylessBundle(bundle, evidence.bundle, keyless),
  });
}
