/**
 * `signImage`: cosign-compatible image signing — the classic `.sig` tag, the cosign 3 Sigstore
 * bundle referrer, or both — with annotations, an alternate signature repository, recursive signing
 * of indexes, and a detached mode that pushes nothing. No transparency-log upload (ocisign makes no
 * calls to Rekor); verifiers then need `ignoreTlog: true`, as with cosign's `--tlog-upload=false`.
 */
import { toBase64 } from '../internal/bytes.js';
import { repositoryName } from '../internal/reference.js';
import { publicKeyHint } from '../keys/fingerprint.js';
import type { Signer } from '../keys/signer.js';
import { createBundle } from '../payload/bundle-create.js';
import { bundleReferrerManifest } from '../payload/bundle-referrer.js';
import { IN_TOTO_PAYLOAD_TYPE, signDsse } from '../payload/dsse.js';
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

/**
 * Options of {@link signImage}: the signer, the storage format (classic `.sig`, cosign 3 bundle, or
 * both), annotations, repository and recursion.
 */
export interface SignImageOptions {
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

async function signOne(
  client: RegistryClient,
  options: SignImageOptions,
  dockerReference: string,
  subject: Descriptor,
  sigRepo: string,
): Promise<SignedArtifact[]> {
  const formats: SignatureFormat[] =
    options.format === 'both' ? ['simple-signing', 'bundle'] : [options.format ?? 'simple-signing'];
  const upload = options.upload !== false;
  const out: SignedArtifact[] = [];
  for (const format of formats) {
    if (format === 'simple-signing') {
      const payload = encodeSimpleSigningPayload({
        dockerReference,
        manifestDigest: subject.digest,
        annotations: options.annotations ?? null,
      });
      const signature = toBase64(
        await options.signer.sign(payload, options.signal === undefined ? {} : { signal: options.signal }),
      );
      if (!upload) {
        out.push({ digest: subject.digest, format, payload, signature });
        continue;
      }
      const tagRef = `${sigRepo}:${signatureTag(subject.digest)}`;
      const layer = signatureLayerDescriptor({ payload, signature });
      const result = await appendSignature(client, tagRef, layer, payload, await options.signer.publicKey(), {
        ...(options.dockerMediaTypes ? { dockerMediaTypes: true } : {}),
        signal: options.signal,
      });
      out.push({
        digest: subject.digest,
        format,
        payload,
        signature,
        location: tagRef,
        duplicate: result.duplicate,
      });
    } else {
      const statement = encodeCosignSignStatement(subject.digest, options.annotations ?? {});
      const envelope = await signDsse(
        options.signer,
        IN_TOTO_PAYLOAD_TYPE,
        statement,
        options.signal === undefined ? {} : { signal: options.signal },
      );
      const bundle = createBundle({
        publicKeyHint: publicKeyHint(await options.signer.publicKey()),
        dsseEnvelope: envelope,
      });
      const signature = envelope.signatures[0]?.sig ?? '';
      if (!upload) {
        out.push({ digest: subject.digest, format, payload: statement, signature, bundle });
        continue;
      }
      const referrer = bundleReferrerManifest({ bundle, subject, predicateType: COSIGN_SIGN_PREDICATE_TYPE });
      const pushedDigest = await pushBundleReferrer(client, sigRepo, referrer, options.signal);
      out.push({
        digest: subject.digest,
        format,
        payload: statement,
        signature,
        bundle,
        location: `${sigRepo}@${pushedDigest}`,
      });
    }
  }
  return out;
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
    const signatures: SignedArtifact[] = [];
    for (const subject of subjects)
      signatures.push(...(await signOne(client, options, dockerReference, subject, sigRepo)));
    return { digest: resolved.digest, signatures };
  });
}
