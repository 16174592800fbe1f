/**
 * `ocisign/testing`: test doubles users need in their own tests — an in-memory OCI registry and an
 * AWS KMS emulator, both on loopback and speaking the real protocols. Nothing here is for production.
 *
 * @packageDocumentation
 */
export type { RunningKmsEmulator, StartKmsEmulatorOptions } from './kms-emulator/server.js';
export { startKmsEmulator } from './kms-emulator/server.js';
export type { PushedImage } from './registry/example-image.js';
export { pushExampleImage } from './registry/example-image.js';
export type { RunningTestRegistry, StartRegistryOptions } from './registry/server.js';
export { startRegistry } from './registry/server.js';
