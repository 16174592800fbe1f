/**
 * `verifyImageAttestations`: resolve → discover → judge, as `verifyImage`. Discovery filters by
 * predicate type from annotations before fetching any blob; the judge verifies each envelope over
 * PAE and returns the decoded statements. As cosign 3, bundle attestations count when any exist;
 * the `.att` lookup runs alongside and is judged only when no bundle attestation is there.
 */
import { repositoryName } from '../internal/reference.js';
import { predicateTypeFor } from '../payload/intoto.js';
import { resolveImage, withRegistry } from '../registry/image-target.js';
import { shippedTrustedRoot } from '../sigstore/shipped.js';
import { evidenceOf, startLookups } from './discover.js';
import { decideAttestations, judgeAttestationCandidates } from './judge.js';
import type { AttestationClaims } from './judge-attestation.js';
import { maxReferrersOption } from './referrers.js';
import { trustMaterial } from './trust.js';
import type { VerifiedAttestation, VerifyAttestationsOptions } from './verify-types.js';

/**
 * Verifies an image's attestations with trusted keys or certificate identities (keyless: bundles,
 * and classic `.att` layers as cosign's classic path checks them) and returns the statements that
 * verified.
 */
export async function verifyImageAttestations(
  image: string,
  options: VerifyAttestationsOptions,
): Promise<VerifiedAttestation[]> {
  const trust = trustMaterial(options, 'verifyImageAttestations', shippedTrustedRoot);
  const predicateType =
    options.predicateType === undefined ? undefined : predicateTypeFor(options.predicateType);
  maxReferrersOption(options.maxReferrers);
  return withRegistry(options.registry, async (client) => {
    const resolved = await resolveImage(client, image, options);
    const discovery = {
      signatureRepository: repositoryName(resolved.signatureRepository),
      formats: options.formats,
      limits: options.limits,
      maxReferrers: options.maxReferrers,
      signal: options.signal,
      predicateType,
    };
    const claims: AttestationClaims = { digest: resolved.digest, predicateType };
    const lookups = startLookups(client, resolved.digest, 'att', discovery);
    const found = lookups.bundles === undefined ? undefined : await lookups.bundles;
    const fromBundles = judgeAttestationCandidates(found?.candidates ?? [], claims, trust);
    // The `.att` layers are awaited (and judged) only when no bundle attestation is there.
    const classic = fromBundles.length > 0 ? undefined : await lookups.classic;
    const evidence = evidenceOf(resolved.digest, discovery, found, classic);
    const outcomes =
      fromBundles.length > 0 ? fromBundles : judgeAttestationCandidates(classic ?? [], claims, trust);
    return decideAttestations(evidence, outcomes, predicateType, options.onWarning);
  });
}
