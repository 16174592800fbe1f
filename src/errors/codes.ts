/**
 * {@link OcisignErrorCode}: the union of every layer's codes. Each list lives beside the classes
 * that throw its codes; this file only joins their types, so it holds no values and adds no work at
 * import time. docs/errors.md documents every code (test/unit/errors/codes.test.ts keeps it exact).
 */
import type { CommonErrorCode } from './base.js';
import type { KeysErrorCode } from './keys.js';
import type { KmsErrorCode } from './kms.js';
import type { PayloadErrorCode } from './payload.js';
import type { PolicyErrorCode } from './policy.js';
import type { RegistryErrorCode } from './registry.js';
import type { SigstoreErrorCode } from './sigstore.js';
import type { SignVerifyErrorCode } from './verify.js';

/** Every code an {@link OcisignError} can carry: the union of each layer's list. */
export type OcisignErrorCode =
  | CommonErrorCode
  | KeysErrorCode
  | KmsErrorCode
  | PayloadErrorCode
  | PolicyErrorCode
  | RegistryErrorCode
  | SigstoreErrorCode
  | SignVerifyErrorCode;
