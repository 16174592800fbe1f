/**
 * `verifyImage`: cosign-compatible verification with static keys, as resolve → discover → judge →
 * threshold. Discovery (`discover.ts`) fetches bundle referrers and the classic `.sig` layers in
 * parallel (cosign 3: bundles when any exist), so a digest-pinned image in the classic format costs
 * two sequential requests; the judge (`judge.ts`) checks every candidate's signature, claims and
 * (unless `ignoreTlog`) transparency-log evidence against the caller's trust material, and a failure
 * names why each candidate failed.
 */
import { InvalidArgumentError } from '../errors/base.js';
import { repositoryName } from '../internal/reference.js';
import type { ImageIndex } from '../payload/oci.js';
import { resolveImage, withRegistry } from '../registry/image-target.js';
import { isImageIndex } from '../registry/manifest.js';
import { shippedTrustedRoot } from '../sigstore/shipped.js';
import { discoverSignatures } from './discover.js';
import {
  checkClaimOptions,
  decideSignatures,
  judgeSignaturesWith,
  signatureClaims,
  thresholdOption,
} from './judge.js';
import { maxReferrersOption } from './referrers.js';
import { signerCount, trustMaterial } from './trust.js';
import type { VerifyImageOptions, VerifyResult } from './verify-types.js';

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
  const trust = trustMaterial(options, 'verifyImage', shippedTrustedRoot);
  checkClaimOptions(options);
  const threshold = thresholdOption(options.threshold, signerCount(trust));
  maxReferrersOption(options.maxReferrers);
  return withRegistry(options.registry, async (client) => {
    const resolved = await resolveImage(client, image, {
      ...options,
      fetchManifest: options.platform !== undefined,
    });
    let digest = resolved.digest;
    const fetched = resolved.fetched;
    if (options.platform !== undefined && fetched !== undefined && isImageIndex(fetched.manifest))
      digest = selectPlatform(fetched.manifest as ImageIndex, options.platform);
    const evidence = await discoverSignatures(client, digest, {
      signatureRepository: repositoryName(resolved.signatureRepository),
      formats: options.formats,
      limits: options.limits,
      maxReferrers: options.maxReferrers,
      signal: options.signal,
    });
    const outcomes = judgeSignaturesWith(evidence, signatureClaims(digest, options), trust);
    return decideSignatures(evidence, outcomes, threshold, options.onWarning);
  });
}
