/**
 * Pushing a Sigstore bundle referrer, as `signImage` and `attestImage` both store one: the OCI empty
 * config, the bundle blob, then the referrer manifest (the client also updates the referrers
 * fallback index when the registry has no referrers API).
 */
import type { BundleReferrer } from '../payload/bundle-referrer.js';
import { OCI_MANIFEST } from '../payload/oci.js';
import type { RegistryClient } from '../registry/client.js';

/** Uploads a bundle referrer and returns the digest of its manifest. */
export async function pushBundleReferrer(
  client: RegistryClient,
  repository: string,
  referrer: BundleReferrer,
  signal: AbortSignal | undefined,
): Promise<string> {
  await client.pushBlob(repository, referrer.config, {
    mediaType: referrer.configDescriptor.mediaType,
    signal,
  });
  await client.pushBlob(repository, referrer.bundle, {
    mediaType: referrer.bundleDescriptor.mediaType,
    signal,
  });
  return (await client.pushReferrer(repository, referrer.manifest, OCI_MANIFEST, { signal })).digest;
}
