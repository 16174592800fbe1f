/**
 * `signImage`: cosign-compatible image signing — the classic `.sig` tag, the cosign 3 Sigstore
 * bundle referrer, or both — with annotations, an alternate signature repository, recursive signing
 * of indexes, and a detached mode that pushes nothing. With `tlog` and `timestamp` every signature is
 * logged and stamped (and the answers verified) before anything is pushed, and stored with its
 * evidence as cosign stores it; without them nothing reaches a Sigstore service.
 */
import { fromBase64, toBase64 } from '../internal/bytes.js';
import { repositoryName } from '../internal/reference.js';
import type { Signer } from '../keys/signer.js';
import { createBundle } from '../payload/bundle-create.js';
import { bundleReferrerManifest } from '../payload/bundle-referrer.js';
import { encodeDsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signDsse } from '../payload/dsse.js';
import { COSIGN_SIGN_PREDICATE_TYPE, encodeCosignSignStatement } from '../payload/intoto.js';
import type { Descriptor, ImageIndex } from '../payload/oci.js';
import type { SignatureFormat } from '../payload/signature-format.js';
import { signatureLayerDescriptor } from '../payload/signature-layer.js';
import { encodeSimpleSigningPayload } from '../payload/simple-signing.js';
import { signatureTag } from '../payload/tags.js';
import type { FetchedManifest, RegistryClient } from '../registry/client.js';
import { resolveImage, withRegistry } from '../registry/image-target.js';
import { isImageIndex } from '../registry/manifest.js';
import { abortableSigner } from './abortable-signer.js';
import { pushBundleReferrer } from './bundle-push.js';
import { appendSignature } from './classic-append.js';
import type { SigstoreEvidenceOptions } from './evidence-options.js';
import { bundleEvidence, evidenceSummary, type LoggedEntrySummary } from './evidence-storage.js';
import { type EvidenceGatherer, evidenceGatherer } from './sign-evidence.js';
import { signerMaterial } from './signer-material.js';

/**
 * Options of {@link signImage}: the signer, the storage format (classic `.sig`, cosign 3 bundle, or
 * both), annotations, repository and recursion.
 */
export interface SignImageOptions extends SigstoreEvidenceOptions {
  readonly signer: Signer;
  /** Annotations signed with the image (the payload's `optional`, or the statement subject's). */
  readonly annotations?: Readonly<Record<string, string>>;
  /** Default: a client with Docker config credentials. */
  readonly registry?: RegistryClient;
  /** `simple-signing` (classic `.sig`, default), `bundle` (cosign 3), or `both` for a migration period. */
  readonly format?: SignatureFormat | 'both';
  /** Alternate repository for signatures (cosign's `COSIGN_REPOSITORY`). */
  readonly repository?: string;
  /** For an index: also sign every manifest it lists. */
  readonly recursive?: boolean;
  /** false: sign and return payload + signature without pushing anything (detached). Default true. */
  readonly upload?: boolean;
  /** Docker media types for the `.sig` image (`COSIGN_DOCKER_MEDIA_TYPES=1`). */
  readonly dockerMediaTypes?: boolean;
  readonly signal?: AbortSignal;
  /** Called with warnings, e.g. when a tag was resolved to a digest. */
  readonly onWarning?: (message: string) => void;
}

/** One signature made. */
export interface SignedArtifact {
  readonly digest: string;
  readonly format: SignatureFormat;
  /** The signed bytes: the simple-signing payload, or the DSSE-wrapped statement. */
  readonly payload: Uint8Array;
  /** Base64 signature (over the payload, or over the DSSE PAE for bundles). */
  readonly signature: string;
  /** The bundle JSON, for the bundle format. */
  readonly bundle?: Uint8Array;
  /** Where it was stored: `registry/repo:sha256-….sig`, or `registry/repo@<referrer digest>`; absent when detached. */
  readonly location?: string;
  /** True when an equal signature was already there (cosign's duplicate check), so nothing was added. */
  readonly duplicate?: boolean;
  /** The transparency-log entry stored with it (verified), when `tlog` was given. */
  readonly tlogEntry?: LoggedEntrySummary;
  /** The verified RFC 3161 time stored with it, when `timestamp` was given. */
  readonly timestamp?: Date;
}

/**
 * What {@link signImage} did: the digest it signed and one entry per signature written (or found
 * already present).
 */
export interface SignResult {
  /** The digest of the image asked for. */
  readonly digest: string;
  readonly signatures: readonly SignedArtifact[];
}

/** What signing one subject shares. */
interface SignContext {
  readonly client: RegistryClient;
  readonly options: SignImageOptions;
  readonly gather: EvidenceGatherer | undefined;
  readonly dockerReference: string;
  readonly sigRepo: string;
}

const noEvidence: EvidenceGatherer = async () => ({});

async function signClassic(ctx: SignContext, subject: Descriptor): Promise<SignedArtifact> {
  const { options } = ctx;
  const format = 'simple-signing';
  const payload = encodeSimpleSigningPayload({
    dockerReference: ctx.dockerReference,
    manifestDigest: subject.digest,
    annotations: options.annotations ?? null,
  });
  const raw = await options.signer.sign(
    payload,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const material = await signerMaterial(options.signer, options.signal);
  const signature = toBase64(raw);
  const evidence = await (ctx.gather ?? noEvidence)({
    proposal: { kind: 'hashedrekord', artifact: payload, signature: raw, verifier: material.verifier },
    signature: raw,
    storage: 'layer',
  });
  const made = { digest: subject.digest, format, payload, signature, ...evidenceSummary(evidence) } as const;
  if (options.upload === false) return made;
  const tagRef = `${ctx.sigRepo}:${signatureTag(subject.digest)}`;
  const layer = signatureLayerDescriptor({
    payload,
    signature,
    ...material.layerCertificates,
    ...(evidence.rekorBundle === undefined ? {} : { bundle: evidence.rekorBundle }),
    ...(evidence.timestamp === undefined ? {} : { rfc3161Timestamp: evidence.timestamp.signedTimestamp }),
  });
  const result = await appendSignature(ctx.client, tagRef, layer, payload, material.publicKey, {
    ...(options.dockerMediaTypes ? { dockerMediaTypes: true } : {}),
    signal: options.signal,
  });
  return { ...made, location: tagRef, duplicate: result.duplicate };
}

async function signBundle(ctx: SignContext, subject: Descriptor): Promise<SignedArtifact> {
  const { options } = ctx;
  const statement = encodeCosignSignStatement(subject.digest, options.annotations ?? {});
  const envelope = await signDsse(
    options.signer,
    IN_TOTO_PAYLOAD_TYPE,
    statement,
    options.signal === undefined ? {} : { signal: options.signal },
  );
  const signature = envelope.signatures[0]?.sig ?? '';
  const material = await signerMaterial(options.signer, options.signal);
  const evidence = await (ctx.gather ?? noEvidence)({
    proposal: { kind: 'dsse', envelope: encodeDsseEnvelope(envelope), verifier: material.verifier },
    signature: fromBase64(signature) as Uint8Array, // signDsse wrote it: valid base64
    storage: 'bundle',
  });
  const bundle = createBundle({
    ...material.bundleIdentity,
    dsseEnvelope: envelope,
    ...bundleEvidence(evidence),
  });
  const made = {
    digest: subject.digest,
    format: 'bundle',
    payload: statement,
    signature,
    bundle,
    ...evidenceSummary(evidence),
  } as const;
  if (options.upload === false) return made;
  const referrer = bundleReferrerManifest({ bundle, subject, predicateType: COSIGN_SIGN_PREDICATE_TYPE });
  const pushedDigest = await pushBundleReferrer(ctx.client, ctx.sigRepo, referrer, options.signal);
  return { ...made, location: `${ctx.sigRepo}@${pushedDigest}` };
}

async function signOne(ctx: SignContext, subject: Descriptor): Promise<SignedArtifact[]> {
  const out: SignedArtifact[] = [];
  for (const format of formatsOf(ctx.options))
    out.push(format === 'simple-signing' ? await signClassic(ctx, subject) : await signBundle(ctx, subject));
  return out;
}

function formatsOf(options: SignImageOptions): SignatureFormat[] {
  return options.format === 'both' ? ['simple-signing', 'bundle'] : [options.format ?? 'simple-signing'];
}

/**
 * Signs an image by digest (a tag is resolved first, with a warning) in cosign's formats.
 *
 * Signing never loses a signature: a signature is reported only once it was read back from the
 * registry twice in a row, and every signature this call saw is kept and re-added, so that once
 * every concurrent signer has returned, every signature any of them reported is present (the
 * `.sig` image and the referrers fallback index are read-modify-write without compare-and-swap;
 * see docs/signing.md, "Concurrent signers"). When other writers keep replacing the tag, the call
 * fails with SigningError naming it rather than report a signature that may be gone; an abort is
 * AbortedError / OperationTimeoutError.
 */
export async function signImage(image: string, options: SignImageOptions): Promise<SignResult> {
  options = { ...options, signer: abortableSigner(options?.signer, options?.signal, 'signImage') };
  const gather = await evidenceGatherer(options, {
    signal: options.signal,
    onWarning: options.onWarning,
    storages: formatsOf(options).map((f) => (f === 'simple-signing' ? 'layer' : 'bundle')),
  });
  return withRegistry(options.registry, async (client) => {
    const resolved = await resolveImage(client, image, {
      repository: options.repository,
      signal: options.signal,
      onWarning: options.onWarning,
      fetchManifest: true,
    });
    const fetched = resolved.fetched as FetchedManifest;
    const sigRepo = repositoryName(resolved.signatureRepository);
    const dockerReference = repositoryName(resolved.reference);
    const subjects: Descriptor[] = [
      { mediaType: fetched.mediaType, digest: fetched.digest, size: fetched.size },
    ];
    if (options.recursive === true && isImageIndex(fetched.manifest)) {
      for (const child of (fetched.manifest as ImageIndex).manifests)
        subjects.push({ mediaType: child.mediaType, digest: child.digest, size: child.size });
    }
    const ctx: SignContext = { client, options, gather, dockerReference, sigRepo };
    const signatures: SignedArtifact[] = [];
    for (const subject of subjects) signatures.push(...(await signOne(ctx, subject)));
    return { digest: resolved.digest, signatures };
  });
}
