/**
 * The keyless half of a verification's trust material: the caller's identities compiled once, the
 * trusted root's CAs, CT logs and TSAs, and cosign's flags. Which root applies when the caller
 * gives none is the caller's to say (`verifyImage` uses the shipped public-good root; the offline
 * judge, which reads nothing, needs one given). Prepared once per verification, like the keys.
 *
 * Deliberately not here: using it (`keyless-judge.ts`).
 */
import { InvalidArgumentError } from '../../errors/base.js';
import type { PublicKey } from '../../keys/key-objects.js';
import { type RekorKeys, rekorKeysFor, rekorKeysFromTrustedRoot } from '../../sigstore/tlog/rekor-keys.js';
import { trustMaterialOf } from '../../sigstore/trust-material.js';
import { parseTrustedRoot } from '../../sigstore/trusted-root.js';
import {
  ANY_IDENTITY,
  type CertificateIdentity,
  type CompiledIdentity,
  compileIdentities,
} from './identity.js';
import type { KeylessFlags, KeylessTrust } from './sigstore-checks.js';

/**
 * The key of the internal opt-in to cosign's legacy chain rules (`KeylessFlags.legacyChain`) in the
 * options of a verification: a symbol no public entry point exports, so only ocisign's own layers
 * set it — the policy engine, for Kyverno's `type: Cosign` attestors, whose cosign runs without a
 * trusted root. Object spread carries it through `verifyImage` and `verifyImageAttestations` to
 * {@link keylessMaterial}; callers of the public API cannot reach it, and cosign 3's default (a
 * trusted root, the `chain` annotation ignored) stays theirs.
 */
export const LEGACY_CHAIN: unique symbol = /* @__PURE__ */ Symbol('ocisign.keyless.legacyChain');

/** What keyless candidates are checked against. */
export interface KeylessMaterial {
  readonly identities: readonly CompiledIdentity[];
  readonly trust: KeylessTrust;
  readonly flags: KeylessFlags;
}

/** The keyless options of a verification (cosign's certificate flags). */
export interface KeylessOptions {
  readonly identities?: readonly CertificateIdentity[] | undefined;
  /**
   * Accept a certificate of **any** identity that chains to the trusted root (`TrustOptions.anyIdentity`);
   * never together with `identities`.
   */
  readonly anyIdentity?: boolean | undefined;
  readonly trustedRoot?: unknown;
  /** Rekor keys trusted besides the root's (`TrustOptions.rekorPublicKeys`). */
  readonly rekorPublicKeys?: ReadonlyArray<PublicKey | string> | undefined;
  readonly ignoreTlog?: boolean | undefined;
  readonly ignoreSct?: boolean | undefined;
  readonly useSignedTimestamps?: boolean | undefined;
  readonly onWarning?: ((message: string) => void) | undefined;
  /** cosign's legacy chain rules (see {@link LEGACY_CHAIN}); internal. */
  readonly [LEGACY_CHAIN]?: boolean | undefined;
}

/**
 * Prepares keyless material, or undefined when the caller gave no identities and did not ask for
 * `anyIdentity`. `defaultRoot` gives the trusted root when the options name none; without it, a
 * trusted root is required. With `anyIdentity` the one identity is {@link ANY_IDENTITY}.
 */
export function keylessMaterial(
  options: KeylessOptions,
  defaultRoot?: () => unknown,
): KeylessMaterial | undefined {
  const anyIdentity = options.anyIdentity === true;
  if (options.identities === undefined && !anyIdentity) return undefined;
  if (anyIdentity && (options.identities?.length ?? 0) > 0)
    throw new InvalidArgumentError(
      'anyIdentity: true accepts every identity, so it cannot be given together with identities',
    );
  const identities = anyIdentity
    ? [ANY_IDENTITY]
    : compileIdentities(options.identities ?? [], options.onWarning);
  if (options.trustedRoot === undefined && defaultRoot === undefined)
    throw new InvalidArgumentError(
      'keyless verification of evidence needs options.trustedRoot (for the public-good instance: shippedTrustedRoot() or getTrustedRoot() from ocisign/sigstore)',
    );
  const root = parseTrustedRoot(options.trustedRoot ?? defaultRoot?.());
  return {
    identities,
    trust: {
      material: trustMaterialOf(root),
      rekorKeys:
        options.rekorPublicKeys === undefined || options.rekorPublicKeys.length === 0
          ? rekorKeysFromTrustedRoot(root)
          : (rekorKeysFor({ trustedRoot: root, rekorPublicKeys: options.rekorPublicKeys }) as RekorKeys),
    },
    flags: {
      ignoreTlog: options.ignoreTlog === true,
      ignoreSct: options.ignoreSct === true,
      useSignedTimestamps: options.useSignedTimestamps === true,
      legacyChain: options[LEGACY_CHAIN] === true,
    },
  };
}
