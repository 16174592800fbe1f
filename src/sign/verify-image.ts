/**
 * `verifyImage`: cosign-compatible verification with static keys. Discovery as cosign 3: Sigstore
 * bundles via referrers (or the fallback tag) first, the classic `.sig` tag when there are none — both
 * looked up in parallel, so a digest-pinned image in the classic format costs two sequential
 * requests (the `.sig` manifest, then its payload blobs in parallel). Every candidate is checked for
 * signature, claims and (unless `ignoreTlog`) transparency-log evidence against the caller's trusted
 * root; a failure names why each candidate failed.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { VerificationError } from '../errors/verify.js';
import { repositoryName } from '../internal/reference.js';
import type { ImageIndex } from '../payload/oci.js';
import { DEFAULT_MAX_PAYLOAD_BYTES } from '../payload/signature-image.js';
import type { RegistryClient } from '../registry/client.js';
import { isImageIndex } from '../registry/manifest.js';
import { type Context, checkBundle, checkClassicLayer, type Outcome } from './candidate-checks.js';
import { checkClassicLayers } from './classic-layers.js';
import {
  checkBundleReferrers,
  maxReferrersOption,
  omittedReferrersFailures,
  type ReferrerSelection,
} from './referrers.js';
import { resolveImage, trustedKeys, withRegistry } from './target.js';
import { rekorKeysFor } from './trusted-root.js';
import type { VerifyImageOptions, VerifyResult } from './verify-types.js';

export type { VerifiedSignature, VerifyImageOptions, VerifyResult } from './verify-types.js';

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
