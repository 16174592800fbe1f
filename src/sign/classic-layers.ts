/**
 * The classic candidates of a verification: the layers of cosign's `.sig` or `.att` image, each
 * payload fetched ({@link FETCH_CONCURRENCY} at a time) and handed to the caller's `check`. A tag
 * that does not exist means no classic candidates at all; a tag holding something that is not a
 * signature image (an index, an artifact manifest, a malformed layer), or a layer that fails to
 * fetch, is a `malformed` failure; cosign's reader limits, an abort or a timeout reject.
 *
 * Deliberately not here: judging a payload (signature, claims, tlog evidence: the caller's
 * `check`), and bundle referrers (`referrers.ts`).
 */
import { OcisignError } from '../errors/base.js';
import { LimitExceededError } from '../errors/payload.js';
import { NotFoundError } from '../errors/registry.js';
import type { CandidateFailure } from '../errors/verify.js';
import { mapConcurrent } from '../internal/concurrency.js';
import type { Descriptor, Manifest } from '../payload/oci.js';
import { type PayloadLimits, signatureLayersOf } from '../payload/signature-image.js';
import { signatureTag } from '../payload/tags.js';
import type { RegistryClient } from '../registry/client.js';
import { isCandidateError, isDocumentError } from './candidate-errors.js';
import { FETCH_CONCURRENCY } from './referrers.js';

/** The registry reads a classic lookup needs (a `RegistryClient`, or a test double). */
export type SignatureImageReader = Pick<RegistryClient, 'getManifest' | 'getBlobBytes'>;

/** What {@link checkClassicLayers} does with the layers of a `.sig` / `.att` image. */
export interface LayerChecks<O> {
  /** Keep a layer before its payload is fetched (e.g. by its predicate-type annotation). Default: all. */
  readonly keep?: (layer: Descriptor) => boolean;
  /**
   * Judges one layer and its payload; undefined drops it (not a candidate after all). A typed error
   * it throws fails the layer as `malformed`.
   */
  readonly check: (layer: Descriptor, payload: Uint8Array, candidate: string) => O | undefined;
  /** The outcome for a tag or layer that could not be fetched or read. */
  readonly failed: (failure: CandidateFailure) => O;
}

/**
 * Checks every layer of the `.sig` or `.att` image of `digest` in `sigRepo`: undefined when the tag
 * does not exist, else the outcome of each layer kept (or one failure for the tag).
 */
export async function checkClassicLayers<O>(
  client: SignatureImageReader,
  sigRepo: string,
  digest: string,
  kind: 'sig' | 'att',
  options: {
    readonly signal?: AbortSignal | undefined;
    readonly limits?: PayloadLimits | undefined;
    /** Largest payload fetched; default the registry client's limit for whole blobs. */
    readonly maxBytes?: number | undefined;
  },
  checks: LayerChecks<O>,
): Promise<O[] | undefined> {
  const { signal } = options;
  const tag = `${sigRepo}:${signatureTag(digest, kind)}`;
  const failed = (candidate: string, error: OcisignError) =>
    checks.failed({ candidate, reason: 'malformed', message: error.message });
  let manifest: Manifest;
  try {
    manifest = (await client.getManifest(tag, { signal })).manifest;
  } catch (error) {
    if (error instanceof NotFoundError) return undefined;
    if (isDocumentError(error)) return [failed(tag, error)];
    throw error;
  }
  let layers: readonly Descriptor[];
  try {
    layers = signatureLayersOf(manifest as Parameters<typeof signatureLayersOf>[0], options.limits);
  } catch (error) {
    // An index, an artifact manifest, a malformed layer: the tag holds nothing we can check.
    if (!(error instanceof OcisignError) || error instanceof LimitExceededError) throw error;
    return [failed(tag, error)];
  }
  const keep = checks.keep;
  const kept = keep === undefined ? layers : layers.filter((layer) => keep(layer));
  const outcomes = await mapConcurrent(kept, FETCH_CONCURRENCY, async (layer, i) => {
    const candidate = `.${kind} layer ${i + 1} (${layer.digest.slice(0, 19)}…)`;
    try {
      const payload = await client.getBlobBytes(sigRepo, layer.digest, {
        size: layer.size,
        signal,
        ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      });
      return checks.check(layer, payload, candidate);
    } catch (error) {
      if (!isCandidateError(error)) throw error;
      return failed(candidate, error);
    }
  });
  return outcomes.filter((o): o is Awaited<O> => o !== undefined);
}
