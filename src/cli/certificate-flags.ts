/**
 * cosign's certificate flags on `verify`, `verify-attestation` and `verify-blob`
 * (`--certificate-identity[-regexp]`, `--certificate-oidc-issuer[-regexp]`,
 * `--certificate-github-workflow-*`, `--certificate-chain`, `--ca-roots`, `--ca-intermediates`,
 * `--insecure-ignore-sct`, `--use-signed-timestamps`) and cosign's rules between them and `--key`,
 * with cosign's messages (cosign v3.1.2 `cmd/cosign/cli/options/certificate.go`, `errors.go`,
 * `cmd/cosign/cli/verify/verify.go`). It reads no files (trust-flags.ts does) and says nothing
 * about which trust material a command may use.
 */
import type { ParseArgsConfig } from 'node:util';
import type { CertificateIdentity, GithubWorkflowIdentity } from '../verify/index.js';
import type { ParsedValues, TLOG_OPTIONS } from './args.js';
import { UsageError } from './exit-codes.js';

/** The certificate flags, as cosign spells them. */
export const CERTIFICATE_OPTIONS = {
  'certificate-identity': { type: 'string' },
  'certificate-identity-regexp': { type: 'string' },
  'certificate-oidc-issuer': { type: 'string' },
  'certificate-oidc-issuer-regexp': { type: 'string' },
  'certificate-github-workflow-trigger': { type: 'string' },
  'certificate-github-workflow-sha': { type: 'string' },
  'certificate-github-workflow-name': { type: 'string' },
  'certificate-github-workflow-repository': { type: 'string' },
  'certificate-github-workflow-ref': { type: 'string' },
  'certificate-chain': { type: 'string' },
  'ca-roots': { type: 'string' },
  'ca-intermediates': { type: 'string' },
  'insecure-ignore-sct': { type: 'boolean' },
  'use-signed-timestamps': { type: 'boolean' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** The flags {@link signerFlags} reads: `--key`, the certificate flags and `--trusted-root`. */
export type SignerFlagValues = ParsedValues<
  typeof CERTIFICATE_OPTIONS & typeof TLOG_OPTIONS & { key: { type: 'string' } }
>;

/** cosign's `KeyAndIdentityParseError`, word for word. */
export const KEY_AND_IDENTITY_MESSAGE =
  'exactly one of: key reference (--key) or certificate identity (--certificate-identity or --certificate-identity-regexp), must be provided. ' +
  "To determine which to use, inspect the bundle's 'verificationMaterial' field: if 'publicKey' is present, use key reference; if 'certificate' or 'x509CertificateChain' is present, use certificate identity";

/** The CA certificate files given instead of a trusted root (cosign's deprecated legacy flags). */
export type CaFlags =
  /** `--certificate-chain`: intermediates, then the one root last. */
  | { readonly chain: string }
  /** `--ca-roots` (each certificate a root) and optionally `--ca-intermediates`. */
  | { readonly roots: string; readonly intermediates?: string };

/** Who must have signed, as the flags say: a key, or a certificate identity (keyless). */
export type SignerFlags =
  | {
      readonly kind: 'key';
      /** The `--key` reference. */
      readonly key: string;
      /** Certificate flags given that cosign ignores with `--key` (no certificate is checked). */
      readonly ignored: readonly string[];
    }
  | {
      readonly kind: 'keyless';
      /** One identity: one set of cosign flags is one `cosign.Identity`. */
      readonly identity: CertificateIdentity;
      readonly ignoreSct: boolean;
      readonly useSignedTimestamps: boolean;
      readonly ca: CaFlags | undefined;
    };

/** `--certificate-github-workflow-X` → the identity's `github.X`. */
const GITHUB_FLAGS = {
  trigger: 'certificate-github-workflow-trigger',
  sha: 'certificate-github-workflow-sha',
  name: 'certificate-github-workflow-name',
  repository: 'certificate-github-workflow-repository',
  ref: 'certificate-github-workflow-ref',
} as const satisfies Record<keyof GithubWorkflowIdentity, keyof typeof CERTIFICATE_OPTIONS>;

/** What cosign checks only on a certificate, so ignores with `--key`. */
const CERTIFICATE_ONLY_FLAGS = [
  'certificate-oidc-issuer',
  'certificate-oidc-issuer-regexp',
  ...Object.values(GITHUB_FLAGS),
  'certificate-chain',
  'ca-roots',
  'ca-intermediates',
] as const;

/** cobra's `MarkFlagsMutuallyExclusive` groups (options/certificate.go). */
const EXCLUSIVE_GROUPS = [
  ['ca-roots', 'certificate-chain'],
  ['ca-intermediates', 'certificate-chain'],
] as const;

/**
 * Applies cosign's rules to the flags, in cosign's order, and says who must have signed:
 * - cobra's exclusive groups: `--ca-roots` or `--ca-intermediates` with `--certificate-chain`;
 * - `--key` with `--certificate-identity` or `--certificate-identity-regexp`, or both identity
 *   flags together (cosign's `NOf(key, identity, identityRegexp) > 1`);
 * - keyless: an identity and an issuer flag are required (cosign's `Identities()`).
 *
 * And refuses what ocisign cannot mean as cosign does: CA flags next to `--trusted-root` (cosign
 * uses the trusted root and ignores them, or refuses them for bundles), `--ca-intermediates`
 * without `--ca-roots` (cosign ignores it), `--use-signed-timestamps` with `--key` (ocisign checks
 * RFC 3161 timestamps only on certificates). A flag given as `""` counts as not given, as in Go.
 *
 * @throws UsageError with cosign's message where cosign has one.
 */
export function signerFlags(values: SignerFlagValues): SignerFlags {
  const given = (name: keyof SignerFlagValues) => typeof values[name] === 'string' && values[name] !== '';
  for (const group of EXCLUSIVE_GROUPS) {
    // cobra counts a flag as set when it appears at all, even as "".
    const set = group.filter((name) => values[name] !== undefined);
    if (set.length > 1)
      throw new UsageError(
        `if any flags in the group [${group.join(' ')}] are set none of the others can be; [${[...set].sort().join(' ')}] were all set`,
      );
  }
  const identityFlags = (['key', 'certificate-identity', 'certificate-identity-regexp'] as const).filter(
    given,
  );
  if (identityFlags.length > 1) throw new UsageError(KEY_AND_IDENTITY_MESSAGE);
  const caGiven = (['certificate-chain', 'ca-roots', 'ca-intermediates'] as const).filter(given);
  if (caGiven.length > 0 && given('trusted-root'))
    throw new UsageError(
      `--${caGiven[0]} cannot be used with --trusted-root: put the CA certificates in the trusted root (cosign would ignore --${caGiven[0]} there)`,
    );
  if (given('key')) {
    if (values['use-signed-timestamps'] === true)
      throw new UsageError(
        '--use-signed-timestamps is not supported with --key: ocisign checks RFC 3161 timestamps only for keyless (certificate) signatures',
      );
    return {
      kind: 'key',
      key: values.key as string,
      ignored: CERTIFICATE_ONLY_FLAGS.filter(given).map((name) => `--${name}`),
    };
  }
  if (!given('certificate-identity') && !given('certificate-identity-regexp'))
    throw new UsageError(
      '--certificate-identity or --certificate-identity-regexp is required for verification in keyless mode (or verify with --key)',
    );
  if (!given('certificate-oidc-issuer') && !given('certificate-oidc-issuer-regexp'))
    throw new UsageError(
      '--certificate-oidc-issuer or --certificate-oidc-issuer-regexp is required for verification in keyless mode',
    );
  if (given('ca-intermediates') && !given('ca-roots'))
    throw new UsageError('--ca-intermediates must be used together with --ca-roots');
  return {
    kind: 'keyless',
    identity: identityOf(values, given),
    ignoreSct: values['insecure-ignore-sct'] === true,
    useSignedTimestamps: values['use-signed-timestamps'] === true,
    ca: caFlagsOf(values, given),
  };
}

function identityOf(
  values: SignerFlagValues,
  given: (name: keyof SignerFlagValues) => boolean,
): CertificateIdentity {
  const field = (name: keyof SignerFlagValues, member: keyof CertificateIdentity) =>
    given(name) ? { [member]: values[name] as string } : {};
  const github: Record<string, string> = {};
  for (const [member, flag] of Object.entries(GITHUB_FLAGS))
    if (given(flag)) github[member] = values[flag] as string;
  return {
    ...field('certificate-identity', 'subject'),
    ...field('certificate-identity-regexp', 'subjectRegExp'),
    ...field('certificate-oidc-issuer', 'issuer'),
    ...field('certificate-oidc-issuer-regexp', 'issuerRegExp'),
    ...(Object.keys(github).length === 0 ? {} : { github }),
  };
}

function caFlagsOf(
  values: SignerFlagValues,
  given: (name: keyof SignerFlagValues) => boolean,
): CaFlags | undefined {
  if (given('certificate-chain')) return { chain: values['certificate-chain'] as string };
  if (!given('ca-roots')) return undefined;
  const roots = values['ca-roots'] as string;
  return given('ca-intermediates')
    ? { roots, intermediates: values['ca-intermediates'] as string }
    : { roots };
}
