/**
 * Attestations: `attestImage` signs an in-toto statement about an image into a DSSE envelope and
 * stores it the classic way (a layer of the `.att` image) or the cosign 3 way (a Sigstore bundle
 * referrer); `verifyImageAttestations` finds, filters by predicate type (from annotations, before
 * fetching any blob), verifies over PAE, and returns the decoded statements.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { type CandidateFailure, VerificationError } from '../errors/verify.js';
import { repositoryName } from '../internal/reference.js';
import { publicKeyHint } from '../keys/fingerprint.js';
import type { PublicKey } from '../keys/key-objects.js';
import type { Signer } from '../keys/signer.js';
import { createBundle } from '../payload/bundle-create.js';
import { bundleReferrerManifest } from '../payload/bundle-referrer.js';
import {
  type DsseEnvelope,
  encodeDsseEnvelope,
  IN_TOTO_PAYLOAD_TYPE,
  parseDsseEnvelope,
  signDsse,
} from '../payload/dsse.js';
import {
  COSIGN_SIGN_PREDICATE_TYPE,
  encodeAttestationStatement,
  parseStatement,
  predicateTypeFor,
  type Statement,
  statementCoversDigest,
} from '../payload/intoto.js';
import type { Descriptor } from '../payload/oci.js';
import {
  DSSE_MEDIA_TYPE,
  SignatureAnnotation,
  signatureLayerDescriptor,
} from '../payload/signature-layer.js';
import { signatureTag } from '../payload/tags.js';
import type { RegistryClient } from '../registry/client.js';
import { abortableSigner } from './abortable-signer.js';
import {
  bundleTlog,
  type Context,
  classicTlog,
  dsseKeyIndex,
  fail,
  type Outcome,
} from './candidate-checks.js';
import { appendSignature } from './classic-append.js';
import { checkClassicLayers } from './classic-layers.js';
import {
  checkBundleReferrers,
  maxReferrersOption,
  omittedReferrersFailures,
  type ReferrerSelection,
} from './referrers.js';
import type { SignatureFormat } from './sign-image.js';
import { pushBundleReferrer, resolveImage, trustedKeys, withRegistry } from './target.js';
import { rekorKeysFor } from './trusted-root.js';
import type { VerifyImageOptions } from './verify-types.js';

/**
 * Options of {@link attestImage}: the signer, the predicate and its type, where and how to store
 * the attestation.
 */
export interface AttestImageOptions {
  readonly signer: Signer;
  /** A predicate type URI, or one of cosign's `--type` names (custom, slsaprovenance, spdxjson, …). */
  readonly predicateType: string;
  /** The predicate (any JSON value). */
  readonly predicate: unknown;
  readonly registry?: RegistryClient;
  /** `simple-signing` stores in the classic `.att` image (default), `bundle` as a cosign 3 referrer. */
  readonly format?: SignatureFormat;
  readonly repository?: string;
  readonly signal?: AbortSignal;
  /** Called with warnings a person should see (e.g. a tag resolved to a digest), as cosign prints them. */
  readonly onWarning?: (message: string) => void;
}

/**
 * What {@link attestImage} pushed: the image digest the statement covers, its predicate type, the
 * statement and where it went.
 */
export interface AttestResult {
  readonly digest: string;
  readonly predicateType: string;
  /** The statement bytes that were signed. */
  readonly statement: Uint8Array;
  /** Where it was stored: `registry/repo:sha256-….att` or `registry/repo@<referrer digest>`. */
  readonly location: string;
}

/**
 * Signs an attestation about an image and stores it (cosign attest). Like `signImage`, it returns
 * only once the attestation was confirmed in the `.att` image or the referrers fallback index
 * despite concurrent writers, and fails with SigningError naming the tag otherwise.
 */
export async function attestImage(image: string, options: AttestImageOptions): Promise<AttestResult> {
  options = { ...options, signer: abortableSigner(options?.signer, options?.signal, 'attestImage') };
  const predicateType = predicateTypeFor(options.predicateType);
  return withRegistry(options.registry, async (client) => {
    const resolved = await resolveImage(client, image, {
      repository: options.repository,
      signal: options.signal,
      onWarning: options.onWarning,
      fetchManifest: true,
    });
    const subject = resolved.descriptor as Descriptor;
    const sigRepo = repositoryName(resolved.signatureRepository);
    const statement = encodeAttestationStatement({
      subjectName: repositoryName(resolved.reference),
      digest: resolved.digest,
      predicateType,
      predicate: options.predicate,
    });
    const envelope = await signDsse(
      options.signer,
      IN_TOTO_PAYLOAD_TYPE,
      statement,
      options.signal === undefined ? {} : { signal: options.signal },
    );
    if ((options.format ?? 'simple-signing') === 'simple-signing') {
      const payload = encodeDsseEnvelope(envelope);
      const layer = signatureLayerDescriptor({
        payload,
        mediaType: DSSE_MEDIA_TYPE,
        signature: '',
        annotations: { [SignatureAnnotation.predicateType]: predicateType },
      });
      const tagRef = `${sigRepo}:${signatureTag(resolved.digest, 'att')}`;
      await appendSignature(client, tagRef, layer, payload, await options.signer.publicKey(), {
        signal: options.signal,
      });
      return { digest: resolved.digest, predicateType, statement, location: tagRef };
    }
    const bundle = createBundle({
      publicKeyHint: publicKeyHint(await options.signer.publicKey()),
      dsseEnvelope: envelope,
    });
    const referrer = bundleReferrerManifest({
      bundle,
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      predicateType,
    });
    const pushedDigest = await pushBundleReferrer(client, sigRepo, referrer, options.signal);
    return { digest: resolved.digest, predicateType, statement, location: `${sigRepo}@${pushedDigest}` };
  });
}

/**
 * Options of {@link verifyImageAttestations}: those of {@link verifyImage} that apply, plus the
 * predicate type to keep.
 */
export interface VerifyAttestationsOptions
  extends Omit<VerifyImageOptions, 'annotations' | 'threshold' | 'platform' | 'checkClaims'> {
  /** Only attestations of this predicate type (URI or cosign `--type` name). Default: all. */
  readonly predicateType?: string;
}

/**
 * One attestation that verified: its storage format, which trusted key verified it, and the decoded
 * in-toto statement.
 */
export interface VerifiedAttestation {
  readonly format: SignatureFormat;
  readonly keyIndex: number;
  /**
   * The image digest the statement was verified against (one of its subjects). A statement may
   * name several subjects; this is the one that is this image, so pin this one, never `subject[0]`.
   */
  readonly digest: string;
  readonly predicateType: string;
  readonly statement: Statement;
  /** The statement bytes as signed. */
  readonly payload: Uint8Array;
}

type AttOutcome = { ok: VerifiedAttestation } | { failure: CandidateFailure };

/** The annotation cosign 3 puts on a bundle referrer to say what it attests. */
const BUNDLE_PREDICATE_TYPE = 'dev.sigstore.bundle.predicateType';

function failureOf(outcome: Outcome): AttOutcome {
  return 'failure' in outcome
    ? outcome
    : { failure: { candidate: outcome.ok.source, reason: 'malformed', message: 'unexpected' } };
}

function checkStatement(
  ctx: Context,
  payload: Uint8Array,
  wanted: string | undefined,
  candidate: string,
  legacyStringPredicate: boolean,
): { statement: Statement } | AttOutcome {
  let statement: Statement;
  try {
    statement = parseStatement(payload, { legacyStringPredicate });
  } catch (error) {
    return failureOf(fail(candidate, 'malformed', (error as Error).message));
  }
  if (!statementCoversDigest(statement, ctx.digest))
    return failureOf(fail(candidate, 'digest-mismatch', `the statement's subject is not ${ctx.digest}`));
  if (wanted !== undefined && statement.predicateType !== wanted)
    return failureOf(fail(candidate, 'malformed', `predicate type is ${statement.predicateType}`));
  return { statement };
}

/** How an envelope in one storage format is judged beyond its signature and statement. */
interface EnvelopeForm {
  readonly format: SignatureFormat;
  /** Whether a string predicate is read as cosign ≤ 1 wrote it (`.att` layers; never in bundles). */
  readonly legacyStringPredicate: boolean;
  /** The transparency-log evidence for the signature: undefined when it passes or is skipped. */
  readonly tlog: (signature: string, key: PublicKey) => Outcome | undefined;
  /** Statements that are no attestation candidate at all. */
  readonly skip?: (statement: Statement) => boolean;
}

/**
 * Judges one attestation envelope: a trusted key over PAE, then the statement (subject, predicate
 * type), then its transparency-log evidence. Undefined when `form.skip` rules the statement out.
 */
function checkEnvelope(
  ctx: Context,
  envelope: DsseEnvelope,
  wanted: string | undefined,
  candidate: string,
  form: EnvelopeForm,
): AttOutcome | undefined {
  const keyIndex = dsseKeyIndex(ctx.keys, envelope, ctx.options.digestAlgorithm);
  if (keyIndex < 0)
    return failureOf(fail(candidate, 'wrong-key', 'the envelope does not verify with any trusted key'));
  const checked = checkStatement(ctx, envelope.payload, wanted, candidate, form.legacyStringPredicate);
  if (!('statement' in checked)) return checked;
  const { statement } = checked;
  if (form.skip?.(statement) === true) return undefined;
  const tlog = form.tlog(envelope.signatures[0]?.sig ?? '', ctx.keys[keyIndex] as PublicKey);
  if (tlog !== undefined) return failureOf(tlog);
  return {
    ok: {
      format: form.format,
      keyIndex,
      digest: ctx.digest,
      predicateType: statement.predicateType,
      statement,
      payload: envelope.payload,
    },
  };
}

/** Verifies an image's attestations with trusted keys and returns the statements that verified. */
export async function verifyImageAttestations(
  image: string,
  options: VerifyAttestationsOptions,
): Promise<VerifiedAttestation[]> {
  if (!Array.isArray(options?.keys) || options.keys.length === 0)
    throw new InvalidArgumentError('verifyImageAttestations needs at least one trusted key in options.keys');
  const keys = trustedKeys(options.keys);
  const wanted = options.predicateType === undefined ? undefined : predicateTypeFor(options.predicateType);
  const formats = options.formats ?? ['bundle', 'simple-signing'];
  const maxReferrers = maxReferrersOption(options.maxReferrers);
  return withRegistry(options.registry, async (client) => {
    const resolved = await resolveImage(client, image, {
      repository: options.repository,
      signal: options.signal,
      onWarning: options.onWarning,
    });
    const ctx: Context = {
      keys,
      digest: resolved.digest,
      options,
      rekorKeys: rekorKeysFor(options),
    };
    const sigRepo = repositoryName(resolved.signatureRepository);

    let selection: ReferrerSelection | undefined;
    const fromBundles = async (): Promise<AttOutcome[] | undefined> => {
      if (!formats.includes('bundle')) return undefined;
      // Filter by the predicate type annotation before fetching anything it rules out.
      const annotatedAs = (annotations: Readonly<Record<string, string>> | undefined) => {
        const annotated = annotations?.[BUNDLE_PREDICATE_TYPE];
        return wanted === undefined || annotated === undefined || annotated === wanted;
      };
      const found = await checkBundleReferrers<AttOutcome>(client, sigRepo, resolved.digest, options, {
        keep: (d) => annotatedAs(d.annotations),
        keepManifest: (m) => annotatedAs(m.annotations),
        failed: (failure) => ({ failure }),
        check: (bundle, candidate) => {
          const envelope = bundle.dsseEnvelope;
          if (envelope === undefined) return failureOf(fail(candidate, 'malformed', 'no DSSE envelope'));
          return checkEnvelope(ctx, envelope, wanted, candidate, {
            format: 'bundle',
            legacyStringPredicate: false,
            tlog: (signature, key) => bundleTlog(ctx, bundle, signature, key, envelope.payload, candidate),
            // With no type asked for, an image signature (cosign 3 signs one as this statement) is none.
            skip: (statement) =>
              wanted === undefined && statement.predicateType === COSIGN_SIGN_PREDICATE_TYPE,
          });
        },
      });
      selection = found.selection;
      return found.outcomes.length === 0 ? undefined : found.outcomes;
    };

    const fromTag = async (): Promise<AttOutcome[] | undefined> => {
      if (!formats.includes('simple-signing')) return undefined;
      return checkClassicLayers<AttOutcome>(
        client,
        sigRepo,
        resolved.digest,
        'att',
        { signal: options.signal, limits: options.limits },
        {
          // Filter by the layer's predicateType annotation before fetching any envelope.
          keep: (l) =>
            wanted === undefined ||
            l.annotations?.[SignatureAnnotation.predicateType] === undefined ||
            l.annotations[SignatureAnnotation.predicateType] === wanted,
          check: (layer, payload, candidate) => {
            const envelope = parseDsseEnvelope(payload);
            if (envelope.payloadType !== IN_TOTO_PAYLOAD_TYPE)
              return failureOf(fail(candidate, 'malformed', `payload type ${envelope.payloadType}`));
            return checkEnvelope(ctx, envelope, wanted, candidate, {
              format: 'simple-signing',
              legacyStringPredicate: true,
              tlog: (signature, key) => classicTlog(ctx, layer, signature, key, envelope.payload, candidate),
            });
          },
          failed: (failure) => ({ failure }),
        },
      );
    };

    // As in verifyImage: the `.att` lookup runs alongside and counts only when no bundle exists.
    const tagLookup = fromTag();
    tagLookup.catch(() => {});
    const bundles = await fromBundles();
    const cut = omittedReferrersFailures(selection, maxReferrers, options.onWarning);
    const outcomes = bundles ?? (await tagLookup) ?? [];
    const passed = outcomes.flatMap((o) => ('ok' in o ? [o.ok] : []));
    if (passed.length === 0) {
      const failures = outcomes.flatMap((o) => ('failure' in o ? [o.failure] : []));
      throw new VerificationError(resolved.digest, [
        ...(failures.length > 0
          ? failures
          : [
              {
                candidate: sigRepo,
                reason: 'none-found' as const,
                message: `no attestations${wanted === undefined ? '' : ` of type ${wanted}`} found`,
              },
            ]),
        ...cut,
      ]);
    }
    return passed;
  });
}
