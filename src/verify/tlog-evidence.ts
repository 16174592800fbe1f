/**
 * The transparency-log evidence a candidate must carry (unless the caller passed `ignoreTlog`),
 * checked against the caller's Rekor keys: a classic layer's Rekor bundle annotation (cosign's
 * `dev.sigstore.cosign/bundle`: the SET over the entry, and the entry matching this signature), or
 * a Sigstore bundle's tlog entries (one must verify). A classic `.att` layer's entry is held to
 * cosign's rule for attestations: it logs the layer's blob and names the key. Each check gives
 * `undefined` when the evidence holds or is not required, else the failure.
 *
 * Deliberately not here: the cryptography of SETs, inclusion proofs and entry bodies (`tlog.ts`).
 */
import { OcisignError } from '../errors/base.js';
import type { CandidateFailure } from '../errors/verify.js';
import { importPublicKey } from '../keys/import.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { SigstoreBundle } from '../payload/bundle.js';
import type { Descriptor } from '../payload/oci.js';
import { parseRekorBundleAnnotation, SignatureAnnotation } from '../payload/signature-layer.js';
import {
  attestationEntryMatches,
  entryMatches,
  type RekorBody,
  readRekorBody,
  type TlogCheck,
  verifyBundleEntry,
  verifySet,
} from './tlog.js';
import type { TrustMaterial } from './trust.js';

/** What the logged entry must be about: the signature, the key that verified it, the signed bytes. */
export interface LoggedSignature {
  readonly signature: string;
  readonly key: PublicKey;
  readonly payload: Uint8Array;
}

type TlogFailure = Omit<CandidateFailure, 'candidate'>;

const NO_REKOR_KEYS =
  'no trustedRoot or rekorPublicKeys were given to check transparency-log evidence (or pass ignoreTlog: true)';

/**
 * Transparency-log evidence of a classic layer (its Rekor bundle annotation): the SET verifies with
 * a trusted Rekor key, and the logged body is about what `about` says.
 */
function classicEntryTlog(
  trust: TrustMaterial,
  layer: Descriptor,
  about: (body: RekorBody) => TlogCheck,
): TlogFailure | undefined {
  if (trust.ignoreTlog) return undefined;
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
  return undefined;
}

/** Transparency-log evidence of a classic `.sig` layer: the entry is about this signature and key. */
export function classicTlog(
  trust: TrustMaterial,
  layer: Descriptor,
  logged: LoggedSignature,
): TlogFailure | undefined {
  return classicEntryTlog(trust, layer, (body) => entryMatches(body, logged));
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
 * Transparency-log evidence of a classic `.att` layer signed with `key`: the entry names the key
 * and logs the layer's blob (`attestationEntryMatches`: cosign compares no signature there).
 */
export function classicAttestationTlog(
  trust: TrustMaterial,
  layer: Descriptor,
  blob: Uint8Array,
  key: PublicKey,
): TlogFailure | undefined {
  return classicEntryTlog(trust, layer, (body) =>
    attestationEntryMatches(body, blob, (der) => isKey(der, key)),
  );
}

/** Transparency-log evidence of a Sigstore bundle: one of its entries must verify. */
export function bundleTlog(
  trust: TrustMaterial,
  bundle: SigstoreBundle,
  logged: LoggedSignature,
): TlogFailure | undefined {
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
