/**
 * Which of an image's referrers a verification looks at, so that a hostile referrers index (3000
 * entries, each one a manifest GET and a blob GET) costs a bounded amount of work:
 *
 * - only descriptors that can be Sigstore bundles: `artifactType`
 *   `application/vnd.dev.sigstore.bundle…`, the OCI empty type (go-containerregistry before 0.21.6
 *   recorded the config's type in the fallback index), or none — everything else (SBOMs, notation
 *   signatures, cosign's experimental `.sig` referrers) is dropped before any request;
 * - newest first: by the `org.opencontainers.image.created` annotation on the descriptor (cosign 3
 *   writes it on every bundle referrer and the referrers API copies manifest annotations into the
 *   descriptors), RFC 3339; descriptors without a usable date follow, later entries of the list first
 *   (cosign's experimental OCI 1.1 path takes the last entry as the latest, and append-only indexes
 *   put new entries last);
 * - at most `maxReferrers` of them (default {@link DEFAULT_MAX_REFERRERS} = 50, Kyverno's limit for
 *   referrers; Kyverno refuses a longer list outright, ocisign checks the newest 50 and says it cut).
 *
 * The date is the pusher's claim, not evidence: whoever can push referrers can also push 50 newer
 * ones and push a genuine signature out of the window. That costs a verification (it fails, and the
 * failure says the list was cut), never a false pass. {@link fetchBundleReferrers} fetches the
 * chosen ones, {@link FETCH_CONCURRENCY} at a time; judging a bundle is the judge's (`judge-*.ts`).
 */
import { InvalidArgumentError } from '../errors/base.js';
import { PayloadFormatError } from '../errors/payload.js';
import { mapConcurrent } from '../internal/concurrency.js';
import { own, readShape } from '../internal/shape.js';
import { BUNDLE_MEDIA_TYPE_BASE } from '../payload/bundle.js';
import type { Descriptor, Manifest } from '../payload/oci.js';
import { descriptorShape, OCI_EMPTY, OciAnnotation } from '../payload/oci.js';
import type { RegistryClient } from '../registry/client.js';
import { isCandidateError } from './candidate-errors.js';
import type { BundleEvidence, UnreadableEvidence } from './evidence.js';
import type { SignatureRepository } from './signature-repository.js';

/** How many bundle referrers a verification checks by default: 50, as Kyverno. */
export const DEFAULT_MAX_REFERRERS = 50;

/** How many manifests and blobs a verification fetches at once: 10, cosign's `--max-workers` default. */
export const FETCH_CONCURRENCY = 10;

const BUNDLE_TYPE_PREFIX = BUNDLE_MEDIA_TYPE_BASE;
const CREATED = OciAnnotation.created;
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** The referrers a verification will check, and how many bundle referrers it left out. */
export interface ReferrerSelection {
  readonly selected: readonly Descriptor[];
  /** Bundle referrers beyond the limit (0 when none were cut). */
  readonly omitted: number;
  /** Bundle referrers listed in all. */
  readonly total: number;
}

/** Checks a caller's `maxReferrers` (a positive integer), returning the default when unset. */
export function maxReferrersOption(value: number | undefined): number {
  if (value === undefined) return DEFAULT_MAX_REFERRERS;
  if (!Number.isSafeInteger(value) || value < 1)
    throw new InvalidArgumentError(`maxReferrers must be a positive integer, not ${String(value)}`);
  return value;
}

/** Whether a referrer descriptor can be a Sigstore bundle (before fetching anything). */
export function mayBeBundle(descriptor: Descriptor): boolean {
  const type = descriptor.artifactType;
  return type === undefined || type === '' || type === OCI_EMPTY || type.startsWith(BUNDLE_TYPE_PREFIX);
}

function createdAt(descriptor: Descriptor): number | undefined {
  const text = descriptor.annotations?.[CREATED];
  if (typeof text !== 'string' || !RFC3339.test(text)) return undefined;
  const time = Date.parse(text);
  return Number.isFinite(time) ? time : undefined;
}

/** The bundle referrers to check: bundle-typed, newest first, at most `max` (see the module comment). */
export function selectBundleReferrers(referrers: readonly Descriptor[], max: number): ReferrerSelection {
  const candidates = referrers
    .map((descriptor, index) => ({ descriptor, index, time: createdAt(descriptor) }))
    .filter((c) => mayBeBundle(c.descriptor));
  candidates.sort((a, b) => {
    if (a.time !== undefined && b.time !== undefined && a.time !== b.time) return b.time - a.time;
    if ((a.time === undefined) !== (b.time === undefined)) return a.time === undefined ? 1 : -1;
    return b.index - a.index;
  });
  return {
    selected: candidates.slice(0, max).map((c) => c.descriptor),
    omitted: Math.max(0, candidates.length - max),
    total: candidates.length,
  };
}

/** The one bundle layer of a referrer manifest; undefined when the referrer is not a bundle. */
export function bundleLayerOf(manifest: Manifest): Descriptor | undefined {
  const layers = own(manifest as unknown as Record<string, unknown>, 'layers');
  if (own(manifest as unknown as Record<string, unknown>, 'manifests') !== undefined) return undefined;
  if (!Array.isArray(layers) || layers.length !== 1) return undefined;
  const layer = readShape(
    layers[0],
    descriptorShape,
    'Bundle referrer layer',
    (message, cause) => new PayloadFormatError(message, { cause }),
  );
  return layer.mediaType.startsWith(BUNDLE_TYPE_PREFIX) ? layer : undefined;
}

/** Bundle evidence: a bundle's bytes, or a referrer that could not be read. */
export type ReferrerEvidence = BundleEvidence | UnreadableEvidence;

/** The registry reads a bundle lookup needs (a `RegistryClient`, or a test double). */
export type ReferrerReader = Pick<RegistryClient, 'referrers' | 'getManifest' | 'getBlobBytes'>;

/**
 * Lists the referrers of `digest`, selects the bundle referrers to check ({@link
 * selectBundleReferrers}), and fetches each one's manifest and bundle. A referrer that fails to
 * fetch is an `unreadable` candidate; one that is no bundle after all is dropped; an abort or
 * timeout rejects.
 */
export async function fetchBundleReferrers(
  client: ReferrerReader,
  repo: SignatureRepository,
  digest: string,
  options: {
    readonly signal?: AbortSignal | undefined;
    readonly maxReferrers?: number | undefined;
    /** Keep a referrer before any request (e.g. by its predicate-type annotation). Default: all. */
    readonly keep?: ((descriptor: Descriptor) => boolean) | undefined;
    /** Keep a referrer once its manifest is in, before the bundle blob is fetched. Default: all. */
    readonly keepManifest?: ((manifest: Manifest) => boolean) | undefined;
  },
): Promise<{ candidates: ReferrerEvidence[]; selection: ReferrerSelection }> {
  const { signal, keep, keepManifest } = options;
  const referrers = await client.referrers(repo.reference, digest, { signal });
  const selection = selectBundleReferrers(
    keep === undefined ? referrers : referrers.filter((d) => keep(d)),
    maxReferrersOption(options.maxReferrers),
  );
  const fetched = await mapConcurrent(
    selection.selected,
    FETCH_CONCURRENCY,
    async (descriptor): Promise<ReferrerEvidence | undefined> => {
      const candidate = `bundle ${descriptor.digest}`;
      try {
        const { manifest } = await client.getManifest(
          { ...repo.reference, digest: descriptor.digest },
          { signal },
        );
        const layer = bundleLayerOf(manifest);
        if (layer === undefined || keepManifest?.(manifest) === false) return undefined;
        const bundle = await client.getBlobBytes(repo.reference, layer.digest, { size: layer.size, signal });
        return { kind: 'bundle', candidate, source: descriptor.digest, bundle };
      } catch (error) {
        if (!isCandidateError(error)) throw error;
        return { kind: 'unreadable', candidate, message: error.message };
      }
    },
  );
  return { candidates: fetched.filter((c) => c !== undefined), selection };
}
