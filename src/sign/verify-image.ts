/**
 * `verifyImage`: cosign-compatible verification with static keys. Discovery as cosign 3: Sigstore
 * bundles via referrers (or the fallback tag) first, the classic `.sig` tag when there are none — both
 * looked up in parallel, so a digest-pinned image in the classic format costs two sequential
 * requests (the `.sig` manifest, then its payload blobs in parallel). Every candidate is checked for
 * signature, claims and (unless `ignoreTlog`) transparency-log evidence against the caller's trusted
 * root; a failure names why each candidate failed.
 */
import { InvalidArgumentError, OcisignError } from '../errors/base.js';
import { ClaimMismatchError } from '../errors/payload.js';
import { type CandidateFailure, type FailureReason, VerificationError } from '../errors/verify.js';
import { fromBase64 } from '../internal/bytes.js';
import { repositoryName } from '../internal/reference.js';
import type { DigestAlgorithm } from '../keys/algorithms.js';
import type { PublicKey } from '../keys/key-objects.js';
import { verifySignatureSync } from '../keys/verify.js';
import type { SigstoreBundle } from '../payload/bundle.js';
import { type DsseEnvelope, IN_TOTO_PAYLOAD_TYPE, verifyDsseEnvelope } from '../payload/dsse.js';
import { parseStatement, statementCoversDigest } from '../payload/intoto.js';
import type { Descriptor, ImageIndex } from '../payload/oci.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, type PayloadLimits } from '../payload/signature-image.js';
import { parseRekorBundleAnnotation, SignatureAnnotation } from '../payload/signature-layer.js';
import { checkSimpleSigningClaims, parseSimpleSigningPayload } from '../payload/simple-signing.js';
import type { RegistryClient } from '../registry/client.js';
import { isImageIndex } from '../registry/manifest.js';
import { checkClassicLayers } from './classic-layers.js';
import {
  checkBundleReferrers,
  maxReferrersOption,
  omittedReferrersFailures,
  type ReferrerSelection,
} from './referrers.js';
import type { SignatureFormat } from './sign-image.js';
import { resolveImage, trustedKeys, withRegistry } from './target.js';
import { entryMatches, verifyBundleEntry, verifySet } from './tlog.js';
import { type RekorKeys, rekorKeysFor } from './trusted-root.js';

/**
 * Options of {@link verifyImage}: trusted keys, wanted annotations, transparency-log evidence,
 * formats, threshold and platform.
 */
export interface VerifyImageOptions {
  /** Trusted keys: `PublicKey`s or PEM strings. A signature counts when one of them verifies it. */
  readonly keys: ReadonlyArray<PublicKey | string>;
  /** Annotations the signature must carry (cosign's `-a`), compared with value and type. */
  readonly annotations?: Readonly<Record<string, unknown>>;
  readonly registry?: RegistryClient;
  /**
   * The hash the signatures were made over (cosign's `--signature-digest-algorithm`, Kyverno's
   * `signatureAlgorithm`). Default: the key's own (SHA-256 for P-256, RSA; SHA-384/512 for
   * P-384/P-521, which also accept SHA-256 as cosign ≤ 2.5 signed).
   */
  readonly digestAlgorithm?: DigestAlgorithm;
  /** Skip transparency-log evidence, as cosign's `--insecure-ignore-tlog` and Kyverno's `ignoreTlog`. */
  readonly ignoreTlog?: boolean;
  /** A Sigstore `trusted_root.json` (object or text) whose Rekor keys check tlog evidence. */
  readonly trustedRoot?: unknown;
  /**
   * Rekor public keys trusted for tlog evidence besides (or instead of) the trusted root's: a
   * private Rekor's key, Kyverno's `rekor.pubkey`, cosign's `SIGSTORE_REKOR_PUBLIC_KEY`.
   */
  readonly rekorPublicKeys?: ReadonlyArray<PublicKey | string>;
  /** Alternate signature repository (cosign's `COSIGN_REPOSITORY`). */
  readonly repository?: string;
  /** Which formats to look for. Default both, bundles first (cosign 3). */
  readonly formats?: readonly SignatureFormat[];
  /** How many distinct trusted keys must have signed. Default 1. */
  readonly threshold?: number;
  /** For an index: verify the manifest for this platform instead of the index itself. */
  readonly platform?: { readonly os: string; readonly architecture: string; readonly variant?: string };
  /**
   * Skip payload claim checks (cosign's `--check-claims=false`): only signatures are verified.
   * Refused together with `annotations` (cosign would silently skip them; we say so instead).
   */
  readonly checkClaims?: boolean;
  readonly limits?: PayloadLimits;
  /**
   * At most this many Sigstore bundle referrers are checked, newest first (by their
   * `org.opencontainers.image.created` annotation). Default 50, as Kyverno. When the limit cuts the
   * list, `VerifyResult.omittedReferrers` (or a `limit-exceeded` failure) says so.
   */
  readonly maxReferrers?: number;
  readonly signal?: AbortSignal;
  /** Called with warnings a person should see (e.g. a tag resolved to a digest), as cosign prints them. */
  readonly onWarning?: (message: string) => void;
}

/**
 * One signature that verified: its format, which trusted key verified it, the signed payload and
 * where it was found.
 */
export interface VerifiedSignature {
  readonly format: SignatureFormat;
  /** Index in `keys` of the key that verified it. */
  readonly keyIndex: number;
  /** The signed bytes: the simple-signing payload or the in-toto statement. */
  readonly payload: Uint8Array;
  /** Annotations the signer signed (payload `optional`, or statement subject annotations). */
  readonly annotations: Readonly<Record<string, unknown>> | null;
  /** The `.sig` layer or bundle manifest digest this came from. */
  readonly source: string;
}

/** The outcome of {@link verifyImage}: the verified digest and every signature that passed. */
export interface VerifyResult {
  readonly digest: string;
  readonly signatures: readonly VerifiedSignature[];
  /** Bundle referrers left unchecked because of `maxReferrers` (0 when the limit cut nothing). */
  readonly omittedReferrers: number;
}

export type Outcome = { ok: VerifiedSignature } | { failure: CandidateFailure };

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

function checkClassicLayer(ctx: Context, layer: Descriptor, payload: Uint8Array, candidate: string): Outcome {
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

function checkBundle(ctx: Context, bundle: SigstoreBundle, candidate: string): Outcome {
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

/** The classic `.sig` signatures: undefined when there is no `.sig` tag. */
function classicCandidates(
  client: RegistryClient,
  ctx: Context,
  sigRepo: string,
): Promise<Outcome[] | undefined> {
  const { signal, limits } = ctx.options;
  return checkClassicLayers<Outcome>(
    client,
    sigRepo,
    ctx.digest,
    'sig',
    { signal, limits, maxBytes: limits?.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES },
    {
      check: (layer, payload, candidate) => checkClassicLayer(ctx, layer, payload, candidate),
      failed: (failure) => ({ failure }),
    },
  );
}

async function bundleCandidates(
  client: RegistryClient,
  ctx: Context,
  sigRepo: string,
): Promise<{ outcomes: Outcome[] | undefined; selection: ReferrerSelection }> {
  const { outcomes, selection } = await checkBundleReferrers<Outcome>(
    client,
    sigRepo,
    ctx.digest,
    ctx.options,
    {
      check: (bundle, candidate) => checkBundle(ctx, bundle, candidate),
      failed: (failure) => ({ failure }),
    },
  );
  return { outcomes: outcomes.length === 0 ? undefined : outcomes, selection };
}

function selectPlatform(index: ImageIndex, platform: NonNullable<VerifyImageOptions['platform']>): string {
  const match = index.manifests.find(
    (m) =>
      m.platform?.os === platform.os &&
      m.platform.architecture === platform.architecture &&
      (platform.variant === undefined || m.platform.variant === platform.variant),
  );
  if (match === undefined)
    throw new InvalidArgumentError(
      `The index has no manifest for ${platform.os}/${platform.architecture}${platform.variant ? `/${platform.variant}` : ''}`,
    );
  return match.digest;
}

/**
 * Verifies an image's signatures with trusted keys. Resolves with every signature that passed;
 * rejects with VerificationError (saying why each candidate failed) when fewer than `threshold`
 * distinct keys signed.
 */
export async function verifyImage(image: string, options: VerifyImageOptions): Promise<VerifyResult> {
  if (!Array.isArray(options?.keys) || options.keys.length === 0)
    throw new InvalidArgumentError('verifyImage needs at least one trusted key in options.keys');
  if (options.checkClaims === false && options.annotations !== undefined)
    throw new InvalidArgumentError(
      'verifyImage: annotations are claims, and checkClaims: false turns claim checks off; drop one of them',
    );
  const keys = trustedKeys(options.keys);
  const threshold = options.threshold ?? 1;
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length)
    throw new InvalidArgumentError(`threshold must be an integer from 1 to ${keys.length}`);
  const formats = options.formats ?? ['bundle', 'simple-signing'];
  const maxReferrers = maxReferrersOption(options.maxReferrers);
  const rekorKeys = rekorKeysFor(options);
  return withRegistry(options.registry, async (client) => {
    const resolved = await resolveImage(client, image, {
      repository: options.repository,
      signal: options.signal,
      onWarning: options.onWarning,
      fetchManifest: options.platform !== undefined,
    });
    let digest = resolved.digest;
    const fetched = resolved.fetched;
    if (options.platform !== undefined && fetched !== undefined) {
      if (isImageIndex(fetched.manifest))
        digest = selectPlatform(fetched.manifest as ImageIndex, options.platform);
    }
    const ctx: Context = { keys, digest, options, rekorKeys };
    const sigRepo = repositoryName(resolved.signatureRepository);
    // Both lookups run at once; the classic one is awaited only when no bundle exists, so that a
    // broken `.sig` tag cannot fail a verification cosign 3 would decide on bundles alone.
    const classicLookup = formats.includes('simple-signing')
      ? classicCandidates(client, ctx, sigRepo)
      : Promise.resolve(undefined);
    classicLookup.catch(() => {});
    const found = formats.includes('bundle') ? await bundleCandidates(client, ctx, sigRepo) : undefined;
    const omittedReferrers = found?.selection.omitted ?? 0;
    const cut = omittedReferrersFailures(found?.selection, maxReferrers, options.onWarning);
    // cosign 3: when any bundle exists, classic signatures are not considered.
    const outcomes = found?.outcomes ?? (await classicLookup) ?? [];
    const passed = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
    const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
    const signers = new Set(passed.map((p) => p.keyIndex));
    if (outcomes.length === 0) {
      throw new VerificationError(digest, [
        {
          candidate: repositoryName(resolved.signatureRepository),
          reason: 'none-found',
          message: `no signatures found (looked for ${formats.join(' and ')})`,
        },
        ...cut,
      ]);
    }
    if (signers.size < threshold) {
      const extra =
        signers.size > 0
          ? [
              {
                candidate: 'threshold',
                reason: 'wrong-key' as const,
                message: `${signers.size} of ${threshold} required keys signed`,
              },
            ]
          : [];
      throw new VerificationError(digest, [...failures, ...extra, ...cut]);
    }
    return { digest, signatures: passed, omittedReferrers };
  });
}
