/**
 * `attestImage`: signs an in-toto statement about an image into a DSSE envelope and stores it the
 * classic way (a layer of the `.att` image) or the cosign 3 way (a Sigstore bundle referrer).
 * With `tlog` and `timestamp` the envelope is logged (`dsse`, cosign's default entry type) and its
 * signature stamped before anything is pushed. Verifying attestations is the verify layer's
 * (`verifyImageAttestations`).
 */

import { fromBase64 } from '../internal/bytes.js';
import { repositoryName } from '../internal/reference.js';
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
import type { SigstoreEvidenceOptions } from './evidence-options.js';
import { bundleEvidence, evidenceSummary, type LoggedEntrySummary } from './evidence-storage.js';
import { evidenceGatherer } from './sign-evidence.js';
import { signerMaterial } from './signer-material.js';

/**
 * Options of {@link attestImage}: the signer, the predicate and its type, where and how to store
 * the attestation.
 */
export interface AttestImageOptions extends SigstoreEvidenceOptions {
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
  /** The transparency-log entry stored with it (verified), when `tlog` was given. */
  readonly tlogEntry?: LoggedEntrySummary;
  /** The verified RFC 3161 time stored with it, when `timestamp` was given. */
  readonly timestamp?: Date;
}

/**
 * Signs an attestation about an image and stores it (cosign attest). Like `signImage`, it returns
 * only once the attestation was confirmed in the `.att` image or the referrers fallback index
 * despite concurrent writers, and fails with SigningError naming the tag otherwise.
 */
export async function attestImage(image: string, options: AttestImageOptions): Promise<AttestResult> {
  options = { ...options, signer: abortableSigner(options?.signer, options?.signal, 'attestImage') };
  const predicateType = predicateTypeFor(options.predicateType);
  const format = options.format ?? 'simple-signing';
  const gather = await evidenceGatherer(options, {
    signal: options.signal,
    onWarning: options.onWarning,
    storages: [format === 'simple-signing' ? 'layer' : 'bundle'],
  });
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
    const material = await signerMaterial(options.signer, options.signal);
    const payload = encodeDsseEnvelope(envelope);
    const evidence =
      gather === undefined
        ? {}
        : await gather({
            proposal: { kind: 'dsse', envelope: payload, verifier: material.verifier },
            signature: fromBase64(envelope.signatures[0]?.sig ?? '') as Uint8Array, // signDsse wrote it
            storage: format === 'simple-signing' ? 'layer' : 'bundle',
          });
    const made = { digest: resolved.digest, predicateType, statement, ...evidenceSummary(evidence) };
    if (format === 'simple-signing') {
      const layer = signatureLayerDescriptor({
        payload,
        mediaType: DSSE_MEDIA_TYPE,
        signature: '',
        ...material.layerCertificates,
        ...(evidence.rekorBundle === undefined ? {} : { bundle: evidence.rekorBundle }),
        ...(evidence.timestamp === undefined ? {} : { rfc3161Timestamp: evidence.timestamp.signedTimestamp }),
        annotations: { [SignatureAnnotation.predicateType]: predicateType },
      });
      const tagRef = `${sigRepo}:${signatureTag(resolved.digest, 'att')}`;
      await appendSignature(client, tagRef, layer, payload, material.publicKey, { signal: options.signal });
      return { ...made, location: tagRef };
    }
    const bundle = createBundle({
      ...material.bundleIdentity,
      dsseEnvelope: envelope,
      ...bundleEvidence(evidence),
    });
    const referrer = bundleReferrerManifest({
      bundle,
      subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
      predicateType,
    });
    const pushedDigest = await pushBundleReferrer(client, sigRepo, referrer, options.signal);
    return { ...made, location: `${sigRepo}@${pushedDigest}` };
  });
}
