/**
 * `ocisign/sigstore`: Sigstore trust material. Trusted roots (`trusted_root.json`) parsed into
 * frozen values, the public-good root shipped in the package (offline, "trusted as installed"),
 * refreshes and private mirrors through TUF, roots built from PEM for private instances, and the
 * conversion into @sigstore/verify's trust material. Nothing reaches the network unless asked.
 *
 * @packageDocumentation
 */
export type { TrustedRootPems } from './from-pems.js';
export { trustedRootFromPems } from './from-pems.js';
export type { GetTrustedRootOptions } from './get-trusted-root.js';
export { DEFAULT_TUF_RESPONSE_LIMIT, DEFAULT_TUF_TIMEOUT_MS, getTrustedRoot } from './get-trusted-root.js';
export { PUBLIC_GOOD_TUF_URL, shippedTrustedRoot } from './shipped.js';
export { trustMaterialOf } from './trust-material.js';
export type {
  CertificateAuthority,
  LogPublicKey,
  TimeRange,
  TransparencyLogInstance,
  TrustedRoot,
} from './trusted-root.js';
export { isTrustedRoot, parseTrustedRoot, TRUSTED_ROOT_MEDIA_TYPE } from './trusted-root.js';
export { defaultTufCacheDir } from './tuf-cache.js';
