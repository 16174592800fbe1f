/**
 * The classic evidence of a verification: the layers of cosign's `.sig` or `.att` image, each
 * payload fetched ({@link FETCH_CONCURRENCY} at a time). A tag that does not exist means no classic
 * candidates at all; a tag holding something that is not a signature image (an index, an artifact
 * manifest, a malformed layer), or a layer that fails to fetch, is an `unreadable` candidate;
 * cosign's reader limits, an abort or a timeout reject.
 *
 * Deliberately not here: judging a payload (signature, claims, tlog evidence: `judge-*.ts`), and
 * bundle referrers (`referrers.ts`).
 */
import { OcisignError } from '../errors/base.js';
import { LimitExceededError } from '../errors/payload.js';
import { NotFoundError } from '../errors/registry.js';
import { mapConcurrent } from '../internal/concurrency.js';
import type { Descriptor, Manifest } from '../payload/oci.js';
import { type PayloadLimits, signatureLayersOf } from '../payload/signature-image.js';
import { signatureTag } from '../payload/tags.js';
import type { RegistryClient } from '../registry/client.js';
import { isCandidateError, isDocumentError } from './candidate-errors.js';
import type { LayerEvidence, UnreadableEvidence } from './evidence.js';
import { FETCH_CONCURRENCY } from './referrers.js';
import type { SignatureRepository } from './signature-repository.js';

/** The registry reads a classic lookup needs (a `RegistryClient`, or a test double). */
export type SignatureImageReader = Pick<RegistryClient, 'getManifest' | 'getBlobBytes'>;

/** Classic evidence: a layer and its payload, or a candidate that could not be read. */
export type ClassicEvidence = LayerEvidence | UnreadableEvidence;

/**
 * Fetches every layer of the `.sig` or `.att` image of `digest` in `repo`: undefined when the
 * tag does not exist, else the evidence of each layer `keep` keeps (or one unreadable tag).
 */
export async function fetchClassicLayers(
  client: SignatureImageReader,
  repo: SignatureRepository,
  digest: string,
  kind: 'sig' | 'att',
  options: {
    readonly signal?: AbortSignal | undefined;
    readonly limits?: PayloadLimits | undefined;
    /** Largest payload fetched; default the registry client's limit for whole blobs. */
    readonly maxBytes?: number | undefined;
    /** Keep a layer before its payload is fetched (e.g. by its predicate-type annotation). Default: all. */
    readonly keep?: ((layer: Descriptor) => boolean) | undefined;
  },
): Promise<ClassicEvidence[] | undefined> {
  const { signal, keep } = options;
  const tagName = signatureTag(digest, kind);
  const tag = `${repo.name}:${tagName}`;
  const unreadable = (candidate: string, error: OcisignError): UnreadableEvidence => ({
    kind: 'unreadable',
    candidate,
    message: error.message,
  });
  let manifest: Manifest;
  try {
    manifest = (await client.getManifest({ ...repo.reference, tag: tagName }, { signal })).manifest;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    if (isDocumentError(error)) return [unreadable(tag, error)];
    throw error;
  }
  let layers: readonly Descriptor[];
  try {
    layers = signatureLayersOf(manifest as Parameters<typeof signatureLayersOf>[0], options.limits);
  } catch (error) {
    // An index, an artifact manifest, a malformed layer: the tag holds nothing we can check.
    if (!(error instanceof OcisignError) || error instanceof LimitExceededError) throw error;
    return [unreadable(tag, error)];
  }
  const kept = keep === undefined ? layers : layers.filter((layer) => keep(layer));
  return mapConcurrent(kept, FETCH_CONCURRENCY, async (layer, i): Promise<ClassicEvidence> => {
    const candidate = `.${kind} layer ${i + 1} (${layer.digest.slice(0, 19)}…)`;
    try {
      const payload = await client.getBlobBytes(repo.reference, layer.digest, {
        size: layer.size,
        signal,
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      });
      return { kind: 'classic-layer', candidate, layer, payload };
    } catch (error) {
      if (!isCandidateError(error)) throw error;
      return unreadable(candidate, error);
    }
  });
}
