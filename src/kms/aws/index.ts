/**
 * `ocisign/kms/aws`: AWS KMS keys as `Signer`s (`awskms://` references, cosign's semantics), key
 * creation behind an alias, and a permission preflight. Needs the optional peer dependency
 * `@aws-sdk/client-kms`, loaded on first use.
 *
 * @packageDocumentation
 */
export { createAwsKmsKey } from './create-key.js';
export type { KmsAction } from './errors.js';
export type { AwsSigningAlgorithm } from './key-specs.js';
export type { AwsKmsReference } from './reference.js';
export { canCreateKey, parseAwsKmsReference } from './reference.js';
export type { KmsClientLike } from './sdk.js';
export type { AwsKmsSignerOptions } from './signer.js';
export { AwsKmsSigner } from './signer.js';
