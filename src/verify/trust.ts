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
import { type RekorKeys, rekorKeysFor } from '../sigstore/tlog/rekor-keys.js';
import { parseTrustedRoot } from '../sigstore/trusted-root.js';
import { type KeylessMaterial, keylessMaterial } from './keyless/keyless-trust.js';
import type { TrustOptions } from './verify-types.js';

/** What every candidate of one verification is checked against. */
export interface TrustMaterial {
  readonly keys: readonly PublicKey[];
  /** Undefined when no trusted root or Rekor key was given. */
  readonly rekorKeys: RekorKeys | undefined;
  readonly ignoreTlog: boolean;
  readonly digestAlgorithm: DigestAlgorithm | undefined;
  /**
   * Keyless identities (or the any-identity opt-in) and the trusted root's CAs, CT logs and TSAs;
   * undefined without either.
   */
  readonly keyless: KeylessMaterial | undefined;
}

/** Trusted keys as parsed `PublicKey`s (PEM strings are parsed once and memoized). */
export function trustedKeys(keys: ReadonlyArray<PublicKey | string>): PublicKey[] {
  return keys.map((k) => (isPublicKey(k) ? k : importPublicKey(k)));
}

/**
 * Prepares the caller's trust options; `what` names the function for the error when no key is given.
 * Throws InvalidArgumentError for missing or unreadable keys and trusted roots.
 */
export function trustMaterial(
  options: TrustOptions & { readonly onWarning?: ((message: string) => void) | undefined },
  what: string,
  defaultRoot?: () => unknown,
): TrustMaterial {
  const keys = options?.keys;
  const identities = options?.identities;
  const anyIdentity = options?.anyIdentity;
  if (keys !== undefined && !Array.isArray(keys))
    throw new InvalidArgumentError(`${what}: options.keys must be an array of keys`);
  if (identities !== undefined && !Array.isArray(identities))
    throw new InvalidArgumentError(`${what}: options.identities must be an array of identities`);
  if (anyIdentity !== undefined && typeof anyIdentity !== 'boolean')
    throw new InvalidArgumentError(`${what}: options.anyIdentity must be true or false`);
  // Only the explicit opt-in lets a keyless verification go without identities.
  if ((keys?.length ?? 0) === 0 && (identities?.length ?? 0) === 0 && anyIdentity !== true)
    throw new InvalidArgumentError(
      `${what} needs at least one trusted key in options.keys or one identity in options.identities`,
    );
  // Parsed once for the keys' tlog checks and the keyless ones alike.
  const prepared =
    options.trustedRoot === undefined
      ? options
      : { ...options, trustedRoot: parseTrustedRoot(options.trustedRoot) };
  const keyless =
    anyIdentity === true || (identities !== undefined && identities.length > 0)
      ? keylessMaterial(prepared, defaultRoot)
      : undefined;
  return {
    keys: trustedKeys(keys ?? []),
    rekorKeys: rekorKeysFor(prepared),
    ignoreTlog: options.ignoreTlog === true,
    digestAlgorithm: options.digestAlgorithm,
    keyless,
  };
}

/** How many distinct signers a threshold can count: the keys plus the identities. */
export function signerCount(trust: TrustMaterial): number {
  return trust.keys.length + (trust.keyless?.identities.length ?? 0);
}
