/**
 * `ocisign/testing`: test doubles users need in their own tests — an in-memory OCI registry, an
 * AWS KMS emulator, and a whole local Sigstore (Fulcio, Rekor v1 and v2, a TSA, an OIDC token
 * issuer), all on loopback and speaking the real protocols. Nothing here is for production.
 *
 * @packageDocumentation
 */
export type { RunningKmsEmulator, StartKmsEmulatorOptions } from './kms-emulator/server.js';
export { startKmsEmulator } from './kms-emulator/server.js';
export type { PushedImage } from './registry/example-image.js';
export { pushExampleImage } from './registry/example-image.js';
export type { RunningTestRegistry, StartRegistryOptions } from './registry/server.js';
export { startRegistry } from './registry/server.js';
export type { FaultOptions, FaultSwitch } from './sigstore/faults.js';
export type {
  FulcioFault,
  FulcioFaults,
  IssueTokenRequest,
  OidcIssuerConfig,
} from './sigstore/fulcio/index.js';
export { FULCIO_FAULTS } from './sigstore/fulcio/index.js';
export type {
  EvidenceTampering,
  LoggedEntry,
  RekorFaultKind,
  RekorFaultOptions,
  RekorFaults,
} from './sigstore/rekor/index.js';
export type {
  RekorApiVersion,
  SigningConfigJson,
  SigningConfigService,
} from './sigstore/signing-config.js';
export { SIGNING_CONFIG_MEDIA_TYPE } from './sigstore/signing-config.js';
export type { RunningSigstore, SigstoreFaults, StartSigstoreOptions } from './sigstore/start-sigstore.js';
export { startSigstore } from './sigstore/start-sigstore.js';
export type { TsaFaultKind, TsaFaultOptions, TsaFaults } from './sigstore/tsa/index.js';
