/**
 * The judge, exported: given the evidence for an image digest (from `discoverSignatures`, or
 * fetched by the caller some other way) and the caller's trust material, say what verified — pure,
 * synchronous, no registry. `judgeSignatures` / `judgeAttestations` give an outcome per candidate;
 * `verifySignatureEvidence` / `verifyAttestationEvidence` also decide, as `verifyImage` and
 * `verifyImageAttestations` do: cosign 3's order (bundles when any exist, else the classic tag),
 * the threshold of distinct keys, and a VerificationError saying why each candidate failed.
 */
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { type CandidateFailure, VerificationError } from '../errors/verify.js';
import { predicateTypeFor } from '../payload/intoto.js';
import {
  type BundleEvidence,
  type CandidateOutcome,
  candidateName,
  type Evidence,
  failed,
  type ImageEvidence,
  type LayerEvidence,
} from './evidence.js';
import {
  type AttestationClaims,
  judgeBundleAttestation,
  judgeClassicAttestation,
} from './judge-attestation.js';
import { judgeBundleSignature, judgeClassicSignature, type SignatureClaims } from './judge-signature.js';
import { signerCount, type TrustMaterial, trustMaterial } from './trust.js';
import type {
  JudgeAttestationsOptions,
  JudgeSignaturesOptions,
  VerifiedAttestation,
  VerifiedSignature,
  VerifyResult,
} from './verify-types.js';

type Judge<T> = {
  readonly layer: (e: LayerEvidence, candidate: string) => CandidateOutcome<T> | undefined;
  readonly bundle: (e: BundleEvidence, candidate: string) => CandidateOutcome<T> | undefined;
};

/**
 * Judges each candidate of a list: a typed error while reading one (a malformed bundle, envelope
 * or payload) fails that candidate as `malformed`; undefined outcomes (no candidate after all) drop.
 */
function judgeEach<T>(candidates: readonly Evidence[], judge: Judge<T>): CandidateOutcome<T>[] {
  const outcomes: CandidateOutcome<T>[] = [];
  for (const evidence of candidates) {
    const kind = (evidence as { kind?: unknown } | undefined)?.kind;
    if (kind !== 'unreadable' && kind !== 'classic-layer' && kind !== 'bundle')
      throw new InvalidArgumentError(
        `evidence kind must be 'classic-layer', 'bundle' or 'unreadable', not ${JSON.stringify(kind)}`,
      );
    const candidate = candidateName(evidence);
    let outcome: CandidateOutcome<T> | undefined;
    try {
      if (evidence.kind === 'unreadable') outcome = failed(candidate, 'malformed', evidence.message);
      else if (evidence.kind === 'classic-layer') outcome = judge.layer(evidence, candidate);
      else outcome = judge.bundle(evidence, candidate);
    } catch (error) {
      if (!(error instanceof OcisignError)) throw error;
      outcome = failed(candidate, 'malformed', error.message);
    }
    if (outcome !== undefined) outcomes.push(outcome);
  }
  return outcomes;
}

/** The outcome of judging an image's evidence: which format's candidates counted, and each outcome. */
export interface Judgement<T> {
  readonly digest: string;
  readonly outcomes: ReadonlyArray<CandidateOutcome<T>>;
}

/**
 * cosign 3's order over judged outcomes: the bundles' when any bundle candidate remains, else the
 * classic tag's (judged only then).
 */
function inOrder<T>(
  evidence: ImageEvidence,
  judgeList: (candidates: readonly Evidence[]) => CandidateOutcome<T>[],
): CandidateOutcome<T>[] {
  const bundles = judgeList(evidence.bundles ?? []);
  return bundles.length > 0 ? bundles : judgeList(evidence.classic ?? []);
}

function requireEvidence(evidence: ImageEvidence): void {
  if (typeof evidence?.digest !== 'string' || !/^[a-z0-9]+:[a-f0-9]+$/.test(evidence.digest))
    throw new InvalidArgumentError('evidence.digest must be the image manifest digest (e.g. sha256:…)');
}

/** Checks the threshold option against the number of trusted keys. */
export function thresholdOption(threshold: number | undefined, keys: number): number {
  const value = threshold ?? 1;
  if (!Number.isInteger(value) || value < 1 || value > keys)
    throw new InvalidArgumentError(`threshold must be an integer from 1 to ${keys}`);
  return value;
}

/** Refuses `annotations` with `checkClaims: false` (cosign would silently skip them; we say so). */
export function checkClaimOptions(options: JudgeSignaturesOptions): void {
  if (options.checkClaims === false && options.annotations !== undefined)
    throw new InvalidArgumentError(
      'verifyImage: annotations are claims, and checkClaims: false turns claim checks off; drop one of them',
    );
}

/** The claims every signature of `digest` must make. */
export function signatureClaims(digest: string, options: JudgeSignaturesOptions): SignatureClaims {
  checkClaimOptions(options);
  return {
    digest,
    ...(options.annotations === undefined ? {} : { annotations: options.annotations }),
    ...(options.checkClaims === undefined ? {} : { checkClaims: options.checkClaims }),
  };
}

/** Judges image-signature candidates against prepared trust material (`verifyImage`'s judge). */
export function judgeSignatureCandidates(
  candidates: readonly Evidence[],
  claims: SignatureClaims,
  trust: TrustMaterial,
): CandidateOutcome<VerifiedSignature>[] {
  return judgeEach(candidates, {
    layer: (e, candidate) => judgeClassicSignature(e, candidate, claims, trust),
    bundle: (e, candidate) => judgeBundleSignature(e, candidate, claims, trust),
  });
}

/** Judges attestation candidates against prepared trust material (`verifyImageAttestations`'s judge). */
export function judgeAttestationCandidates(
  candidates: readonly Evidence[],
  claims: AttestationClaims,
  trust: TrustMaterial,
): CandidateOutcome<VerifiedAttestation>[] {
  return judgeEach(candidates, {
    layer: (e, candidate) => judgeClassicAttestation(e, candidate, claims, trust),
    bundle: (e, candidate) => judgeBundleAttestation(e, candidate, claims, trust),
  });
}

/** Judges signature evidence in cosign 3's order against prepared trust material. */
export function judgeSignaturesWith(
  evidence: ImageEvidence,
  claims: SignatureClaims,
  trust: TrustMaterial,
): CandidateOutcome<VerifiedSignature>[] {
  return inOrder(evidence, (candidates) => judgeSignatureCandidates(candidates, claims, trust));
}

/** Judges attestation evidence in cosign 3's order against prepared trust material. */
export function judgeAttestationsWith(
  evidence: ImageEvidence,
  claims: AttestationClaims,
  trust: TrustMaterial,
): CandidateOutcome<VerifiedAttestation>[] {
  return inOrder(evidence, (candidates) => judgeAttestationCandidates(candidates, claims, trust));
}

/** What a verification says when the limit cut the referrers list (also passed to `onWarning`). */
export function omittedReferrersFailures(
  evidence: ImageEvidence,
  onWarning: ((message: string) => void) | undefined,
): CandidateFailure[] {
  const count = evidence.referrers;
  if (count === undefined || count.omitted <= 0) return [];
  const checked = count.total - count.omitted;
  const failure: CandidateFailure = {
    candidate: 'referrers',
    reason: 'limit-exceeded',
    message: `only the ${checked} newest of ${count.total} bundle referrers were checked (maxReferrers: ${checked}); the other ${count.omitted} were not looked at`,
  };
  onWarning?.(failure.message);
  return [failure];
}

function noneFound(evidence: ImageEvidence, message: string): CandidateFailure {
  return { candidate: evidence.location ?? evidence.digest, reason: 'none-found', message };
}

/**
 * Decides over judged signature outcomes: resolves with every signature that passed, or throws
 * VerificationError when fewer than `threshold` distinct keys signed.
 */
export function decideSignatures(
  evidence: ImageEvidence,
  outcomes: ReadonlyArray<CandidateOutcome<VerifiedSignature>>,
  threshold: number,
  onWarning: ((message: string) => void) | undefined,
): VerifyResult {
  const cut = omittedReferrersFailures(evidence, onWarning);
  const passed = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
  const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  if (outcomes.length === 0)
    throw new VerificationError(evidence.digest, [
      noneFound(
        evidence,
        `no signatures found (looked for ${(evidence.lookedFor ?? ['bundle', 'simple-signing']).join(' and ')})`,
      ),
      ...cut,
    ]);
  // Distinct signers: a key, or (keyless) an identity entry.
  const signers = new Set(
    passed.map((p) => (p.keyIndex >= 0 ? `key ${p.keyIndex}` : `identity ${p.identityIndex}`)),
  );
  if (signers.size < threshold) {
    const short: CandidateFailure[] =
      signers.size > 0
        ? [
            {
              candidate: 'threshold',
              reason: 'wrong-key',
              message: `${signers.size} of ${threshold} required keys signed`,
            },
          ]
        : [];
    throw new VerificationError(evidence.digest, [...failures, ...short, ...cut]);
  }
  return { digest: evidence.digest, signatures: passed, omittedReferrers: evidence.referrers?.omitted ?? 0 };
}

/** Decides over judged attestation outcomes: every attestation that passed, or VerificationError. */
export function decideAttestations(
  evidence: ImageEvidence,
  outcomes: ReadonlyArray<CandidateOutcome<VerifiedAttestation>>,
  predicateType: string | undefined,
  onWarning: ((message: string) => void) | undefined,
): VerifiedAttestation[] {
  const cut = omittedReferrersFailures(evidence, onWarning);
  const passed = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
  if (passed.length > 0) return passed;
  const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
  const none = `no attestations${predicateType === undefined ? '' : ` of type ${predicateType}`} found`;
  throw new VerificationError(evidence.digest, [
    ...(failures.length > 0 ? failures : [noneFound(evidence, none)]),
    ...cut,
  ]);
}

/**
 * Judges an image's signature evidence offline: an outcome per candidate of the format that counts
 * (bundles when any, else classic layers). Pure and synchronous; throws only for bad arguments.
 */
export function judgeSignatures(
  evidence: ImageEvidence,
  options: JudgeSignaturesOptions,
): Judgement<VerifiedSignature> {
  requireEvidence(evidence);
  const claims = signatureClaims(evidence.digest, options);
  const trust = trustMaterial(options, 'judgeSignatures');
  return {
    digest: evidence.digest,
    outcomes: judgeSignaturesWith(evidence, claims, trust),
  };
}

/**
 * Verifies an image's signature evidence offline, exactly as `verifyImage` decides after fetching
 * it: returns the signatures that passed, or throws VerificationError saying why each failed.
 */
export function verifySignatureEvidence(
  evidence: ImageEvidence,
  options: JudgeSignaturesOptions,
): VerifyResult {
  requireEvidence(evidence);
  const claims = signatureClaims(evidence.digest, options);
  const trust = trustMaterial(options, 'verifySignatureEvidence');
  const threshold = thresholdOption(options.threshold, signerCount(trust));
  return decideSignatures(
    evidence,
    judgeSignaturesWith(evidence, claims, trust),
    threshold,
    options.onWarning,
  );
}

/** Judges an image's attestation evidence offline: an outcome per candidate. Pure and synchronous. */
export function judgeAttestations(
  evidence: ImageEvidence,
  options: JudgeAttestationsOptions,
): Judgement<VerifiedAttestation> {
  requireEvidence(evidence);
  const trust = trustMaterial(options, 'judgeAttestations');
  const claims: AttestationClaims = {
    digest: evidence.digest,
    predicateType: options.predicateType === undefined ? undefined : predicateTypeFor(options.predicateType),
  };
  return {
    digest: evidence.digest,
    outcomes: judgeAttestationsWith(evidence, claims, trust),
  };
}

/**
 * Verifies an image's attestation evidence offline, as `verifyImageAttestations` decides: the
 * statements that verified, or VerificationError.
 */
export function verifyAttestationEvidence(
  evidence: ImageEvidence,
  options: JudgeAttestationsOptions,
): VerifiedAttestation[] {
  const judged = judgeAttestations(evidence, options);
  const wanted = options.predicateType === undefined ? undefined : predicateTypeFor(options.predicateType);
  return decideAttestations(evidence, judged.outcomes, wanted, options.onWarning);
}
