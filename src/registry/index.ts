/**
 * `ocisign/registry`: an OCI distribution client on undici — references, auth (Basic, Bearer
 * tokens, Docker config and credential helpers), manifests, blobs, tags and referrers — with
 * retries, timeouts, digest checks and a request hook.
 *
 * @packageDocumentation
 */

export type { DigestAlgorithmName } from '../payload/digest.js';
export { computeDigest } from '../payload/digest.js';
export type { CredentialProvider, Credentials } from './auth/credentials.js';
export { chainCredentials, staticCredentials } from './auth/credentials.js';
export type { DockerConfigOptions } from './auth/docker-config.js';
export { dockerConfigCredentials } from './auth/docker-config.js';
export type {
  CallOptions,
  DeadlineOptions,
  FetchedManifest,
  PushBlobOptions,
  ReferrersOptions,
  RegistryClientOptions,
  RepositoryRef,
} from './client.js';
export { DEFAULT_MANIFEST_LIMIT, RegistryClient } from './client.js';
export type { Descriptor, ImageIndex, ImageManifest, Manifest, Platform } from './manifest.js';
export { isImageIndex, parseManifest } from './manifest.js';
export { MANIFEST_MEDIA_TYPES, MediaType } from './media-types.js';
export type { ImageReference } from './reference.js';
export { formatReference, parseReference, repositoryName } from './reference.js';
export type { RequestInfo } from './transport/http.js';
export type { RetryOptions } from './transport/retry.js';
