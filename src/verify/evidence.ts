/**
 * The evidence a verification judges: what discovery fetched for one image digest, as bytes, before
 * any signature, claim or transparency-log check. Discovery (`discover.ts`) fills it from a
 * registry; a caller that fetched signatures some other way (an OCI layout, an air-gapped copy, a
 * webhook's own cache) builds it by hand and judges it offline (`judge.ts`).
 *
 * Deliberately only shapes: nothing here fetches, parses or decides.
 */
import type { CandidateFailure } from '../errors/verify.js';
import type { Descriptor } from '../payload/oci.js';
import type { SignatureFormat } from '../payload/signature-format.js';

/**
 * One layer of cosign's classic `.sig` (or `.att`) image: its descriptor, whose annotations carry
 * the signature and the Rekor bundle, and the payload blob it names (a simple-signing payload, or
 * for `.att` a DSSE envelope).
 */
export interface LayerEvidence {
  readonly kind: 'classic-layer';
  /** How failures name it. Default: `layer <digest>`. */
  readonly candidate?: string;
  readonly layer: Descriptor;
  readonly payload: Uint8Array;
}

/** One Sigstore bundle (the JSON bytes or text), as stored in a bundle referrer or a `.sigstore.json` file. */
export interface BundleEvidence {
  readonly kind: 'bundle';
  /** How failures name it. Default: `bundle <source>`. */
  readonly candidate?: string;
  /** Where it came from: the referrer manifest's digest (or a file name). Reported as `source`. */
  readonly source?: string;
  readonly bundle: Uint8Array | string;
}

/** A candidate discovery found but could not read (it failed to fetch, or is not what it claims). */
export interface UnreadableEvidence {
  readonly kind: 'unreadable';
  readonly candidate: string;
  readonly message: string;
}

/** Any one candidate. */
export type Evidence = LayerEvidence | BundleEvidence | UnreadableEvidence;

/** How many bundle referrers were listed, and how many of them `maxReferrers` left unchecked. */
export interface ReferrerCount {
  readonly total: number;
  readonly omitted: number;
}

/**
 * Everything found for one image digest, per storage format. cosign 3's rule decides between them:
 * when any bundle candidate is there, the classic ones are not considered.
 */
export interface ImageEvidence {
  /** The image manifest digest the signatures must be about. */
  readonly digest: string;
  /** Bundle referrers (or unreadable ones); undefined when bundles were not looked for. */
  readonly bundles?: ReadonlyArray<BundleEvidence | UnreadableEvidence>;
  /** Classic `.sig` / `.att` layers; undefined when there is no such tag, or it was not looked for. */
  readonly classic?: ReadonlyArray<LayerEvidence | UnreadableEvidence>;
  /** Which formats were looked for, for the "none found" message. Default both. */
  readonly lookedFor?: readonly SignatureFormat[];
  /** Where they were looked for (the signature repository), for the "none found" message. */
  readonly location?: string;
  /** The referrers list as discovery saw it, when `maxReferrers` cut it. */
  readonly referrers?: ReferrerCount;
}

/**
 * What judging one candidate gives: what verified, or why it did not count (a typed `reason`).
 * `candidate` names it either way.
 */
export type CandidateOutcome<T> =
  | { readonly candidate: string; readonly ok: T }
  | { readonly candidate: string; readonly failure: CandidateFailure };

/** A failed outcome for `candidate`. */
export function failed<T>(
  candidate: string,
  reason: CandidateFailure['reason'],
  message: string,
): CandidateOutcome<T> {
  return { candidate, failure: { candidate, reason, message } };
}

/** The name failures give a candidate: its own, or one made from what it is. */
export function candidateName(evidence: Evidence): string {
  if (evidence.kind === 'unreadable' || evidence.candidate !== undefined) return evidence.candidate as string;
  if (evidence.kind === 'classic-layer') return `layer ${evidence.layer.digest}`;
  return `bundle ${evidence.source ?? '(given)'}`;
}
