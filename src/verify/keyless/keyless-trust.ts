/**
 * The keyless half of a verification's trust material: the caller's identities compiled once, the
 * trusted root's CAs, CT logs and TSAs (the shipped public-good root when none is given), and
 * cosign's flags. Prepared once per verification, like the keys.
 *
 * Deliberately not here: using it (`keyless-judge.ts`).
 */
import { shippedTrustedRoot } from '../../sigstore/shipped.js';
import { trustMaterialOf } from '../../sigstore/trust-material.js';
import { parseTrustedRoot } from '../../sigstore/trusted-root.js';
import { rekorKeysFromTrustedRoot } from '../trusted-root.js';
import { type CertificateIdentity, type CompiledIdentity, compileIdentities } from './identity.js';
import type { KeylessFlags, KeylessTrust } from './sigstore-checks.js';

/** What keyless candidates are checked against. */
export interface KeylessMaterial {
  readonly identities: readonly CompiledIdentity[];
  readonly trust: KeylessTrust;
  readonly flags: KeylessFlags;
}

/** The keyless options of a verification (cosign's certificate flags). */
export interface KeylessOptions {
  readonly identities?: readonly CertificateIdentity[] | undefined;
  readonly trustedRoot?: unknown;
  readonly ignoreTlog?: boolean | undefined;
  readonly ignoreSct?: boolean | undefined;
  readonly useSignedTimestamps?: boolean | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
}

/** Prepares keyless material, or undefined when the caller gave no identities. */
export function keylessMaterial(options: KeylessOptions): KeylessMaterial | undefined {
  if (options.identities === undefined) return undefined;
  const identities = compileIdentities(options.identities, options.onWarning);
  const root =
    options.trustedRoot === undefined ? shippedTrustedRoot() : parseTrustedRoot(options.trustedRoot);
  return {
    identities,
    trust: { material: trustMaterialOf(root), rekorKeys: rekorKeysFromTrustedRoot(root) },
    flags: {
      ignoreTlog: options.ignoreTlog === true,
      ignoreSct: options.ignoreSct === true,
      useSignedTimestamps: options.useSignedTimestamps === true,
    },
  };
}
