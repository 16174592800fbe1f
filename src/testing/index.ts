/**
 * `ocisign/testing`: test doubles users need in their own tests — an in-memory OCI registry on
 * loopback (and, as their issues land, a KMS emulator). Nothing here is for production.
 *
 * @packageDocumentation
 */
export type { RunningTestRegistry, StartRegistryOptions } from './registry/server.js';
export { startRegistry } from './registry/server.js';
