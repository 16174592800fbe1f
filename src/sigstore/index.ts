/**
 * `ocisign/sigstore`: Sigstore trust material. Trusted roots (`trusted_root.json`) parsed into
 * frozen values, the public-good root shipped in the package (offline, "trusted as installed"),
 * refreshes and private mirrors through TUF, roots built from PEM for private instances, and the
 * conversion into @sigstore/verify's trust material; signing configs and the services they select;
 * keyless signing (`fulcioSigner`) with identity tokens from CI. Nothing reaches the network
 * unless asked.
 *
 * @packageDocumentation
 */

export type { TrustedRootPems } from './from-pems.js';
export { trustedRootFromPems } from './from-pems.js';
export type { FulcioSignerOptions, IdentityTokenSource } from './fulcio-signer.js';
export { DEFAULT_RENEW_BEFORE_MS, fulcioSigner } from './fulcio-signer.js';
export type { GetTrustedRootOptions } from './get-trusted-root.js';
export { DEFAULT_TUF_RESPONSE_LIMIT, DEFAULT_TUF_TIMEOUT_MS, getTrustedRoot } from './get-trusted-root.js';
export type { IdentityTokenFromEnvironmentOptions } from './identity-token.js';
export {
  DEFAULT_IDENTITY_TOKEN_TIMEOUT_MS,
  identityTokenFromEnvironment,
  SIGSTORE_AUDIENCE,
} from './identity-token.js';
export { PUBLIC_GOOD_TUF_URL, shippedTrustedRoot } from './shipped.js';
export type {
  ServiceConfiguration,
  ServiceSelector,
  SigningConfig,
  SigningService,
} from './signing-config.js';
export {
  isSigningConfig,
  PUBLIC_GOOD_REKOR_V2_SIGNING_CONFIG,
  PUBLIC_GOOD_SIGNING_CONFIG,
  parseSigningConfig,
  SIGNING_CONFIG_MEDIA_TYPE,
} from './signing-config.js';
export type {
  RekorApiVersion,
  SelectedRekor,
  SelectedServices,
  SelectServicesOptions,
} from './signing-config-select.js';
export { selectServices } from './signing-config-select.js';
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
