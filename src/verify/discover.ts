/**
 * Discovery: the I/O half of a verification. Given a narrow registry reader and an image digest,
 * it fetches the evidence — bundle referrers (newest first, at most `maxReferrers`) and the classic
 * `.sig` / `.att` layers, both lookups in flight at once — and returns bytes for the judge
 * (`judge.ts`). It decides nothing about trust; it only skips what it can tell from annotations is
 * not wanted (other artifact types, other predicate types) before fetching it.
 */
import { BundleAnnotation } from '../payload/bundle-referrer.js';
import { predicateTypeFor } from '../payload/intoto.js';
import type { SignatureFormat } from '../payload/signature-format.js';
import { DEFAULT_MAX_PAYLOAD_BYTES, type PayloadLimits } from '../payload/signature-image.js';
import { SignatureAnnotation } from '../payload/signature-layer.js';
import type { RegistryClient } from '../registry/client.js';
import { type ClassicEvidence, fetchClassicLayers } from './classic-layers.js';
import type { ImageEvidence } from './evidence.js';
import { fetchBundleReferrers, type ReferrerEvidence, type ReferrerSelection } from './referrers.js';
import { signatureRepository } from './signature-repository.js';

/** The registry reads discovery needs: a `RegistryClient`, or anything with these three methods. */
export type SignatureReader = Pick<RegistryClient, 'getManifest' | 'getBlobBytes' | 'referrers'>;

/** Where and how discovery looks. */
export interface DiscoverOptions {
  /** The repository signatures live in (`registry/repository`): the image's, or an alternate one. */
  readonly signatureRepository: string;
  /** Which formats to look for. Default both. */
  readonly formats?: readonly SignatureFormat[] | undefined;
  readonly limits?: PayloadLimits | undefined;
  /** At most this many bundle referrers are fetched, newest first. Default 50. */
  readonly maxReferrers?: number | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** The two lookups of one discovery, started together; `classic` never rejects unobserved. */
export interface Lookups {
  readonly bundles: Promise<{ candidates: ReferrerEvidence[]; selection: ReferrerSelection }> | undefined;
  readonly classic: Promise<ClassicEvidence[] | undefined>;
}

const BUNDLE_PREDICATE_TYPE = BundleAnnotation.predicateType;
const DEFAULT_FORMATS: readonly SignatureFormat[] = ['bundle', 'simple-signing'];

/** Starts both lookups for `kind` (`sig`: image signatures; `att`: attestations of `predicateType`). */
export function startLookups(
  reader: SignatureReader,
  digest: string,
  kind: 'sig' | 'att',
  options: DiscoverOptions & { readonly predicateType?: string | undefined },
): Lookups {
  const { signal, limits, predicateType } = options;
  const repo = signatureRepository(options.signatureRepository);
  const formats = options.formats ?? DEFAULT_FORMATS;
  const wanted = (annotated: string | undefined) =>
    predicateType === undefined || annotated === undefined || annotated === predicateType;
  const classic = formats.includes('simple-signing')
    ? fetchClassicLayers(reader, repo, digest, kind, {
        signal,
        limits,
        ...(kind === 'sig'
          ? { maxBytes: limits?.maxPayloadBytes ?? DEFAULT_MAX_PAYLOAD_BYTES }
          : // Filter by the layer's predicateType annotation before fetching any envelope.
            { keep: (layer) => wanted(layer.annotations?.[SignatureAnnotation.predicateType]) }),
      })
    : Promise.resolve(undefined);
  classic.catch(() => {});
  const bundles = formats.includes('bundle')
    ? fetchBundleReferrers(reader, repo, digest, {
        signal,
        maxReferrers: options.maxReferrers,
        ...(kind === 'att'
          ? {
              // Filter by the predicate type annotation before fetching anything it rules out.
              keep: (d) => wanted(d.annotations?.[BUNDLE_PREDICATE_TYPE]),
              keepManifest: (m) => wanted(m.annotations?.[BUNDLE_PREDICATE_TYPE]),
            }
          : {}),
      })
    : undefined;
  return { bundles, classic };
}

/** The evidence fields every discovery fills the same way. */
export function evidenceOf(
  digest: string,
  options: DiscoverOptions,
  found: { candidates: ReferrerEvidence[]; selection: ReferrerSelection } | undefined,
  classic: ClassicEvidence[] | undefined,
): ImageEvidence {
  return {
    digest,
    ...(found === undefined ? {} : { bundles: found.candidates }),
    ...(classic === undefined ? {} : { classic }),
    lookedFor: options.formats ?? DEFAULT_FORMATS,
    location: options.signatureRepository,
    ...(found === undefined
      ? {}
      : { referrers: { total: found.selection.total, omitted: found.selection.omitted } }),
  };
}

/**
 * Fetches the signature evidence of `digest` as cosign 3 looks for it: bundle referrers first and,
 * only when there are none, the classic `.sig` layers (looked up at the same time, so a classic
 * signature still costs two sequential requests; a broken `.sig` tag cannot fail an image that has
 * bundles).
 */
export async function discoverSignatures(
  reader: SignatureReader,
  digest: string,
  options: DiscoverOptions,
): Promise<ImageEvidence> {
  const lookups = startLookups(reader, digest, 'sig', options);
  const found = lookups.bundles === undefined ? undefined : await lookups.bundles;
  const classic = found !== undefined && found.candidates.length > 0 ? undefined : await lookups.classic;
  return evidenceOf(digest, options, found, classic);
}

/**
 * Fetches the attestation evidence of `digest`: bundle referrers and `.att` layers, skipping those
 * annotated with another predicate type before fetching them. Both are always fetched: whether
 * bundles count is known only once they are judged (an image-signature bundle is no attestation).
 */
export async function discoverAttestations(
  reader: SignatureReader,
  digest: string,
  options: DiscoverOptions & { readonly predicateType?: string | undefined },
): Promise<ImageEvidence> {
  const predicateType =
    options.predicateType === undefined ? undefined : predicateTypeFor(options.predicateType);
  const lookups = startLookups(reader, digest, 'att', { ...options, predicateType });
  const found = lookups.bundles === undefined ? undefined : await lookups.bundles;
  return evidenceOf(digest, options, found, await lookups.classic);
}
