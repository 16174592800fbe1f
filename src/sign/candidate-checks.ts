/**
 * The per-candidate checks of `verifyImage` (and the signature/tlog helpers `attestImage`'s
 * verification shares): one classic `.sig` layer or one Sigstore bundle is judged on its signature
 * with the trusted keys, its claims (digest, annotations) and its transparency-log evidence against
 * the caller's Rekor keys, giving an {@link Outcome}.
 *
 * Deliberately not here: finding and fetching candidates (`classic-layers.ts`, `referrers.ts`),
 * sorting fetch errors (`candidate-errors.ts`), and deciding what a verification does with the
 * outcomes (threshold, discovery order: `verify-image.ts`).
 */
import { OcisignError } from '../errors/base.js';
import { ClaimMismatchError } from '../errors/payload.js';
import type { CandidateFailure, FailureReason } from '../errors/verify.js';
import { fromBase64 } from '../internal/bytes.js';
import type { DigestAlgorithm } from '../keys/algorithms.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import type { SigstoreBundle } from '../payload/bundle.js';
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, verifyDsseEnvelope } from '../payload/dsse.js';
import { parseStatement, statementCoversDigest } from '../payload/intoto.js';
import type { Descriptor } from '../payload/oci.js';
import { parseRekorBundleAnnotation, SignatureAnnotation } from '../payload/signature-layer.js';
import { checkSimpleSigningClaims, parseSimpleSigningPayload } from '../payload/simple-signing.js';
import { entryMatches, verifyBundleEntry, verifySet } from './tlog.js';
import type { RekorKeys } from './trusted-root.js';
import type { VerifiedSignature, VerifyImageOptions } from './verify-types.js';

/** What checking one candidate gives: the signature that passed, or why the candidate failed. */
export type Outcome = { ok: VerifiedSignature } | { failure: CandidateFailure };

/** A failed {@link Outcome} for `candidate`. */
export function fail(candidate: string, reason: FailureReason, message: string): Outcome {
  return { failure: { candidate, reason, message } };
}

/**
 * The first key (index) that verifies `signature` over `data`: with `digestAlgorithm` when one is
 * given, else the key's default, P-384/P-521 keys also trying SHA-256 (cosign ≤ 2.5).
 */
function verifyingKey(
  keys: readonly PublicKey[],
  data: Uint8Array,
  signature: Uint8Array,
  digestAlgorithm: DigestAlgorithm | undefined,
): number {
  if (digestAlgorithm !== undefined)
    return keys.findIndex((key) => verifySignatureSync(key, data, signature, { digestAlgorithm }));
  for (const [i, key] of keys.entries()) {
    if (verifySignatureSync(key, data, signature)) return i;
    if (
      (key.algorithm === 'ecdsa-p384' || key.algorithm === 'ecdsa-p521') &&
      verifySignatureSync(key, data, signature, { digestAlgorithm: 'sha256' })
    )
      return i;
  }
  return -1;
}

/** What every candidate of one verification is checked against: trusted keys, the image digest, the caller's options and Rekor keys. */
export interface Context {
  readonly keys: readonly PublicKey[];
  readonly digest: string;
  readonly options: VerifyImageOptions;
  readonly rekorKeys: RekorKeys | undefined;
}

/** The first trusted key that verifies one of the envelope's signatures over PAE, or -1. */
export function dsseKeyIndex(
  keys: readonly PublicKey[],
  envelope: DsseEnvelope,
  digestAlgorithm?: DigestAlgorithm,
): number {
  const options = digestAlgorithm === undefined ? {} : { digestAlgorithm };
  return keys.findIndex((key) => verifyDsseEnvelope(envelope, key, options).length > 0);
}

/** Transparency-log evidence of a classic layer (its Rekor bundle annotation); undefined when it passes or is skipped. */
export function classicTlog(
  ctx: Context,
  layer: Descriptor,
  signatureText: string,
  key: PublicKey,
  payload: Uint8Array,
  candidate: string,
): Outcome | undefined {
  if (ctx.options.ignoreTlog === true) return undefined;
  const bundleText = layer.annotations?.[SignatureAnnotation.bundle];
  // cosign reads an empty annotation as no bundle.
  if (bundleText === undefined || bundleText === '')
    return fail(
      candidate,
      'tlog-missing',
      'no transparency-log bundle on this signature (cosign would look it up online; pass ignoreTlog: true to accept signatures without tlog evidence)',
    );
  if (ctx.rekorKeys === undefined)
    return fail(
      candidate,
      'tlog-missing',
      'the signature carries a Rekor bundle, but no trustedRoot or rekorPublicKeys were given to check it',
    );
  let rekor: ReturnType<typeof parseRekorBundleAnnotation>;
  try {
    rekor = parseRekorBundleAnnotation(bundleText);
  } catch (error) {
    if (!(error instanceof OcisignError)) throw error;
    return fail(candidate, 'tlog-invalid', error.message);
  }
  const { body, integratedTime, logIndex, logID } = rekor.payload;
  if (typeof body !== 'string')
    return fail(candidate, 'tlog-invalid', "the Rekor bundle annotation's Payload.body is not a string");
  if (rekor.signedEntryTimestamp === null)
    return fail(candidate, 'tlog-invalid', 'the Rekor bundle annotation has no SignedEntryTimestamp');
  const set = verifySet({ body, integratedTime, logIndex, logID }, rekor.signedEntryTimestamp, ctx.rekorKeys);
  if (!set.ok) return fail(candidate, 'tlog-invalid', set.message);
  const match = entryMatches(body, { signature: signatureText, key, payload });
  if (!match.ok) return fail(candidate, 'tlog-invalid', match.message);
  return undefined;
}

/** Transparency-log evidence of a bundle; undefined when it passes or is skipped. */
export function bundleTlog(
  ctx: Context,
  bundle: SigstoreBundle,
  signature: string,
  key: PublicKey,
  payload: Uint8Array,
  candidate: string,
): Outcome | undefined {
  if (ctx.options.ignoreTlog !== true) {
    if (ctx.rekorKeys === undefined)
      return fail(
        candidate,
        'tlog-missing',
        'no trustedRoot or rekorPublicKeys were given to check transparency-log evidence (or pass ignoreTlog: true)',
      );
    const checks = bundle.tlogEntries.map((entry) =>
      verifyBundleEntry(entry, { signature, key: key, payload: payload }, ctx.rekorKeys as RekorKeys),
    );
    if (checks.length === 0)
      return fail(candidate, 'tlog-missing', 'the bundle has no transparency-log entry');
    if (!checks.some((c) => c.ok))
      return fail(candidate, 'tlog-invalid', checks.map((c) => c.message).join('; '));
  }
  return undefined;
}

/**
 * Checks one classic `.sig` layer whose payload was fetched: its signature with the trusted keys, the
 * simple-signing claims (unless `checkClaims: false`) and its tlog evidence (unless `ignoreTlog`).
 */
export function checkClassicLayer(
  ctx: Context,
  layer: Descriptor,
  payload: Uint8Array,
  candidate: string,
): Outcome {
  const signatureText = layer.annotations?.[SignatureAnnotation.signature] ?? '';
  const signature = fromBase64(signatureText);
  if (signature === undefined || signature.length === 0)
    return fail(candidate, 'malformed', 'the layer has no base64 signature annotation');
  const keyIndex = verifyingKey(ctx.keys, payload, signature, ctx.options.digestAlgorithm);
  if (keyIndex < 0) return fail(candidate, 'wrong-key', 'the signature does not verify with any trusted key');
  let annotations: Readonly<Record<string, unknown>> | null = null;
  if (ctx.options.checkClaims !== false) {
    try {
      const parsed = parseSimpleSigningPayload(payload);
      annotations = parsed.annotations;
      checkSimpleSigningClaims(parsed, { manifestDigest: ctx.digest, annotations: ctx.options.annotations });
    } catch (error) {
      if (!(error instanceof OcisignError)) throw error;
      const claim = error instanceof ClaimMismatchError ? error.claim : undefined;
      const reason: FailureReason =
        claim === 'digest' ? 'digest-mismatch' : claim === 'annotation' ? 'annotation-mismatch' : 'malformed';
      return fail(candidate, reason, error.message);
    }
  }
  const tlog = classicTlog(ctx, layer, signatureText, ctx.keys[keyIndex] as PublicKey, payload, candidate);
  if (tlog !== undefined) return tlog;
  return { ok: { format: 'simple-signing', keyIndex, payload, annotations, source: layer.digest } };
}

/**
 * Checks one Sigstore bundle referrer: its DSSE signature with the trusted keys (never a key inside
 * the bundle), the in-toto statement's subject and annotations (unless `checkClaims: false`) and its
 * tlog evidence (unless `ignoreTlog`).
 */
export function checkBundle(ctx: Context, bundle: SigstoreBundle, candidate: string): Outcome {
  const envelope = bundle.dsseEnvelope;
  if (envelope === undefined)
    return fail(
      candidate,
      'malformed',
      'image bundles carry a DSSE envelope; this one has a message signature',
    );
  if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
    return fail(candidate, 'malformed', `unexpected DSSE payload type ${envelope.payloadType}`);
  const keyIndex = dsseKeyIndex(ctx.keys, envelope, ctx.options.digestAlgorithm);
  if (keyIndex < 0)
    return fail(
      candidate,
      'wrong-key',
      'the bundle signature does not verify with any trusted key (a key inside a bundle is never trusted)',
    );
  let annotations: Readonly<Record<string, unknown>> | null = null;
  if (ctx.options.checkClaims !== false) {
    let statement: ReturnType<typeof parseStatement>;
    try {
      statement = parseStatement(envelope.payload);
    } catch (error) {
      return fail(candidate, 'malformed', (error as Error).message);
    }
    if (!statementCoversDigest(statement, ctx.digest))
      return fail(candidate, 'digest-mismatch', `the statement's subject is not ${ctx.digest}`);
    const [algorithm, hex] = ctx.digest.split(':') as [string, string];
    const subject = statement.subject.find((s) => s.digest[algorithm] === hex);
    annotations = (subject?.annotations as Record<string, unknown> | undefined) ?? null;
    for (const [key, value] of Object.entries(ctx.options.annotations ?? {})) {
      if (
        annotations === null ||
        JSON.stringify(annotations[key]) !== JSON.stringify(value) ||
        !Object.hasOwn(annotations, key)
      ) {
        return fail(candidate, 'annotation-mismatch', `missing or incorrect annotation: ${key}`);
      }
    }
  }
  const tlog = bundleTlog(
    ctx,
    bundle,
    envelope.signatures[0]?.sig ?? '',
    ctx.keys[keyIndex] as PublicKey,
    envelope.payload,
    candidate,
  );
  if (tlog !== undefined) return tlog;
  return {
    ok: {
      format: 'bundle',
      keyIndex,
      payload: envelope.payload,
      annotations,
      source: candidate.replace(/^bundle /, ''),
    },
  };
}
