/**
 * `attestImage`: signs an in-toto statement about an image into a DSSE envelope and stores it the
 * classic way (a layer of the `.att` image) or the cosign 3 way (a Sigstore bundle referrer).
 * Verifying attestations is the verify layer's (`verifyImageAttestations`).
 */
import { repositoryName } from '../internal/reference.js';
import { publicKeyHint } from '../keys/fingerprint.js';
import type { Signer } from '../keys/signer.js';
import { createBundle } from '../payload/bundle-create.js';
import { bundleReferrerManifest } from '../payload/bundle-referrer.js';
import { encodeDsseEnvelope, IN_TOTO_PAYLOAD_TYPE, signDsse } from '../payload/dsse.js';
import { encodeAttestationStatement, predicateTypeFor } from '../payload/intoto.js';
import type { Descriptor } from '../payload/oci.js';
import type { SignatureFormat } from '../payload/signature-format.js';
import {
  DSSE_MEDIA_TYPE,
  SignatureAnnotation,
  signatureLayerDescriptor,
} from '../payload/signature-layer.js';
import { signatureTag } from '../payload/tags.js';
import type { RegistryClient } from '../registry/client.js';
import { resolveImage, withRegistry } from '../registry/image-target.js';
import { abortableSigner } from './abortable-signer.js';
import { pushBundleReferrer } from './bundle-push.js';
import { appendSignature } from './classic-append.js';

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
