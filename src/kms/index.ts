/**
 * `ocisign/kms`: key providers behind one `Signer` interface — AWS KMS (`awskms://`, loaded on
 * demand), PEM files (cosign encrypted keys included), `env://VAR`, and any provider you register.
 *
 * @packageDocumentation
 */
export type { KeyProvider, ResolveSignerOptions } from './provider.js';
export { registerKeyProvider, resolveSigner } from './provider.js';
