/**
 * Trust material, prepared once per verification: the caller's keys parsed, the Rekor keys of the
 * trusted root and/or given directly, and whether tlog evidence is required. Every candidate of one
 * verification is judged against the same prepared material, so PEM text and a trusted root are
 * read once, not per candidate.
 *
 * Deliberately not here: using the material (`judge-*.ts`, `tlog-evidence.ts`).
 */
import { InvalidArgumentError } from '../errors/base.js';
import type { DigestAlgorithm } from '../keys/algorithms.js';
import { importPublicKey } from '../keys/import.js';
import { isPublicKey, type PublicKey } from '../keys/key-objects.js';
import { type RekorKeys, rekorKeysFor } from './trusted-root.js';
import type { TrustOptions } from './verify-types.js';

/** What every candidate of one verification is checked against. */
export interface TrustMaterial {
  readonly keys: readonly PublicKey[];
  /** Undefined when no trusted root or Rekor key was given. */
  readonly rekorKeys: RekorKeys | undefined;
  readonly ignoreTlog: boolean;
  readonly digestAlgorithm: DigestAlgorithm | undefined;
}

/** Trusted keys as parsed `PublicKey`s (PEM strings are parsed once and memoized). */
export function trustedKeys(keys: ReadonlyArray<PublicKey | string>): PublicKey[] {
  return keys.map((k) => (isPublicKey(k) ? k : importPublicKey(k)));
}

/**
 * Prepares the caller's trust options; `what` names the function for the error when no key is given.
 * Throws InvalidArgumentError for missing or unreadable keys and trusted roots.
 */
export function trustMaterial(options: TrustOptions, what: string): TrustMaterial {
  if (!Array.isArray(options?.keys) || options.keys.length === 0)
    throw new InvalidArgumentError(`${what} needs at least one trusted key in options.keys`);
  return {
    keys: trustedKeys(options.keys),
    rekorKeys: rekorKeysFor(options),
    ignoreTlog: options.ignoreTlog === true,
    digestAlgorithm: options.digestAlgorithm,
  };
}
